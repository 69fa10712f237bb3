"""The ``richtypes`` command line: ``python -m richtypes demo OUT``."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="richtypes", description="Typed, versioned files for ML media.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="encode one example of every media type into a folder and list what was written")
    demo.add_argument("out", help="the folder to write into")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo(args.out, sys.stdout)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse already refuses
    return 2


if __name__ == "__main__":
    sys.exit(main())
