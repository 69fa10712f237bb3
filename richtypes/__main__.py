"""The ``richtypes`` command line.

- ``richtypes demo OUT``: log an example of every media type into a run under OUT.
- ``richtypes inspect RUN_DIR``: what a run holds (keys, steps, media by type, sizes).
- ``richtypes validate PATH``: check a run directory or a JSON document (schemas,
  sidecar digests); exit code 1 on any problem.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="richtypes", description="Typed, versioned files for ML media."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="log an example of every media type into a run under a folder and list what was written",
    )
    demo.add_argument(
        "out",
        help="the folder to write into (the run goes to OUT/runs/, the chart page to OUT/charts.html)",
    )
    demo.add_argument(
        "--steps", type=int, default=3, help="how many times each example is logged (default 3)"
    )
    inspect = sub.add_parser(
        "inspect", help="summarize a run directory: keys, steps, media counts and sizes"
    )
    inspect.add_argument("run_dir", help="a run directory (holding run.json)")
    validate = sub.add_parser(
        "validate",
        help="check every envelope against its schema and every sidecar's digest; exit 1 on any problem",
    )
    validate.add_argument(
        "path", help="a run directory or a JSON document written by richtypes.dump"
    )
    validate.add_argument(
        "--store", default=None, help="the sidecar store of a JSON document (default: its folder)"
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.out, sys.stdout, steps=args.steps)
    if args.command == "inspect":
        from .cli import inspect_run

        return inspect_run(args.run_dir, sys.stdout)
    if args.command == "validate":
        from .cli import validate_path

        return validate_path(args.path, sys.stdout, args.store)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse already refuses
    return 2


def _entry() -> int:
    """Run :func:`main`; a closed pipe (``richtypes inspect RUN | head``) ends quietly."""
    try:
        code = main()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
        return 141  # 128 + SIGPIPE, as shells report it


if __name__ == "__main__":
    sys.exit(_entry())
