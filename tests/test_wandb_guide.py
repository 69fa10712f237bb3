"""docs/coming-from-wandb.md: every row of its tables runs, in order, and every
media object a row makes survives dump -> load equal."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import richtypes
from richtypes.core.media import Media

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "coming-from-wandb.md"
_ROW = re.compile(r"^\| `(?P<wandb>[^`]+)` \| `(?P<ours>[^`]+)` \| (?P<note>.+) \|$")


def _setup_block(text: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the guide defines the names its table uses in a python block"
    return blocks[0]


def _rows(text: str) -> list[tuple[str, str, str]]:
    rows = []
    for line in text.splitlines():
        m = _ROW.match(line)
        if m:
            rows.append((m["wandb"], m["ours"], m["note"]))
    return rows


def test_the_guide_has_a_row_for_every_media_type_and_run_call() -> None:
    calls = " ".join(w for w, _, _ in _rows(GUIDE.read_text("utf-8")))
    for name in (
        "wandb.init", "wandb.log", "wandb.config", "run.summary", "wandb.finish",
        "wandb.Image", "wandb.Classes", "wandb.Histogram", "wandb.Object3D",
        "wandb.Table", "wandb.plot.line", "wandb.plot.scatter", "wandb.plot.bar",
        "wandb.plot.histogram", "wandb.plot.line_series", "wandb.plot.pr_curve",
        "wandb.plot.roc_curve", "wandb.plot.confusion_matrix", "wandb.Html",
        "wandb.Video", "wandb.Audio", "wandb.log_artifact",
    ):  # fmt: skip
        assert name in calls, f"no row for {name}"


def test_every_row_runs_and_its_media_round_trip(tmp_path: Path) -> None:
    text = GUIDE.read_text("utf-8")
    rows = _rows(text)
    assert len(rows) >= 30
    artifact = tmp_path / "labels.csv"
    artifact.write_text("id,label\n1,cat\n", encoding="utf-8")
    pts = tmp_path / "cloud.pts.json"
    pts.write_text("[[0, 0, 0], [1, 2, 3], [4, 5, 6]]", encoding="utf-8")
    names: dict[str, Any] = {
        "RUN_DIR": str(tmp_path / "run"),
        "ARTIFACT": str(artifact),
        "PTS_FILE": str(pts),
    }
    exec(compile(_setup_block(text), str(GUIDE), "exec"), names)
    store = richtypes.Store(tmp_path / "store")
    made = 0
    try:
        for wandb_call, ours, _note in rows:
            try:
                code = compile(ours, f"<row {wandb_call}>", "eval")
            except SyntaxError:
                exec(compile(ours, f"<row {wandb_call}>", "exec"), names)
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # the documented RGBA -> JPEG warning
                value = eval(code, names)
            if isinstance(value, Media):
                doc = richtypes.dump(value, store)
                assert richtypes.load(doc, store) == value, wandb_call
                made += 1
    finally:
        if richtypes.run is not None:
            richtypes.finish()
    assert made >= 15
    # the run the rows wrote reads back with what they logged
    reader = richtypes.open_run(tmp_path / "run")
    history = reader.history()
    assert [row.get("loss") for row in history][:1] == [0.5]
    assert reader.summary["best_acc"] == 0.93
    assert reader.config["batch_size"] == 32
