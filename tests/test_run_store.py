"""Runs with a shared media store: init(store=...), run.json records it, open_run reads from it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
from scale_helpers import coco_like

import richtypes
from richtypes import Store


def _schema_check(run_dir: Path) -> dict:
    meta = json.loads((run_dir / "run.json").read_text())
    schema = json.loads(
        resources.files("richtypes").joinpath("schemas", "run-metadata.json").read_text("utf-8")
    )
    jsonschema.Draft202012Validator(schema).validate(meta)
    return meta


def test_two_runs_share_one_local_store_and_read_back(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    rows = [coco_like(i) for i in range(3)]
    for name in ("a", "b"):
        with richtypes.init(dir=tmp_path / name, store=shared) as run:
            for row in rows:
                run.log(row)
        assert _schema_check(tmp_path / name)["store"] == shared.absolute().as_uri()
        assert not (tmp_path / name / "media").exists()
    serial = tmp_path / "serial"
    expected = [richtypes.dump(row, serial) for row in rows]
    files = sorted(p.relative_to(shared) for p in shared.rglob("*.*"))
    assert files == sorted(p.relative_to(serial) for p in serial.rglob("*.*"))  # stored once
    for name in ("a", "b"):
        reader = richtypes.open_run(tmp_path / name)
        assert reader.store == Store(shared)
        history = reader.history()
        assert [row.raw("image") for row in history] == [doc["image"] for doc in expected]
        assert history[1]["image"] == rows[1]["image"]
    assert "store: shared, file://" in _inspect(tmp_path / "a")


def _inspect(run_dir: Path) -> str:
    import io

    from richtypes.cli import inspect_run, validate_path

    out = io.StringIO()
    assert inspect_run(str(run_dir), out) == 0
    assert validate_path(str(run_dir), out) == 0
    return out.getvalue()


def test_a_run_with_its_media_on_s3(tmp_path: Path, s3_bucket) -> None:
    url, options = s3_bucket
    rows = [coco_like(i) for i in range(2)]
    with richtypes.init(dir=tmp_path / "run", store=Store(url, storage_options=options)) as run:
        for row in rows:
            run.log(row)
        run.summary["best"] = rows[0]["hist"]
    meta = _schema_check(tmp_path / "run")
    assert meta["store"] == url and "testing" not in json.dumps(meta)  # no credentials
    reader = richtypes.open_run(tmp_path / "run", store=Store(url, storage_options=options))
    assert [row["image"] for row in reader.history()] == [row["image"] for row in rows]
    assert reader.summary["best"] == rows[0]["hist"]


def test_a_row_of_many_images_encodes_in_parallel_to_the_serial_document(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    row = {
        "grid": {
            f"im{i}": richtypes.Image(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8))
            for i in range(9)
        },
        "loss": 0.5,
    }
    with richtypes.init(dir=tmp_path / "run") as run:
        run.log(row)
    line = json.loads((tmp_path / "run" / "history.jsonl").read_text())
    expected = richtypes.dump(row, tmp_path / "serial")
    assert {k: v for k, v in line.items() if not k.startswith("_")} == expected
    assert list(line["grid"]) == [f"im{i}" for i in range(9)]
