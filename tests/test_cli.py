"""``richtypes inspect`` and ``richtypes validate``: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import richtypes
from richtypes.__main__ import main
from richtypes.cli import iter_refs
from richtypes.core.errors import format_path
from richtypes.runlog import Run
from richtypes.table import Table


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    src = tmp_path / "weights.bin"
    src.write_bytes(b"\x01" * 100)
    column = Table.from_columns({"x": np.arange(5000, dtype=np.int64)})  # 40 kB: a .npy sidecar
    with Run(
        tmp_path / "run", project="p", name="n", config={"lr": 0.1, "batch": 8}, tags=["t"]
    ) as run:
        for step in range(3):
            run.log(
                {
                    "loss": 1.0 / (step + 1),
                    "h": richtypes.Histogram([1, 2, step]),
                    "nest": {"t": [column]},
                }
            )
        run.log({"loss": float("nan"), "note": "done"})
        run.summary["best"] = 0.5
        run.log_artifact(src, "weights", type="model")
    return run.dir


def test_inspect_summarizes_keys_steps_media_and_sizes(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(run_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    meta = json.loads((run_dir / "run.json").read_text())
    table_ref = json.loads((run_dir / "history.jsonl").read_text().splitlines()[0])["nest"]["t"][0]
    sidecar = sum(p.stat().st_size for p in (run_dir / "media").rglob("*.npy"))
    assert out[0] == f"run {meta['id']}  name='n'  project='p'  status=finished"
    assert out[3:] == [
        "tags: t  notes: -",
        "config: 2 keys (lr, batch)",
        "history: 4 rows, steps 0..3",
        "keys (4):",
        "  h          3 rows  histogram",
        "  loss       4 rows  number",
        "  nest       3 rows  dict",
        "  note       1 rows  string",
        "media by _type:",
        "  _type              count  sidecars   sidecar bytes",
        "  histogram              3         0               0",
        f"  table                  3         1          {sidecar:>6,}",
        "summary: 5 keys (loss, h, nest, note, best)",
        "artifact weights:v0 (model): 1 files, 100 bytes",
        f"store: 2 files, {sidecar + 100:,} bytes in media/",
    ]
    assert table_ref["_type"] == "table"


def test_inspect_of_a_folder_that_is_not_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(tmp_path)]) == 1
    assert (
        capsys.readouterr().out
        == f"error: {str(tmp_path / 'run.json')!r} is missing: not a run directory\n"
    )


def test_validate_a_good_run(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(run_dir)]) == 0
    # run.json + 4 history lines + summary + 1 manifest; 3 histograms, 3 tables, 1 NaN float in history,
    # and in the summary; the table sidecar and the artifact file
    assert (
        capsys.readouterr().out
        == f"OK: {run_dir} (7 documents, 10 envelopes, 2 sidecars checked)\n"
    )


def test_validate_reports_every_problem_and_where(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (run_dir / "history.jsonl").read_text().splitlines()
    row = json.loads(lines[1])
    row["h"]["counts"][0] = -1
    lines[1] = json.dumps(row)
    (run_dir / "history.jsonl").write_text("\n".join(lines) + "\n" + '{"_step": 9, "lo')
    manifest = json.loads((run_dir / "artifacts" / "weights" / "v0.json").read_text())
    (run_dir / "media" / manifest["files"][0]["ref"]["path"]).write_bytes(
        b"\x02" * 100
    )  # same size, other bytes
    meta = json.loads((run_dir / "run.json").read_text())
    meta["status"] = "exploded"
    (run_dir / "run.json").write_text(json.dumps(meta))
    assert main(["validate", str(run_dir)]) == 1
    ref = manifest["files"][0]["ref"]
    assert capsys.readouterr().out.splitlines() == [
        "problem: run.json: $.status: 'exploded' is not one of ['running', 'finished', 'failed'] (schema run-metadata)",
        "problem: history.jsonl line 2: $.h.counts[0]: -1 is less than the minimum of 0 (schema histogram.v1)",
        "warning: history.jsonl ends with a torn line (a killed writer); readers ignore it",
        f"problem: artifacts/weights/v0.json: $.files[0].ref: sidecar {ref['path']!r} does not match its digest "
        f"{ref['digest']!r}",
        # the two envelopes of the broken line do not count as checked
        f"FAILED: 3 problem(s) in {run_dir} (7 documents, 8 envelopes, 2 sidecars checked)",
    ]


def test_validate_finds_a_missing_sidecar_in_every_document_that_refers_to_it(
    run_dir: Path, capsys
) -> None:
    (sidecar,) = (run_dir / "media").rglob("*.npy")
    sidecar.unlink()
    assert main(["validate", str(run_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    rel = sidecar.relative_to(run_dir / "media").as_posix()
    first = json.loads((run_dir / "history.jsonl").read_text().splitlines()[0])
    (path,) = [
        path for path, _, ref in iter_refs(first) if ref["path"] == rel
    ]  # where the table keeps it
    message = f"{format_path(path)}: sidecar {rel!r} is missing from the store at {str(run_dir / 'media')!r}"
    assert format_path(path).startswith("$.nest.t[0].")
    assert [line for line in out if line.startswith("problem")] == [
        f"problem: history.jsonl line {n}: {message}" for n in (1, 2, 3)
    ] + [f"problem: summary.json: {message}"]
    assert out[-1].startswith("FAILED: 4 problem(s)")


def test_validate_a_json_document_with_its_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = richtypes.dump({"h": richtypes.Histogram([1.0, 2.0])}, tmp_path)
    (tmp_path / "doc.json").write_text(json.dumps(doc))
    assert main(["validate", str(tmp_path / "doc.json")]) == 0
    assert (
        capsys.readouterr().out
        == f"OK: {tmp_path / 'doc.json'} (1 documents, 1 envelopes, 0 sidecars checked)\n"
    )
    doc["h"]["_version"] = 9
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    assert main(["validate", str(tmp_path / "bad.json"), "--store", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"problem: {tmp_path / 'bad.json'}: no schema for _type 'histogram' version 9",
        f"FAILED: 1 problem(s) in {tmp_path / 'bad.json'} (1 documents, 0 envelopes, 0 sidecars checked)",
    ]


def test_validate_refuses_a_path_that_is_neither(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert (
        capsys.readouterr().out
        == f"error: {str(tmp_path / 'nope')!r} is neither a run directory (with run.json) nor a JSON file\n"
    )
