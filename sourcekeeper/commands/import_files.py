"""`sourcekeeper import FILE…`: bring other tools' WARC (1.0/1.1, .warc/.warc.gz) and WACZ files
into the archive, unchanged, indexed, CDXJ'd, extracted; prints one summary per file (JSON lines
with --json). Exit 1 when a file could not be imported at all."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcekeeper.options import UsageError, db_url, err
from sourcekeeper.printable import json_line


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("import", help="bring other tools' WARC/WACZ files into the archive")
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--no-extract", action="store_true", help="index only, extract no text")
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.storage.importer import import_files  # noqa: PLC0415

    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    args.archive.mkdir(parents=True, exist_ok=True)
    extractor = None if args.no_extract else analyse_response
    results = import_files(args.archive, list(args.files), db_url(args), extract=extractor)
    failed = False
    for result in results:
        failed = failed or (not result.sha256)
        if args.json:
            print(json_line(result.to_json()))
        if args.quiet and result.sha256:
            continue
        err(summary_text(result.to_json()))
    return 1 if failed else 0


def analyse_response(url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> dict[str, Any]:
    """The extraction pipeline's analysis, as a crawl's captures get it."""
    from pipelines.extraction.analyse import analyse  # noqa: PLC0415 (the extractors load only here)
    from pipelines.extraction.facts import ResponseFacts  # noqa: PLC0415

    return analyse(ResponseFacts(url, url, status, headers, body))


def summary_text(summary: dict[str, Any]) -> str:
    if not summary["sha256"]:
        return f"import {summary['source']}: not imported: {'; '.join(summary['problems'])}"
    if summary["already_imported"]:
        return f"import {summary['source']}: already imported (sha256 {summary['sha256']}), nothing added"
    counts = summary["counts"]
    lines = [
        f"import {summary['source']} ({summary['kind']}, sha256 {summary['sha256']}): "
        f"{counts.get('records', 0)} records, {counts.get('indexed/response', 0)} responses and "
        f"{counts.get('indexed/revisit', 0)} revisits indexed, "
        f"{counts.get('extract/pages', 0)} pages extracted"
    ]
    lines += [
        f"  {name}: {value}"
        for name, value in counts.items()
        if "/" in name and not name.startswith("indexed/")
    ]
    lines += [f"  problem: {problem}" for problem in summary["problems"]]
    lines += [f"  stored as warcs/{name}" for name in summary["stored_as"]]
    return "\n".join(lines)
