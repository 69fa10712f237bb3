"""The benchmark suite runs end to end (tiny sizes, no peers) and reports every workload.

No timing is asserted: speed figures live in the suite's own output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytest.importorskip("orjson", reason="the benchmark baselines need orjson (the bench extra)")


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    md = out.with_suffix(".md")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--no-peers",
            "--out",
            str(out),
            "--md",
            str(md),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(out.read_text())
    doc["_stdout"] = proc.stdout
    doc["_markdown"] = md.read_text()
    return doc


def test_every_workload_ran(quick_results: dict) -> None:
    from benchmarks._workloads import WORKLOADS

    ran = {w["id"] for w in quick_results["workloads"]}
    assert ran == set(WORKLOADS)
    assert not [w for w in quick_results["workloads"] if w.get("error")]
    case_workloads = {c["id"].split(".")[0] for c in quick_results["cases"]}
    assert case_workloads == set(WORKLOADS)


def test_cases_have_sane_fields(quick_results: dict) -> None:
    for case in quick_results["cases"]:
        assert case["title"] and case["input_bytes"] > 0
        rt = case["richtypes"]
        assert rt["status"] in ("ok", "not available", "error"), rt
        if rt["status"] == "ok":
            assert rt["encode_s"] > 0 and len(rt["encode_runs"]) >= 1
            assert rt["bytes"] >= 0 and rt["files"] >= 0
            assert rt["peak_traced_bytes"] > 0
            assert rt.get("roundtrip_equal") in (None, True), (case["id"], rt)
        else:
            assert rt["reason"]
        assert case["baselines"], case["id"]
        for b in case["baselines"]:
            assert b["status"] == "ok", (case["id"], b)
            assert b["encode_s"] > 0
        assert case["peers"]["wandb"]["status"] == "skipped"
        for goal in case["goals"]:
            assert goal["met"] in (True, False, None)


def test_richtypes_histogram_is_measured(quick_results: dict) -> None:
    cases = {c["id"]: c for c in quick_results["cases"]}
    dump = cases["W4.dump"]
    assert dump["richtypes"]["status"] == "ok"
    assert dump["richtypes"]["bytes"] > 0 and "decode_s" in dump["richtypes"]
    assert dump["ratios"]["encode_vs_best_raw"] > 0


def test_machine_facts_and_markdown(quick_results: dict) -> None:
    m = quick_results["machine"]
    for key in ("date", "cpu_model", "cores", "python", "numpy"):
        assert m[key]
    md = quick_results["_markdown"]
    assert "python -m benchmarks --quick --no-peers" in md
    assert m["cpu_model"] in md and "| W4.binning |" in md
    assert "W4.binning" in quick_results["_stdout"]


def test_unavailable_type_is_reported_not_raised(tmp_path: Path) -> None:
    from benchmarks._common import richtypes_attr
    from benchmarks._measure import Unavailable, measure

    missing = richtypes_attr("NoSuchMediaType")
    assert isinstance(missing, Unavailable)
    assert measure(missing, repeats=1, workdir=tmp_path)["status"] == "not available"


def test_every_peer_gets_a_ratio_and_a_column() -> None:
    from benchmarks._report import PEERS, add_ratios, text_table

    rt = {"name": "richtypes", "status": "ok", "encode_s": 0.002, "bytes": 600}
    case = add_ratios(
        {
            "id": "W0",
            "title": "t",
            "richtypes": rt,
            "baselines": [{"name": "raw", "status": "ok", "encode_s": 0.001, "bytes": 500}],
            "peers": {
                "rerun": {"name": "rerun", "status": "ok", "encode_s": 0.004, "bytes": 1000},
                "wandb": {"name": "wandb", "status": "skipped", "reason": "off"},
                "tensorboardX": {"name": "tensorboardX", "status": "n/a", "reason": "no type"},
            },
            "goals": [],
        }
    )
    assert case["ratios"]["encode_vs_rerun"] == 0.5 and case["ratios"]["bytes_vs_rerun"] == 0.6
    assert "encode_vs_wandb" not in case["ratios"]
    header, row = text_table([case]).splitlines()
    assert [f"x {name}" in header for name in PEERS] == [True] * 3
    assert "4 ms, 1 kB" in row and "0.50x (0.60x B)" in row and "skipped" in row and "n/a" in row


def test_a_peer_part_that_failed_is_reported_for_its_peer_only() -> None:
    from benchmarks.__main__ import _peer_results

    part = {"part": "rerun", "error": "ImportError: boom", "cases": []}
    assert _peer_results(part, "W1") == {
        "rerun": {"name": "rerun", "status": "error", "reason": "ImportError: boom"}
    }
