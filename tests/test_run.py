"""The run log: config, log, summary, artifacts, the background worker, the reader."""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import richtypes
from richtypes import (
    FormatError,
    Histogram,
    MissingDependencyError,
    NoActiveRunError,
    RunError,
    ValidationError,
)
from richtypes.core.media import Media
from richtypes.runlog import Run
from richtypes.runlog import reader as _run_reader


@pytest.fixture(autouse=True)
def no_current_run_left():
    yield
    run = richtypes.run
    if run is not None:
        try:
            run.finish()
        except Exception:
            pass


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def sidecar_files(run_dir: Path) -> list[Path]:
    return sorted(p for p in (run_dir / "media").rglob("*") if p.is_file())


class Gate(Media):
    """Not registered: its envelope is a NaN float, so it decodes without the registry.

    ``to_json`` signals ``started``, then waits for ``release`` (or raises when ``fail``).
    """

    _type = "gate"

    def __init__(
        self,
        started: threading.Event | None = None,
        release: threading.Event | None = None,
        fail: bool = False,
    ) -> None:
        self.started, self.release, self.fail = started, release, fail
        self._freeze()

    def to_json(self, store):
        if self.started is not None:
            self.started.set()
        if self.release is not None:
            assert self.release.wait(10)
        if self.fail:
            raise ValidationError("refused to encode")  # dump prefixes its place in the nest
        return {"_type": "float", "_version": 1, "value": "NaN"}

    def _content(self):
        return ()


# ---------------------------------------------------------------------- config
def test_config_attribute_and_item_access_update_and_nested_values(tmp_path: Path) -> None:
    run = Run(tmp_path / "run", config={"lr": 0.1, "optim": {"name": "adam"}})
    run.config.dropout = 0.2
    run.config["batch"] = 32
    run.config.update({"optim": {"betas": (0.9, 0.99)}}, epochs=np.int64(3))
    assert run.config["dropout"] == 0.2 and run.config.batch == 32
    assert run.config.optim.name == "adam" and run.config["optim"]["betas"] == [0.9, 0.99]
    expected = {
        "lr": 0.1,
        "optim": {"name": "adam", "betas": [0.9, 0.99]},
        "dropout": 0.2,
        "batch": 32,
        "epochs": 3,
    }
    assert (
        json.loads((run.dir / "config.json").read_text()) == expected
    )  # persisted on every change
    assert run.config.as_dict() == expected and "lr" in run.config and len(run.config) == 5
    run.config.optim.name = "adam"  # the same value again is fine
    run.finish()
    assert richtypes.open_run(run.dir).config == expected


def test_config_refuses_a_changed_value_unless_allowed(tmp_path: Path) -> None:
    run = Run(tmp_path / "run", config={"lr": 0.1, "optim": {"name": "adam"}})
    with pytest.raises(
        ValidationError,
        match=r"^\$\.config\.lr: is already 0\.1; pass allow_val_change=True to "
        r"config\.update\(\) to change it, got 0\.2$",
    ):
        run.config.lr = 0.2
    with pytest.raises(
        ValidationError,
        match=r"^\$\.config\.optim\.name: is already 'adam'; pass "
        r"allow_val_change=True to config\.update\(\) to change it, got 'sgd'$",
    ):
        run.config.update({"optim": {"name": "sgd"}, "new": 1})
    assert "new" not in run.config  # a refused update changes nothing
    run.config.update({"lr": 0.2, "optim": {"name": "sgd"}}, allow_val_change=True)
    assert run.config.lr == 0.2 and run.config.optim.name == "sgd"
    assert json.loads((run.dir / "config.json").read_text()) == {
        "lr": 0.2,
        "optim": {"name": "sgd"},
    }
    run.finish()


def test_config_refuses_values_that_are_not_json(tmp_path: Path) -> None:
    run = Run(tmp_path / "run")
    with pytest.raises(
        ValidationError,
        match=r"^\$\.config\.f: config values must be JSON values \(None, bool, "
        r"int, float, str, lists and dicts\), not function, got <function",
    ):
        run.config.f = lambda: 0
    with pytest.raises(
        ValidationError,
        match=r"^\$\.config\.x\[1\]: config values must be finite numbers, got nan$",
    ):
        run.config.x = [1.0, math.nan]
    with pytest.raises(
        AttributeError, match=r"^config keys starting with '_' are reserved, got '_x'$"
    ):
        run.config._x = 1
    with pytest.raises(AttributeError, match=r"^config has no key 'missing'$"):
        run.config.missing
    run.finish()


