"""`sourcekeeper publish REPORT --out DIR [--base-url URL]`: a static citation page for one
report's readers (states, captures, quotes, Robust Links, a WACZ, in-browser replay); again after
a re-check to update it. REPORT: its number, its file as given to `archive --from-report`, or its
title."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcekeeper.options import db_url, err, require_archive


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("publish", help="a static citation page for one report's readers")
    parser.add_argument("report", metavar="REPORT", help="the report: its number, file or title")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write (updated if there)"
    )
    parser.add_argument(
        "--base-url", default="", metavar="URL", help="where DIR will be published (for Robust Links)"
    )
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from sourcekeeper.web.publish import PublishError, publish_report  # noqa: PLC0415

    require_archive(args)
    index = ArchiveIndex(db_url(args), create=False)
    try:
        published = publish_report(index, args.archive, args.report, args.out, args.base_url)
    except PublishError as exc:
        err(f"sourcekeeper publish: {exc}")
        return 1
    finally:
        index.close()
    if args.json:
        print(
            json.dumps(
                {
                    "out": str(published.out),
                    "citations": published.citations,
                    "wacz": published.wacz,
                    "replay": published.replay,
                }
            )
        )
    if not args.quiet:
        err(f"{published.citations} citation(s) published in {published.out}/index.html")
        if not published.wacz:
            err("  no capture of its sources yet: no WACZ and no replay")
        elif not published.replay:
            err(
                "  no in-browser replay: ReplayWeb.page's files are not installed "
                "(`make replaywebpage`, needs npm)"
            )
    return 0
