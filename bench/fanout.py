"""Fan-out benchmark: one story delivered to many subscribed channels through a loopback fake chat
service that enforces the platform's rate limits.

    python bench/fanout.py --adapter discord --channels 1000 --json
    python bench/fanout.py --adapter slack --channels 1000 --json

Each adapter's bench lives in bench/fanout_<adapter>.py and exposes `main(args) -> int`; this file
only picks one. Shared options are parsed here; an adapter's bench may read more from `args`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--adapter", choices=["discord", "slack"], required=True)
    parser.add_argument("--channels", type=int, default=1000, help="subscribed channels (default 1000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the figures")
    return parser


def main(argv: list[str] | None = None) -> int:
    args, extra = build_parser().parse_known_args(argv)
    args.extra = extra
    # Run as a script, bench/ is on sys.path but the project root may not be.
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    module = importlib.import_module(f"fanout_{args.adapter}")
    return int(module.main(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
