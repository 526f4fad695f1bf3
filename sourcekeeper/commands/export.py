"""`export wacz|bag|check`: take captures elsewhere, and check a WACZ someone was given.

Each kind imports its library when it runs: registering the commands stays cheap."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive_store.layout import INDEX_NAME, WARCS_DIR
from sourcekeeper.options import WHEN_HELP, UsageError, when_value
from sourcekeeper.printable import json_line

AddCommon = Callable[[argparse.ArgumentParser], None]


def register(subparsers: Any, add_common_options: AddCommon) -> None:
    export = subparsers.add_parser("export", help="export captures: WACZ (replay) or BagIt (deposit)")
    kinds = export.add_subparsers(dest="export_kind", required=True, metavar="KIND")

    wacz = kinds.add_parser("wacz", help="WACZ 1.1.1 with CDXJ and pages.jsonl carrying the text")
    wacz.add_argument("out", type=Path, metavar="OUT.wacz")
    wacz.add_argument("--url-prefix", metavar="PREFIX", help="only URLs that start with PREFIX")
    wacz.add_argument("--since", type=when_value, metavar="WHEN", help=f"captured from WHEN on: {WHEN_HELP}")
    wacz.add_argument("--until", type=when_value, metavar="WHEN", help="captured until the end of WHEN")
    wacz.add_argument("--title", help="title shown by ReplayWeb.page (default: sourcekeeper export)")
    wacz.add_argument("--sign-key", type=Path, metavar="PEM", help="sign with this ECDSA P-384 key")
    add_common_options(wacz)
    wacz.set_defaults(func=run_wacz)

    bag = kinds.add_parser("bag", help="closed WARCs, CDXJ, manifest and custody log as a BagIt bag")
    bag.add_argument("out", type=Path, metavar="DIR")
    add_common_options(bag)
    bag.set_defaults(func=run_bag)

    check = kinds.add_parser("check", help="check a WACZ: layout, hashes, CDXJ, WARCs, signature")
    check.add_argument("wacz", type=Path, metavar="FILE.wacz")
    check.add_argument("--public-key", type=Path, metavar="PEM", help="require a signature by this key")
    add_common_options(check)
    check.set_defaults(func=run_check)


def require_archive(archive: Path, db: str | None) -> None:
    if not (archive / INDEX_NAME).exists() and not db:
        raise UsageError(f"no archive at {archive} (use --archive DIR)")


def err(text: str) -> None:
    print(text, file=sys.stderr)


def run_wacz(args: argparse.Namespace) -> int:
    from archive_store.export.wacz import ExportError, export_wacz  # noqa: PLC0415
    from archive_store.export.waczselect import ExportFilter  # noqa: PLC0415
    from archive_store.export.waczsign import SigningError  # noqa: PLC0415

    require_archive(args.archive, args.db)
    if args.out.exists():
        raise UsageError(f"{args.out} exists; an export never replaces a file")
    export_filter = ExportFilter(
        args.url_prefix, args.since.start if args.since else None, args.until.last if args.until else None
    )
    try:
        result = export_wacz(
            args.archive, args.out, export_filter, title=args.title, sign_key=args.sign_key, db_url=args.db
        )
    except SigningError as exc:
        raise UsageError(str(exc)) from exc
    except ExportError as exc:
        err(f"sourcekeeper export wacz: {exc}")
        return 1
    if args.json:
        print(json_line({**vars(result), "path": str(result.path)}))
    for note in result.left_out:
        err(f"  left out: {note}")
    for problem in result.problems:
        err(f"  problem: {problem}")
    if not args.quiet:
        err(
            f"wrote {result.path}: {result.captures} captures (+{result.originals} revisit originals), "
            f"{result.pages} pages, {len(result.warcs)} WARC file(s), {result.size} bytes"
            f"{', signed' if result.signed else ''}\n  sha256 {result.sha256}"
        )
    return 1 if result.problems else 0


def run_bag(args: argparse.Namespace) -> int:
    from archive_store.export.bag import export_bag  # noqa: PLC0415
    from archive_store.export.wacz import ExportError  # noqa: PLC0415

    if not (args.archive / WARCS_DIR).is_dir():
        raise UsageError(f"no archive at {args.archive} (use --archive DIR)")
    if args.out.exists():
        raise UsageError(f"{args.out} exists; an export never replaces anything")
    try:
        result = export_bag(args.archive, args.out)
    except ExportError as exc:
        err(f"sourcekeeper export bag: {exc}")
        return 1
    if args.json:
        print(json_line({**vars(result), "path": str(result.path)}))
    for problem in result.problems:
        err(f"  problem: {problem}")
    if not args.quiet:
        err(
            f"wrote bag {result.path}: {result.warcs} WARC file(s), {result.files} payload files\n"
            f"  tagmanifest-sha256.txt sha256 {result.sha256}"
        )
    return 1 if result.problems else 0


def run_check(args: argparse.Namespace) -> int:
    from archive_store.export.waczcheck import check_wacz  # noqa: PLC0415
    from archive_store.export.waczsign import public_key_der  # noqa: PLC0415

    if not args.wacz.is_file():
        raise UsageError(f"no such file: {args.wacz}")
    try:
        pinned = public_key_der(args.public_key) if args.public_key else None
    except (OSError, ValueError) as exc:
        raise UsageError(f"--public-key: {exc}") from exc
    problems = check_wacz(args.wacz, pinned)
    if args.json:
        print(json_line({"ok": not problems, "problems": problems}))
    for problem in problems:
        err(problem)
    if not args.quiet:
        err(f"check {args.wacz}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0
