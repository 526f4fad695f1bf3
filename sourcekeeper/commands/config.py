"""`sourcekeeper config [--all] [--json]`: the settings a command here would use, and where each
came from (a default, the project's settings.py, a sourcekeeper.toml, the command line).

Give it the options the real command gets (`--archive DIR`, `--config FILE`, `-s NAME=VALUE`) to
see what that command would run with. Text: `NAME = value  # source`; JSON: one object a line,
{"name", "value", "source"}. `--all` adds Scrapy's own defaults.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from sourcekeeper.configfile import effective_settings


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("config", help="print the effective settings and where each came from")
    parser.add_argument("--all", action="store_true", help="also every Scrapy default")
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for row in effective_settings(args, everything=args.all):
        if args.json:
            value = (
                row.value if isinstance(row.value, str | int | float | bool | type(None)) else repr(row.value)
            )
            print(json.dumps({"name": row.name, "value": value, "source": row.source}, ensure_ascii=False))
        else:
            print(f"{row.name} = {row.value!r}  # {row.source}")
    return 0
