"""`sourcekeeper verify`: fixity and structure of the whole archive; exit 1 naming every bad file."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from sourcekeeper.options import UsageError, err


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("verify", help="check fixity and structure of the whole archive")
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.audit.verify import verify_archive  # noqa: PLC0415

    if not args.archive.is_dir():
        raise UsageError(f"no archive at {args.archive}")
    report = verify_archive(args.archive, args.db)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "files": report.files_checked,
                    "captures": report.captures_checked,
                    "problems": report.problems,
                    "notes": report.notes,
                },
                ensure_ascii=False,
            )
        )
    for problem in report.problems:
        err(problem)
    for note in report.notes:
        err(f"note: {note}")
    if not args.quiet:
        verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        err(
            f"verify {args.archive}: {report.files_checked} WARC files, "
            f"{report.captures_checked} captures: {verdict}"
        )
    return 0 if report.ok else 1