def test_module_level_forms_act_on_the_current_run(tmp_path: Path) -> None:
    assert richtypes.run is None
    for call in (
        lambda: richtypes.log({"a": 1}),
        richtypes.finish,
        lambda: setattr(richtypes.config, "a", 1),
        lambda: richtypes.config["a"],
    ):
        with pytest.raises(
            NoActiveRunError, match=r"^no active run; call richtypes\.init\(\) first$"
        ):
            call()
    run = richtypes.init(
        dir=tmp_path / "run", project="p", name="n", notes="hello", tags=["a", "b"]
    )
    assert richtypes.run is run
    richtypes.config.dropout = 0.2
    richtypes.config.update({"lr": 0.1})
    richtypes.log({"loss": 0.5})
    richtypes.run.summary["best_acc"] = 0.93
    richtypes.finish()
    assert richtypes.run is None
    reader = richtypes.open_run(tmp_path / "run")
    assert (reader.project, reader.name, reader.notes, reader.tags, reader.status) == (
        "p",
        "n",
        "hello",
        ("a", "b"),
        "finished",
    )
    assert reader.config == {"dropout": 0.2, "lr": 0.1}
    assert dict(reader.summary) == {"loss": 0.5, "best_acc": 0.93}
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert meta["id"] == run.id and meta["richtypes_version"] == richtypes.__version__
    assert meta["start_time"] <= meta["end_time"]


def test_init_finishes_the_previous_run_with_a_warning(tmp_path: Path) -> None:
    first = richtypes.init(dir=tmp_path / "a")
    with pytest.warns(
        UserWarning, match=rf"^richtypes: init\(\) finishes the current run {first.id} first$"
    ):
        second = richtypes.init(dir=tmp_path / "b")
    assert first.status == "finished" and richtypes.run is second
    with pytest.raises(
        RunError, match=rf"^run {first.id} is finished; start a new one with richtypes\.init\(\)$"
    ):
        first.log({"a": 1})


def test_default_directory_and_a_taken_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = Run()
    assert (
        run.dir == Path("richtypes-runs") / run.id and (tmp_path / run.dir / "run.json").is_file()
    )
    run.finish()
    with pytest.raises(
        RunError, match=r"^'richtypes-runs/.*' already holds a run; give init\(\) another dir$"
    ):
        Run(run.dir)


# ------------------------------------------------------------------------- log
def test_log_writes_one_line_per_step_with_nested_media(tmp_path: Path) -> None:
    h = Histogram(np.arange(100), num_bins=4)
    data = {
        "loss": 0.5,
        "nan": math.nan,
        "n": np.int32(7),
        "nest": {"hs": [h, (h, "x")], "s": "text"},
    }
    with Run(tmp_path / "run") as run:
        run.log(data)
        run.log({"loss": 0.25})
    lines = read_lines(run.dir / "history.jsonl")
    assert [line["_step"] for line in lines] == [0, 1]
    assert lines[0]["nest"]["hs"][0] == h.to_json(run.store) and lines[0]["n"] == 7
    rows = richtypes.open_run(run.dir).history()
    assert rows[0]["nest"] == {"hs": [h, [h, "x"]], "s": "text"}  # tuples come back as lists
    assert math.isnan(rows[0]["nan"]) and rows[1]["loss"] == 0.25 and rows[1].step == 1


def test_log_copies_the_callers_containers(tmp_path: Path) -> None:
    started, release = threading.Event(), threading.Event()
    data = {"gate": Gate(started, release), "values": [1, 2]}
    with Run(tmp_path / "run") as run:
        run.log(data)
        assert started.wait(10)
        data["values"].append(3)  # while the row waits in the worker
        data["late"] = 1
        release.set()
    (line,) = read_lines(run.dir / "history.jsonl")
    assert line["values"] == [1, 2] and "late" not in line


