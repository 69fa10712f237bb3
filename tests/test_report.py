"""The report page without a browser: the model, links, escaping, single file, the commands."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import richtypes
from richtypes.__main__ import main
from richtypes.report.assets import Assets, ReportTooLargeError, safe_json
from richtypes.report.collect import MAX_SCALAR_POINTS, collect_run, downsample
from richtypes.report.serve import make_server
from richtypes.runlog.api import Run
from richtypes.runlog.reader import open_run


def _model(page: Path) -> dict:
    text = page.read_text("utf-8")
    found = re.search(r'<script type="application/json" id="rt-model">(.*?)</script>', text, re.S)
    assert found is not None
    return json.loads(found.group(1))


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run = Run(tmp_path / "run", name="r1", project="p", config={"lr": 0.1, "net": {"depth": 4}})
    with run:
        for step in range(5000):
            row = {"train/loss": 1.0 / (step + 1)}
            if step % 100 == 0:
                row["val/acc"] = float("nan") if step == 300 else 0.5
            run.log(row)
        run.log({"img": richtypes.Image(np.zeros((8, 8, 3), np.uint8), caption="c")})
    return run.dir


def test_safe_json_cannot_close_its_script_element() -> None:
    text = safe_json({"a": "</script><!--\u2028\u2029"})
    assert "<" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!--\u2028\u2029"}


def test_downsample_keeps_extremes_and_ends() -> None:
    steps = np.arange(100_000)
    values = np.zeros(100_000)
    values[54_321] = 9.0  # a spike
    values[77_777] = -3.0
    keep = downsample(steps, values)
    assert len(keep) <= MAX_SCALAR_POINTS + 1
    assert {0, 54_321, 77_777, 99_999} <= set(keep.tolist())
    assert downsample(steps[:10], values[:10]).tolist() == list(range(10))


def test_the_model_holds_scalars_media_and_description(run_dir: Path, tmp_path: Path) -> None:
    model = collect_run(open_run(run_dir), Assets(run_dir / "report.html"))
    assert (model["name"], model["project"], model["status"]) == ("r1", "p", "finished")
    assert model["config"] == {"lr": 0.1, "net": {"depth": 4}}
    loss = model["scalars"]["train/loss"]
    assert loss["total"] == 5000 and loss["steps"][0] == 0 and loss["steps"][-1] == 4999
    assert len(loss["steps"]) <= MAX_SCALAR_POINTS + 1
    acc = model["scalars"]["val/acc"]
    assert acc["steps"][:4] == [0, 100, 200, 300] and acc["total"] == 50
    assert acc["values"][3] is None  # NaN: a gap, not a number
    (item,) = model["media"]["img"]["items"][0]
    assert model["media"]["img"]["steps"] == [5000]
    assert item["t"] == "image" and item["caption"] == "c"
    assert (run_dir / item["src"]).is_file()  # a link relative to the page, into the store


def test_report_command_writes_a_page_with_relative_links(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "elsewhere" / "page.html"
    assert main(["report", str(run_dir), str(run_dir), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}")
    model = _model(out)
    assert len(model["runs"]) == 2
    src = model["runs"][0]["media"]["img"]["items"][0][0]["src"]
    assert src.startswith("../run/media/") and (out.parent / src).is_file()
    assert "cdn" not in out.read_text("utf-8").lower().split("vega-bundle")[0]


def test_single_file_inlines_media(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "one.html"
    assert main(["report", str(run_dir), "--out", str(out), "--single-file"]) == 0
    src = _model(out)["runs"][0]["media"]["img"]["items"][0][0]["src"]
    assert src.startswith("data:image/png;base64,")
    assert not (tmp_path / "one_files").exists()


def test_single_file_refuses_past_its_limit(run_dir: Path, tmp_path: Path) -> None:
    assets = Assets(tmp_path / "x.html", single_file=True, limit=10)
    with pytest.raises(
        ReportTooLargeError, match=r"^a single-file report would inline more than 10 bytes"
    ):
        collect_run(open_run(run_dir), assets)


def test_report_command_on_a_missing_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().out == (
        f"error: {str(tmp_path / 'nope' / 'run.json')!r} is missing: not a run directory\n"
    )


def test_view_serves_the_page_on_localhost(run_dir: Path) -> None:
    page = richtypes.report.write_report([run_dir])
    server = make_server(page.parent)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/report.html") as resp:
            assert resp.read() == page.read_bytes()
    finally:
        server.shutdown()
        server.server_close()
