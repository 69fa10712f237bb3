"""Run one workload in this (fresh) process and write its results as JSON.

``python -m benchmarks._worker W5 --part main --repeats 5 --out w5.json``

``--part main`` measures richtypes and the raw baselines; ``--part peers``
measures wandb, ``--part rerun`` and ``--part tensorboardX`` those SDKs, each
in a separate process, so a peer's imports and background threads or service
never run beside richtypes' (or another peer's) timings.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from ._measure import Unavailable, measure, memory_profile
from ._workloads import WORKLOADS, load_workload

__all__ = ["PARTS", "PEER_PARTS", "run_part", "main"]

#: Peer part -> module with ``NAME`` and ``peer_job(case)`` (wandb's part, "peers", is built by the workloads).
PEER_PARTS = {"rerun": "benchmarks._rerun", "tensorboardX": "benchmarks._tbx"}
PARTS = ("main", "peers", *PEER_PARTS)


def run_part(
    wid: str, part: str, *, quick: bool, repeats: int, memory: bool = True
) -> dict[str, Any]:
    """Build workload ``wid`` and measure its ``part`` ("main" or "peers")."""
    started = time.perf_counter()
    out: dict[str, Any] = {
        "id": wid,
        "title": WORKLOADS[wid][0],
        "part": part,
        "quick": quick,
        "cases": [],
    }
    with tempfile.TemporaryDirectory(prefix=f"rtbench-{wid}-") as tmp_name:
        tmp = Path(tmp_name)
        peer: Any = None
        if part == "peers":
            from ._wandb import start_wandb

            (tmp / "wandb").mkdir()
            peer = start_wandb(tmp / "wandb")
            if not isinstance(peer, Unavailable):
                out["wandb_version"] = peer.version
        build = load_workload(wid)
        try:
            cases = build(quick, peer)
            jobs: list[tuple[dict[str, Any], Any]] = []  # (result dict, job) for the memory pass
            for case in cases:
                entry: dict[str, Any] = {
                    "id": case.id,
                    "title": case.title,
                    "input_bytes": int(case.input_bytes),
                    "params": case.params,
                    "goals": [g.to_json() for g in case.goals],
                }
                if part == "main":
                    _log(f"{case.id}: richtypes")
                    entry["richtypes"] = measure(case.richtypes, repeats=repeats, workdir=tmp)
                    jobs.append((entry["richtypes"], case.richtypes))
                    entry["baselines"] = []
                    for job in case.baselines:
                        _log(f"{case.id}: {job.name}")
                        entry["baselines"].append(measure(job, repeats=repeats, workdir=tmp))
                        jobs.append((entry["baselines"][-1], job))
                elif part in PEER_PARTS:
                    import importlib

                    module = importlib.import_module(PEER_PARTS[part])
                    _log(f"{case.id}: {module.NAME}")
                    try:
                        job = module.peer_job(case)
                    except Exception as exc:  # noqa: BLE001 - a case the peer module does not know
                        job = Unavailable(
                            module.NAME, f"{type(exc).__name__}: {exc}"[:300], status="error"
                        )
                    entry["peers"] = {module.NAME: measure(job, repeats=repeats, workdir=tmp)}
                    jobs.append((entry["peers"][module.NAME], job))
                else:
                    entry["peers"] = {}
                    for name, job in case.peers.items():
                        _log(f"{case.id}: {name}")
                        entry["peers"][name] = measure(job, repeats=repeats, workdir=tmp)
                        jobs.append((entry["peers"][name], job))
                out["cases"].append(entry)
            if memory:  # after every timed run: memory_profile changes malloc settings
                for result, job in jobs:
                    if result.get("status") == "ok":
                        _log(f"memory: {result['name']}")
                        result.update(memory_profile(job, workdir=tmp))
        finally:
            if peer is not None and not isinstance(peer, Unavailable):
                peer.finish()
    out["elapsed_s"] = time.perf_counter() - started
    return out


def _log(msg: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._worker", description=__doc__)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--part", choices=PARTS, default="main")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        result = run_part(
            args.workload,
            args.part,
            quick=args.quick,
            repeats=args.repeats,
            memory=not args.no_memory,
        )
        status = 0
    except Exception as exc:  # noqa: BLE001 - reported to the parent as data
        result = {
            "id": args.workload,
            "part": args.part,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc()[-3000:],
            "cases": [],
        }
        status = 1
    Path(args.out).write_text(json.dumps(result, indent=1, default=str))
    return status


if __name__ == "__main__":
    sys.exit(main())