def test_commit_false_merges_into_the_current_step(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        run.log({"a": 1}, commit=False)
        run.log({"b": 2, "a": 3}, commit=False)
        assert run.step == 0
        run.log({"c": 4})
        run.log({"d": 5}, commit=False)  # committed by finish
    assert [
        {k: v for k, v in line.items() if k != "_timestamp"}
        for line in read_lines(run.dir / "history.jsonl")
    ] == [{"_step": 0, "a": 3, "b": 2, "c": 4}, {"_step": 1, "d": 5}]


def test_steps_must_increase_a_lower_step_warns_and_is_refused(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        run.log({"loss": 1.0}, step=3)
        run.log({"acc": 0.5}, step=5, commit=False)
        run.log({"loss": 0.5}, step=7)  # commits the pending step 5 first
        with pytest.warns(
            UserWarning,
            match=r"^richtypes: step 2 is lower than the current step 8; steps must "
            r"increase, so this row was not logged \(keys: loss, acc\)$",
        ):
            run.log({"loss": 9.0, "acc": 9.0}, step=2)
        run.log({"loss": 0.1})
    steps = [
        (line["_step"], line.get("loss"), line.get("acc"))
        for line in read_lines(run.dir / "history.jsonl")
    ]
    assert steps == [(3, 1.0, None), (5, None, 0.5), (7, 0.5, None), (8, 0.1, None)]
    assert run.summary["loss"] == 0.1 and run.summary["acc"] == 0.5  # the refused row left no trace


@pytest.mark.parametrize(
    "data, message",
    [
        ({"_step": 1}, r"^\$\._step: keys starting with '_' are reserved \(_step, _timestamp\)$"),
        ({1: 2}, r"^\$: keys must be strings, got 1$"),
        (
            {"a": {"b": [np.zeros(3)]}},
            r"^\$\.a\.b\[0\]: a bare numpy array cannot be logged; wrap it in a media type "
            r"\(Histogram, Image, Object3D, Table \.\.\.\), got array\(shape=\(3,\), dtype=float64\)$",
        ),
        ({"a": {"_type": "x"}}, r"^\$\.a: '_type' is a reserved key, got '_type'$"),
        ({"a": object}, r"^\$\.a: cannot log a value of type type, got <class 'object'>$"),
        ([1], r"^\$: log\(\) takes a dict of values, got \[1\]$"),
    ],
)
def test_log_refuses_what_cannot_be_logged_at_once(tmp_path: Path, data: Any, message: str) -> None:
    with Run(tmp_path / "run") as run:
        with pytest.raises(ValidationError, match=message):
            run.log(data)
        with pytest.raises(ValidationError, match=r"^\$\.step: must be an integer >= 0, got -1$"):
            run.log({"a": 1}, step=-1)
    assert (run.dir / "history.jsonl").read_bytes() == b""


class Blob(Media):
    """Not registered (never decoded here): writes its bytes as a sidecar."""

    _type = "blob"

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._freeze()

    def to_json(self, store):
        return self._envelope(data=store.put_bytes(self.data, "bin"))

    def _content(self):
        return (self.data,)


def test_media_logged_twice_are_stored_once(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        for _step in range(3):
            run.log(
                {"blob": Blob(b"x" * 100_000), "other": [Blob(b"y" * 10), Blob(b"x" * 100_000)]}
            )
    lines = read_lines(run.dir / "history.jsonl")
    refs = {line["blob"]["data"]["path"] for line in lines} | {
        line["other"][1]["data"]["path"] for line in lines
    }
    assert len(lines) == 3 and len(refs) == 1
    assert [p.relative_to(run.dir / "media").as_posix() for p in sidecar_files(run.dir)] == sorted(
        [refs.pop(), lines[0]["other"][0]["data"]["path"]]
    )


# --------------------------------------------------------------------- summary
def test_summary_holds_the_last_value_and_can_be_overridden(tmp_path: Path) -> None:
    h1, h2 = Histogram([1, 2]), Histogram([3, 4])
    with Run(tmp_path / "run") as run:
        run.log({"loss": 1.0, "h": h1, "acc": 0.5})
        run.log({"loss": 0.5, "h": h2})
        run.summary["best_acc"] = 0.9
        run.summary["acc"] = 0.75
        run.log({"loss": 0.25})
        assert run.summary["loss"] == 0.25 and run.summary["h"] is h2
    doc = json.loads((run.dir / "summary.json").read_text())
    assert doc == {"loss": 0.25, "h": h2.to_json(run.store), "acc": 0.75, "best_acc": 0.9}
    summary = richtypes.open_run(run.dir).summary
    assert summary["h"] == h2 and summary["best_acc"] == 0.9
    with Run(tmp_path / "run2") as run2:
        run2.log({"loss": 1.0})
        run2.summary["loss"] = -1.0
        run2.log({"loss": 2.0})  # the last write wins
    assert json.loads((run2.dir / "summary.json").read_text()) == {"loss": 2.0}


def test_finish_rewrites_summary_json_only_when_it_changed(tmp_path: Path) -> None:
    empty = Run(tmp_path / "empty")
    empty.finish()
    assert json.loads((empty.dir / "summary.json").read_text()) == {}
    run = Run(tmp_path / "run")
    run.log({"loss": 1.0}, sync=True)  # the first row is summarised at once
    written = (run.dir / "summary.json").stat().st_ino
    run.finish()
    assert (run.dir / "summary.json").stat().st_ino == written  # not replaced again
    run2 = Run(tmp_path / "run2")
    run2.log({"loss": 1.0})
    run2.log({"loss": 2.0})  # within the summary interval: summarised by finish
    run2.finish()
    assert json.loads((run2.dir / "summary.json").read_text()) == {"loss": 2.0}


def test_finish_does_not_wait_for_the_idle_worker_thread_to_exit(tmp_path: Path) -> None:
    run = Run(tmp_path / "run")
    run.log({"loss": 1.0}, sync=True)
    gate = threading.Event()
    run._worker.submit(gate.wait)  # the thread is busy until the gate opens ...
    threading.Timer(0.05, gate.set).start()
    run.finish()  # ... and finish waits for that task, then returns
    assert gate.is_set() and run.status == "finished"
    run._worker._thread.join(timeout=10)  # the thread then ends on its own
    assert not run._worker._thread.is_alive()


def test_reader_derives_the_summary_when_summary_json_is_missing(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        run.log({"a": 1, "b": 1})
        run.log({"a": 2})
    (run.dir / "summary.json").unlink()
    assert dict(richtypes.open_run(run.dir).summary) == {"a": 2, "b": 1}


# ------------------------------------------------------------------- artifacts
def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_artifacts_are_versioned_and_identical_files_stored_once(tmp_path: Path) -> None:
    src = tmp_path / "data"
    _write(src / "train.csv", b"a,b\n1,2\n")
    _write(src / "sub" / "labels.txt", b"cat\ndog\n")
    _write(src / "sub" / "copy.txt", b"cat\ndog\n")
    with Run(tmp_path / "run") as run:
        v0 = run.log_artifact(src, "dataset", type="dataset")
        _write(src / "train.csv", b"a,b\n1,2\n3,4\n")
        v1 = run.log_artifact(src, "dataset", type="dataset")
        model = run.log_artifact(_write(tmp_path / "model.bin", b"\x00" * 10), type="model")
    assert (v0.qualified_name, v1.qualified_name, model.qualified_name) == (
        "dataset:v0",
        "dataset:v1",
        "model.bin:v0",
    )
    assert [f["path"] for f in v0.files] == ["sub/copy.txt", "sub/labels.txt", "train.csv"]
    assert v0.files[0]["digest"] == v0.files[1]["digest"] and v0.files[0]["size"] == 8
    manifest = json.loads((run.dir / "artifacts" / "dataset" / "v1.json").read_text())
    assert (
        manifest["name"] == "dataset" and manifest["version"] == 1 and manifest["type"] == "dataset"
    )
    assert manifest["size"] == 8 + 8 + 12 and manifest["files"] == v1.files
    # copy.txt == labels.txt, and both versions share them: 2 csv versions + 1 txt + 1 model
    assert len(sidecar_files(run.dir)) == 4
    reader = richtypes.open_run(run.dir)
    assert [a.qualified_name for a in reader.artifacts()] == [
        "dataset:v0",
        "dataset:v1",
        "model.bin:v0",
    ]
    assert (
        reader.artifact("dataset").version == 1 and reader.artifact("dataset:v0").files == v0.files
    )
    out = reader.artifact("dataset:v0").extract(tmp_path / "out")
    assert (out / "train.csv").read_bytes() == b"a,b\n1,2\n" and (
        out / "sub" / "copy.txt"
    ).read_bytes() == b"cat\ndog\n"
    with pytest.raises(
        KeyError, match=r"no artifact 'dataset:v7'; this run has: dataset:v0, dataset:v1"
    ):
        reader.artifact("dataset:v7")


def test_artifact_names_and_paths_are_checked(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        with pytest.raises(
            ValidationError,
            match=r"^\$\.name: an artifact name must be 1-128 letters, digits, '\.', "
            r"'_' or '-', starting with a letter or digit, got '\.\./x'$",
        ):
            run.log_artifact(tmp_path, "../x")
        with pytest.raises(
            ValidationError, match=r"^\$\.path: no such file or directory, got '.*nope'$"
        ):
            run.log_artifact(tmp_path / "nope", "x")


# -------------------------------------------------------- the background worker
def test_a_background_error_is_raised_at_the_next_log(tmp_path: Path) -> None:
    started = threading.Event()
    run = Run(tmp_path / "run")
    run.log({"ok": 1})
    run.log({"bad": Gate(started, fail=True)})  # returns: encoding happens later
    run._worker.flush()
    with pytest.raises(
        ValidationError,
        match=r"^\$\.bad: refused to encode\n"  # pytest adds the notes
        r"raised in the background while encoding step 1 of run \S+$",
    ) as info:
        run.log({"ok": 2})
    assert info.value.__notes__ == [
        f"raised in the background while encoding step 1 of run {run.id}"
    ]
    run.log({"ok": 3})  # raised once; the run goes on
    run.finish()
    assert [line["_step"] for line in read_lines(run.dir / "history.jsonl")] == [
        0,
        2,
    ]  # step 2 was not logged
    assert run.status == "finished"


def test_a_background_error_is_raised_at_finish_and_the_run_fails(tmp_path: Path) -> None:
    run = Run(tmp_path / "run")
    run.log({"bad": Gate(fail=True)})
    run.log({"bad": Gate(fail=True)}, commit=False)
    with pytest.raises(
        ValidationError,
        match=r"^\$\.bad: refused to encode\nraised in the background while encoding "
        r"step 0 of run \S+\n1 more background error\(s\): ",
    ) as info:
        run.finish()
    assert info.value.__notes__[1].startswith(
        "1 more background error(s): ValidationError('$.bad: refused to encode')"
    )
    assert (
        run.status == "failed"
        and json.loads((run.dir / "run.json").read_text())["status"] == "failed"
    )
    run.finish()  # finished: nothing more to raise


def test_an_exception_in_the_with_block_fails_the_run(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        with richtypes.init(dir=tmp_path / "run") as run:
            run.log({"a": 1})
            raise KeyError("boom")
    assert richtypes.open_run(run.dir).status == "failed" and richtypes.run is None
    assert len(richtypes.open_run(run.dir).history()) == 1


def test_log_blocks_when_the_queue_is_full(tmp_path: Path) -> None:
    started, release = threading.Event(), threading.Event()
    run = Run(tmp_path / "run", queue_size=2)
    run.log({"gate": Gate(started, release)})
    assert started.wait(10)  # the worker holds row 0 and waits
    run.log({"a": 1})
    run.log({"a": 2})
    assert run._worker.queue.full()
    blocked = threading.Thread(target=run.log, args=({"a": 3},))
    blocked.start()
    blocked.join(0.3)
    assert (
        blocked.is_alive() and run._worker.queue.qsize() == 2
    )  # waiting for room, not queued beyond the bound
    release.set()
    blocked.join(10)
    assert not blocked.is_alive()
    run.finish()
    rows = richtypes.open_run(run.dir).history()
    assert (
        [row.step for row in rows] == [0, 1, 2, 3]
        and math.isnan(rows[0]["gate"])
        and rows[3]["a"] == 3
    )


# ---------------------------------------------------------------------- reader
def test_history_cells_decode_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    h = Histogram(np.arange(50), num_bins=5)
    with Run(tmp_path / "run") as run:
        run.log({"h": h, "loss": 0.5})
    calls = []
    real = _run_reader.decode_value
    monkeypatch.setattr(
        _run_reader, "decode_value", lambda doc, store: calls.append(doc) or real(doc, store)
    )
    (row,) = richtypes.open_run(run.dir).history()
    assert (
        calls == []
        and set(row) == {"_step", "_timestamp", "h", "loss"}
        and row.raw("h")["_type"] == "histogram"
    )
    assert row["h"] == h and row["h"] is row["h"]  # decoded once, then kept
    assert len(calls) == 1
    assert repr(row) == "Row(step=0, keys=['h', 'loss'])"


def test_history_as_a_dataframe_with_lazy_media_cells(tmp_path: Path) -> None:
    h = Histogram([1.0, 2.0, 3.0], num_bins=3)
    with Run(tmp_path / "run") as run:
        run.log({"loss": 1.0, "h": h})
        run.log({"loss": math.inf})
    frame = richtypes.open_run(run.dir).history(pandas=True)
    assert list(frame.columns) == ["_step", "_timestamp", "loss", "h"]
    assert frame["_step"].tolist() == [0, 1] and frame["loss"].tolist() == [1.0, math.inf]
    cell = frame["h"][0]
    assert repr(cell) == "<LazyMedia histogram, not decoded>" and cell.value == h
    assert repr(cell) == "<LazyMedia histogram, decoded>" and pd_isna(frame["h"][1])


def pd_isna(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_history_as_a_dataframe_needs_pandas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Run(tmp_path / "run") as run:
        run.log({"a": 1})
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(
        MissingDependencyError,
        match=r"^history\(pandas=True\) needs the optional package 'pandas'; "
        r"install it with: pip install 'richtypes\[pandas\]'$",
    ):
        richtypes.open_run(run.dir).history(pandas=True)


def test_the_reader_ignores_a_torn_last_line_only(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        for step in range(3):
            run.log({"a": step})
    path = run.dir / "history.jsonl"
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"_step":3,"a":')
    assert [row["a"] for row in richtypes.open_run(run.dir).history()] == [0, 1, 2]
    path.write_bytes(whole + b'{"_step":3,"a":\n' + whole)
    with pytest.raises(
        FormatError,
        match=r"^'.*history\.jsonl' line 4 is not valid JSON: Expecting value at "
        r"column 16$",
    ):
        richtypes.open_run(run.dir).history()


def test_open_run_needs_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"^'.*run\.json' is missing: not a run directory$"):
        richtypes.open_run(tmp_path)


def test_notes_and_tags_can_change_while_running(tmp_path: Path) -> None:
    with Run(tmp_path / "run", tags=["a"]) as run:
        run.notes = "changed"
        run.tags = ["a", "b"]
        assert json.loads((run.dir / "run.json").read_text())["tags"] == ["a", "b"]
        with pytest.raises(
            ValidationError, match=r"^\$\.tags: must be a list of strings, not one string, got 'c'$"
        ):
            run.tags = "c"
    reader = richtypes.open_run(run.dir)
    assert (reader.notes, reader.tags) == ("changed", ("a", "b"))
    assert os.path.getsize(run.dir / "history.jsonl") == 0


def test_flush_waits_for_the_worker_and_raises_its_error(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        run.log({"a": 1})
        run.flush()
        assert len(read_lines(run.dir / "history.jsonl")) == 1  # written before finish
        run.log({"bad": Gate(fail=True)})
        with pytest.raises(ValidationError, match=r"^\$\.bad: refused to encode\n"):
            run.flush()


def test_a_media_summary_override_is_encoded_into_the_store(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        run.summary["blob"] = Blob(b"z" * 50_000)
        with pytest.raises(
            ValidationError, match=r"^\$\.summary\.arr: a bare numpy array cannot be logged; "
        ):
            run.summary["arr"] = np.zeros(2)
    doc = json.loads((run.dir / "summary.json").read_text())
    assert (
        list(doc) == ["blob"]
        and (run.dir / "media" / doc["blob"]["data"]["path"]).stat().st_size == 50_000
    )


def test_the_config_proxy_and_run_attribute_without_a_run() -> None:
    from richtypes import run as current  # module __getattr__: looked up at import time

    assert current is None and repr(richtypes.config) == "<richtypes.config: no active run>"
    assert not hasattr(richtypes.config, "__wrapped__")  # introspection needs no run


def test_a_bad_config_is_refused_before_the_directory_is_made(tmp_path: Path) -> None:
    with pytest.raises(
        ValidationError,
        match=r"^\$\.config\.opt\.f: config values must be JSON values \(None, bool, "
        r"int, float, str, lists and dicts\), not set, got \{1\}$",
    ):
        Run(tmp_path / "run", config={"opt": {"f": {1}}})
    with pytest.raises(ValidationError, match=r"^\$\.config: must be a dict, got \[1\]$"):
        Run(tmp_path / "run", config=[1])
    assert not (tmp_path / "run").exists()


def test_committing_nothing_writes_no_row(tmp_path: Path) -> None:
    with Run(tmp_path / "run") as run:
        run.log({})
        assert run.step == 0
        run.log({"a": 1}, commit=False)
        run.log({})  # commits the pending values
        assert run.step == 1
    assert [line["a"] for line in read_lines(run.dir / "history.jsonl")] == [1]
