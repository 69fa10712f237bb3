"""The ``richtypes`` command line.

- ``richtypes demo OUT``: log an example of every media type into a run under OUT.
- ``richtypes inspect RUN_DIR``: what a run holds (keys, steps, media by type, sizes).
- ``richtypes validate PATH``: check a run directory or a JSON document (schemas,
  sidecar digests); exit code 1 on any problem.
- ``richtypes report RUN_DIR [RUN_DIR ...] [--out PATH] [--single-file]``: write the
  run report page (opens from disk, no server, no network).
- ``richtypes view RUN_DIR [--port N]``: write the page and serve it on 127.0.0.1.
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
    report = sub.add_parser(
        "report",
        help="write a run report page that opens from disk with no server and no network",
    )
    report.add_argument("run_dirs", nargs="+", help="one or more run directories (one page)")
    report.add_argument(
        "--out",
        default=None,
        help="the page to write (default: RUN_DIR/report.html of the first run)",
    )
    report.add_argument(
        "--single-file",
        action="store_true",
        help="inline every media file so the page alone can be shared (up to a size limit)",
    )
    view = sub.add_parser(
        "view", help="write a run's report page and serve it on 127.0.0.1 (for an SSH port forward)"
    )
    view.add_argument("run_dir", help="a run directory (holding run.json)")
    view.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    args = parser.parse_args(argv)
    if args.command == "report":
        from .cli import report_command

        return report_command(args.run_dirs, sys.stdout, args.out, args.single_file)
    if args.command == "view":
        from .cli import view_command

        return view_command(args.run_dir, sys.stdout, args.port)
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
