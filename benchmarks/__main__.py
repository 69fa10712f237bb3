"""``python -m benchmarks``: run the workloads, each in a fresh process, and report.

Examples
--------
    python -m benchmarks                              # everything, 5 repeats, peers when installed
    python -m benchmarks --only W5 --only W6 --repeats 9
    python -m benchmarks --quick                      # tiny sizes, no peers (what the test runs)
    python -m benchmarks --out results.json --md results.md
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ._machine import machine_facts
from ._report import add_ratios, markdown, text_table
from ._worker import PEER_PARTS
from ._workloads import WORKLOADS

__all__ = ["main", "run_suite"]

REPO = Path(__file__).resolve().parent.parent


def _run_worker(wid: str, part: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    out = tmp / f"{wid}-{part}.json"
    cmd = [
        sys.executable,
        "-m",
        "benchmarks._worker",
        wid,
        "--part",
        part,
        "--repeats",
        str(args.repeats),
        "--out",
        str(out),
    ]
    if args.quick:
        cmd.append("--quick")
    if args.no_memory:
        cmd.append("--no-memory")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("WANDB_MODE", "offline")
    env.setdefault("WANDB_SILENT", "true")
    started = time.perf_counter()
    # Its own session, so that whatever it leaves running (wandb's background service)
    # is ended before the next workload is timed, instead of competing for the CPU.
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if args.verbose else subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _stdout, stderr = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        _end_session(proc.pid)
        proc.communicate()
        return {"id": wid, "part": part, "error": f"timed out after {args.timeout} s", "cases": []}
    finally:
        _end_session(proc.pid)
    proc.stderr = stderr  # type: ignore[assignment]
    if out.exists():
        result = json.loads(out.read_text())
    else:
        tail = (proc.stderr or "")[-2000:]
        result = {
            "id": wid,
            "part": part,
            "error": f"worker exited with {proc.returncode} and wrote nothing: {tail}",
            "cases": [],
        }
    result["wall_s"] = time.perf_counter() - started
    return result


def _end_session(pgid: int) -> None:
    """Kill every process left in a worker's session and wait (up to 10 s) until none is left."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)


#: Part -> the peers it measures (wandb's part is called "peers").
_PEER_NAMES = {"peers": "wandb", **{part: part for part in PEER_PARTS}}


def _skipped_peer(reason: str) -> dict[str, Any]:
    return {
        name: {"name": name, "status": "skipped", "reason": reason} for name in _PEER_NAMES.values()
    }


def _peer_results(part: dict[str, Any], case_id: str) -> dict[str, Any]:
    """The peer results one peer part measured for ``case_id``, or an error entry for its peer."""
    for case in part.get("cases", []):
        if case["id"] == case_id:
            return dict(case.get("peers", {}))
    name = _PEER_NAMES[part["part"]]
    return {name: {"name": name, "status": "error", "reason": part.get("error", "no peer result")}}


def run_suite(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen workloads and return the merged results document."""
    ids = args.only or list(WORKLOADS)
    peers = not args.no_peers and (not args.quick or args.with_peers)
    doc: dict[str, Any] = {
        "suite": "richtypes-benchmarks",
        "format_version": 1,
        "command": args.command_line,
        "args": {
            "quick": args.quick,
            "repeats": args.repeats,
            "only": ids,
            "peers": peers,
            "memory": not args.no_memory,
        },
        "machine": machine_facts(),
        "workloads": [],
        "cases": [],
    }
    with tempfile.TemporaryDirectory(prefix="rtbench-") as tmp_name:
        tmp = Path(tmp_name)
        for wid in ids:
            print(f"{wid}: {WORKLOADS[wid][0]}", file=sys.stderr, flush=True)
            main = _run_worker(wid, "main", args, tmp)
            peer_parts = [_run_worker(wid, p, args, tmp) for p in _PEER_NAMES] if peers else []
            for part in (main, *peer_parts):
                if part is not None:
                    doc["workloads"].append(
                        {
                            k: part.get(k)
                            for k in ("id", "part", "error", "elapsed_s", "wall_s", "wandb_version")
                            if k in part
                        }
                    )
                    if part.get("error"):
                        print(f"  {wid} {part['part']}: {part['error'][:300]}", file=sys.stderr)
            reason = "--quick" if args.quick else "--no-peers"
            for case in main.get("cases", []):
                if not peer_parts:
                    case["peers"] = _skipped_peer(f"peers disabled ({reason})")
                else:
                    case["peers"] = {}
                    for part in peer_parts:
                        case["peers"].update(_peer_results(part, case["id"]))
                doc["cases"].append(add_ratios(case))
    doc["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="richtypes benchmark suite (see benchmarks/README.md)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, one repeat, no peers (a smoke test)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(WORKLOADS),
        metavar="W#",
        help="run only this workload (repeatable)",
    )
    parser.add_argument("--out", help="write the results as JSON here")
    parser.add_argument("--md", help="write the results as Markdown here")
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed runs per measurement (median reported; default 5, 1 with --quick)",
    )
    parser.add_argument(
        "--no-peers", action="store_true", help="do not run the peers (wandb, rerun, tensorboardX)"
    )
    parser.add_argument(
        "--with-peers",
        action="store_true",
        help="run the peers even with --quick (a smoke test of the peer jobs)",
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the extra tracemalloc run per job"
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds allowed per workload process"
    )
    parser.add_argument("--verbose", action="store_true", help="show each worker's progress")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 5
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    args.command_line = "python -m benchmarks " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    doc = run_suite(args)
    print(text_table(doc["cases"]))
    m = doc["machine"]
    print(
        f"\n{m['date']} | {m['cpu_model']} | {m['cores']} cores | Python {m['python']} | numpy {m['numpy']} | wandb {m.get('wandb')} | rerun {m.get('rerun')} | tensorboardX {m.get('tensorboardX')}"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(doc, indent=1, default=str))
    if args.md:
        Path(args.md).write_text(markdown(doc))
    failed = [w for w in doc["workloads"] if w.get("error")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
