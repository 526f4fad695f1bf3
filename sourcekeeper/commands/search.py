"""`sourcekeeper search QUERY [--limit N] [--json]`: full-text search of the extracted text (right for
Chinese: two-character terms included)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sourcekeeper.options import UsageError, db_url, err, require_archive
from sourcekeeper.printable import json_line, printable
from sourcekeeper.urltext import shown


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("search", help="full-text search of extracted titles and text")
    parser.add_argument("query", metavar="QUERY", help="one or more terms; every term must occur")
    parser.add_argument("--limit", type=int, default=20, help="at most this many hits (default 20)")
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.index.search import search as run_search  # noqa: PLC0415

    require_archive(args)
    if not args.query.strip():
        raise UsageError("give a search term")
    index = ArchiveIndex(db_url(args))  # create=True: adds the search index to older archives
    try:
        hits = run_search(index, args.query, limit=args.limit)
    finally:
        index.close()
    for hit in hits:
        if args.json:
            print(json_line(hit.to_json()))
        else:
            title, url = (
                printable(hit.title or "(no title)", one_line=True),
                printable(shown(hit.url), one_line=True),
            )
            snippet = printable(hit.snippet, one_line=True)
            print(f"{printable(hit.date or '----------', one_line=True)}  {title}\n  {url}\n  {snippet}\n")
    if not args.quiet and not args.json:
        err(f"{len(hits)} page(s) contain {args.query!r}")
    return 0
