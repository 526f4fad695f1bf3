"""`sourcekeeper report [--html OUT]`: the state of every cited source (or every archived seed URL
when no report was archived), as a table on the terminal, JSON lines, or a self-contained HTML page
with a timeline chart, the extracted text and replay links."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcekeeper.options import db_url, err, require_archive
from sourcekeeper.printable import json_line, printable, say
from sourcekeeper.quotelines import quote_line
from sourcekeeper.reporting.data import DEFAULT_REPLAY_BASE, document_lines, report_data
from sourcekeeper.urltext import shown


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("report", help="the current state of every source (HTML with --html)")
    parser.add_argument("--html", metavar="OUT", type=Path, help="write a self-contained HTML page")
    parser.add_argument(
        "--replay-base",
        default=DEFAULT_REPLAY_BASE,
        metavar="URL",
        help=f"where `sourcekeeper replay` serves the archive (default {DEFAULT_REPLAY_BASE})",
    )
    parser.add_argument(
        "--robust-links",
        nargs="?",
        const="html",
        choices=("html", "markdown", "csv"),
        help="print only the Robust Links of every source: HTML anchors (default), Markdown "
        "footnotes or CSV (with --json: one JSON object per source)",
    )
    add_common_options(parser)
    parser.set_defaults(func=run)


def write_html_report(archive_dir: Path, db_url: str, out: Path, replay_base: str) -> dict[str, Any]:
    """Library entry: write the HTML report to `out`; returns the data it shows."""
    from archive_store.crawl.render.records import screenshot_data_uri  # noqa: PLC0415
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.layout import WARCS_DIR  # noqa: PLC0415
    from sourcekeeper.changes.html import diff_fragment  # noqa: PLC0415
    from sourcekeeper.reporting.html import render_report  # noqa: PLC0415

    index = ArchiveIndex(db_url, create=False)
    diffs: dict[str, Any] = {}
    try:
        data = report_data(index, archive_dir, replay_base, diffs, visual=True)
        thumbnails = {  # screenshots of rendered pages (issue 14), embedded in the page only
            s["url"]: uri
            for s in data["sources"]
            if s["last_good"]
            and s["last_good"].get("capture_id")
            and (uri := screenshot_data_uri(index, archive_dir / WARCS_DIR, s["last_good"]["capture_id"]))
        }
    finally:
        index.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    fragments = {url: diff_fragment(diff) for url, diff in diffs.items()}  # text and screenshots
    out.write_text(render_report(data, thumbnails, fragments), encoding="utf-8")
    return data


def print_robust_links(sources: list[dict[str, Any]], form: str, *, as_json: bool) -> None:
    """`report --robust-links`: ready to paste into a report, one source after another."""
    import csv  # noqa: PLC0415
    import sys  # noqa: PLC0415

    if as_json:
        for source in sources:
            print(json_line(source["robust_links"]))
        return
    if form == "csv":
        columns = ("url", "archived_url", "archived_date", "third_party_urls", "third_party_dates", "html")
        writer = csv.DictWriter(sys.stdout, columns, extrasaction="ignore")
        writer.writeheader()
        for source in sources:
            writer.writerow(source["robust_links"])
        return
    for source in sources:
        say(source["robust_links"][form])


def run(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from sourcekeeper.reporting.diffs import diff_text_lines  # noqa: PLC0415

    require_archive(args)
    diffs: dict[str, Any] = {}
    if args.html:
        data = write_html_report(args.archive, db_url(args), args.html, args.replay_base)
    else:
        index = ArchiveIndex(db_url(args), create=False)
        try:
            data = report_data(index, args.archive, args.replay_base, diffs)
        finally:
            index.close()
    if args.robust_links:
        print_robust_links(data["sources"], args.robust_links, as_json=args.json)
        return 0
    if args.json:
        for source in data["sources"]:
            print(json_line({k: v for k, v in source.items() if k != "timeline"}))
    elif not args.html:
        for source in data["sources"]:
            url = printable(shown(source["url"]), one_line=True)
            reason = printable(source["reason"], one_line=True)
            print(f"{printable(source['state'], one_line=True):<11} {url}\n            {reason}")
            for check in source.get("quotes") or []:
                say(f"            quote {quote_line(check)}")
            found = diffs.get(source["url"])
            for line in diff_text_lines(found) if found is not None else []:
                print(f"            {line}")  # escaped where it was made
            for line in document_lines(source):  # its attachments and scans, under it
                print(f"            {printable(line, one_line=True)}")
    if not args.quiet:
        counts = ", ".join(f"{n} {state}" for state, n in data["counts"].items() if n) or "no sources"
        where = f": {args.html}" if args.html else ""
        err(f"report of {len(data['sources'])} {data['basis']} ({counts}){where}")
    return 0
