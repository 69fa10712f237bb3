"""Crash safety: a logging process killed with SIGKILL leaves a readable history."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import richtypes
from richtypes.__main__ import main

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import richtypes

    run = richtypes.init(dir=sys.argv[1], config={"lr": 0.1})
    h = richtypes.Histogram(np.arange(1000), num_bins=16)
    step = 0
    while True:  # until killed; lines of very different lengths
        richtypes.log({"loss": 1.0 / (step + 1), "h": h, "text": "x" * (step * 997 % 200_000)})
        step += 1
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_logger_leaves_history_readable_up_to_its_last_whole_line(
    tmp_path: Path, capsys
) -> None:
    run_dir = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(run_dir)], stderr=subprocess.PIPE)
    history = run_dir / "history.jsonl"
    try:
        deadline = time.monotonic() + 120  # a guard against a hung child, not a speed assertion
        while not (history.exists() and history.read_bytes().count(b"\n") >= 300):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, (
                "the logging process wrote fewer than 300 rows in 120 s"
            )
            time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    reader = richtypes.open_run(run_dir)
    rows = reader.history()
    assert len(rows) >= 300 and [row.step for row in rows] == list(range(len(rows)))
    h = richtypes.Histogram(np.arange(1000), num_bins=16)
    for row in rows:
        assert (
            row["h"] == h
            and row["loss"] == 1.0 / (row.step + 1)
            and len(row["text"]) == row.step * 997 % 200_000
        )
    assert reader.status == "running" and reader.config == {"lr": 0.1}  # never finished
    assert json.loads((run_dir / "run.json").read_text())["end_time"] is None
    assert main(["validate", str(run_dir)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"OK: {run_dir} (")
