"""`sourcekeeper demo`: serve the bundled sample site on 127.0.0.1, archive it, take part of it down,
re-check, and print what happened and where the files are."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcekeeper.options import log_level, overrides


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("demo", help="serve the bundled sample site and archive it")
    add_common_options(parser)
    parser.set_defaults(func=run, archive=None)
    parser.add_argument("--keep", action="store_true", help="keep an existing demo archive (default: fresh)")


def run(args: argparse.Namespace) -> int:
    from sourcekeeper.demo.run import run_demo  # noqa: PLC0415

    return run_demo(
        args.archive or Path("demo-archive"),
        overrides(args),
        keep=args.keep,
        log_level=log_level(args),
    )
