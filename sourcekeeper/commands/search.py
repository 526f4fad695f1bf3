"""`sourcekeeper search QUERY [--limit N] [--offset N] [--sort newest|relevance] [--site S]
[--state S] [--since D] [--until D] [--kind page|document] [--facets] [--json]`: full-text search of
the extracted text (right for Chinese: two-character terms answered from the bigram index).

`search --build-index` fills the bigram index of an archive made by an earlier version, in
batches, printing its progress; stopped, it resumes where it was. Until it is done, `search`
answers the old way."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any

from sourcekeeper.options import UsageError, db_url, err, require_archive
from sourcekeeper.printable import json_line, printable
from sourcekeeper.urltext import shown

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _date(value: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD, a real date."""
    from datetime import datetime  # noqa: PLC0415

    formats = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        datetime.strptime(value, formats[len(value)])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: give YYYY, YYYY-MM or YYYY-MM-DD"
        ) from None
    return value


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("search", help="full-text search of extracted titles and text")
    parser.add_argument(
        "query", metavar="QUERY", nargs="?", default="", help="one or more terms; every term must occur"
    )
    parser.add_argument("--limit", type=int, default=20, help="at most this many hits (default 20)")
    parser.add_argument("--offset", type=int, default=0, help="skip this many hits first (paging)")
    parser.add_argument(
        "--sort", choices=("newest", "relevance"), default="newest", help="order (default newest)"
    )
    parser.add_argument("--site", help="only pages of this host (or its subdomains)")
    parser.add_argument(
        "--state", default="ok", help="only captures in this state (default ok; 'any' for all)"
    )
    parser.add_argument("--since", type=_date, help="published (or captured) on or after this date")
    parser.add_argument("--until", type=_date, help="published (or captured) on or before this date")
    parser.add_argument("--kind", choices=("page", "document"), help="HTML pages or documents (PDF, Word, …)")
    parser.add_argument(
        "--report",
        metavar="R",
        help="only the sources a report cites: its number, file (or file name) or title",
    )
    parser.add_argument("--facets", action="store_true", help="also count the hits per site")
    parser.add_argument(
        "--build-index", action="store_true", help="fill the search index of an older archive"
    )
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.index.reader import open_reader  # noqa: PLC0415
    from archive_store.index.search import Filters, find, reports_named  # noqa: PLC0415

    require_archive(args)
    if args.build_index:
        return _build_index(args)
    if not args.query.strip():
        raise UsageError("give a search term")
    if args.limit < 1 or args.offset < 0:
        raise UsageError("--limit must be at least 1 and --offset at least 0")
    filters = Filters(
        site=args.site,
        state=args.state,
        since=args.since,
        until=args.until,
        kind=args.kind,
        report=args.report,
    )
    # reading only: no schema check or migration (an older archive answers the old way), and on
    # SQLite not even SQLAlchemy (reader.py): the answer comes in a few milliseconds
    with open_reader(db_url(args)) as index:
        if args.report and not reports_named(index, args.report):
            raise UsageError(f"no report {args.report!r} in this archive (see `sourcekeeper report`)")
        results = find(
            index,
            args.query,
            args.limit,
            offset=args.offset,
            sort=args.sort,
            filters=filters,
            facets=args.facets,
        )
    for hit in results.hits:
        if args.json:
            print(json_line({**hit.to_json(), "scanned": results.scanned}))
        else:
            title, url = (
                printable(hit.title or "(no title)", one_line=True),
                printable(shown(hit.url), one_line=True),
            )
            snippet = printable(hit.snippet, one_line=True)
            print(f"{printable(hit.date or '----------', one_line=True)}  {title}\n  {url}\n  {snippet}\n")
    if results.facets is not None:
        if args.json:
            print(json_line({"facets": results.facets, "scanned": results.scanned}))
        else:
            for site, count in results.facets.items():
                print(f"{count:8d}  {printable(site, one_line=True)}")
    if not args.quiet and not args.json:
        how = " (read every page: one-character terms cannot use the index)" if results.scanned else ""
        err(f"{len(results.hits)} page(s) contain {args.query!r}{how}")
    return 0


def _build_index(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.index.search_setup import backfill_search_index  # noqa: PLC0415

    index = ArchiveIndex(db_url(args))

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            err(f"search index: {done}/{total} pages")

    try:
        added = backfill_search_index(index.engine, progress=progress)
    finally:
        index.close()
    if not args.quiet:
        err(f"search index complete ({added} page(s) added)")
    return 0
