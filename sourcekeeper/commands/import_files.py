"""`sourcekeeper import FILE… [--monitor]`: bring other tools' WARC (1.0/1.1, .warc/.warc.gz) and
WACZ files into the archive, unchanged, indexed, CDXJ'd, extracted; prints one summary per file
(JSON lines with --json). Exit 1 when a file could not be imported at all.

Imported captures are kept, searchable and replayable, but `recheck` and `report` cover their URLs
only with `--monitor` (or when the URL is also a seed or a citation of ours)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcekeeper.options import UsageError, db_url, err, overrides
from sourcekeeper.printable import json_line

if TYPE_CHECKING:
    from archive_store.storage.importer import ImportLimits


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("import", help="bring other tools' WARC/WACZ files into the archive")
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--no-extract", action="store_true", help="index only, extract no text")
    parser.add_argument(
        "--monitor",
        action="store_true",
        help="watch the files' URLs: `recheck` and `report` cover them (robots.txt excepted); "
        "without it imported captures are kept and searchable but not re-checked",
    )
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.storage.importer import import_files  # noqa: PLC0415

    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    limits = import_limits(overrides(args))
    args.archive.mkdir(parents=True, exist_ok=True)
    extractor = None if args.no_extract else analyse_response
    results = import_files(
        args.archive, list(args.files), db_url(args), extract=extractor, limits=limits, monitor=args.monitor
    )
    failed = False
    for result in results:
        failed = failed or result.failed
        if args.json:
            print(json_line(result.to_json()))
        if args.quiet and not result.failed:
            continue
        err(summary_text(result.to_json()))
    return 1 if failed else 0


def import_limits(settings: dict[str, str]) -> ImportLimits:
    """The ARCHIVE_IMPORT_* settings (-s or the config file, else their defaults)."""
    import archive_store.crawl.default_settings as defaults  # noqa: PLC0415
    from archive_store.storage.importer import ImportLimits  # noqa: PLC0415

    def number(name: str) -> float:
        raw = str(settings.get(name, getattr(defaults, name))).strip()
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"{name} must be a number (0: no limit), not {raw!r}") from None
        if value < 0:
            raise UsageError(f"{name} must be 0 or more, not {raw!r}")
        return value

    return ImportLimits(
        max_record=int(number("ARCHIVE_IMPORT_MAX_RECORD_SIZE")),
        max_file=int(number("ARCHIVE_IMPORT_MAX_FILE_SIZE")),
        max_ratio=number("ARCHIVE_IMPORT_MAX_RATIO"),
        max_extract=int(number("ARCHIVE_IMPORT_MAX_EXTRACT_SIZE")),
    )


def analyse_response(url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> dict[str, Any]:
    """The extraction pipeline's analysis, as a crawl's captures get it."""
    from pipelines.extraction.analyse import analyse  # noqa: PLC0415 (the extractors load only here)
    from pipelines.extraction.facts import ResponseFacts  # noqa: PLC0415

    return analyse(ResponseFacts(url, url, status, headers, body))


def summary_text(summary: dict[str, Any]) -> str:
    if summary.get("failed") or not summary["sha256"]:
        return f"import {summary['source']}: not imported: {'; '.join(summary['problems'])}"
    if summary["already_imported"]:
        again = f"import {summary['source']}: already imported (sha256 {summary['sha256']}), nothing added"
        return again if summary.get("monitored") is None else f"{again}\n{_monitoring(summary['monitored'])}"
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
    lines.append(_monitoring(summary.get("monitored")))
    return "\n".join(lines)


def _monitoring(monitored: list[str] | None) -> str:
    if monitored is None:
        return "  not monitored: recheck and report leave its URLs out (import --monitor watches them)"
    return f"  monitored: {len(monitored)} URLs (recheck and report cover them)"
