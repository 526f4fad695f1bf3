"""`sourcekeeper reextract [--all] [--json]`: regenerate extraction derivatives from the stored WARCs.

After an extractor upgrade, every response capture whose newest metadata record was written by an
older extractor version is decoded, classified and extracted again; a new metadata record with the
current `extractor_version` is appended (a new WARC of a `reextract` run), and the index's page row
and state point at it, so `show` prints the newest. Nothing already written is altered.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sourcekeeper.options import err, log_level, overrides, require_archive
from sourcekeeper.printable import json_line
from sourcekeeper.urltext import shown


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser(
        "reextract", help="re-run extraction over stored captures (new metadata records, WARCs unchanged)"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every capture, even those already at the current extractor version",
    )
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.crawl.default_settings import apply_defaults  # noqa: PLC0415
    from archive_store.crawl.session import ArchiveSession  # noqa: PLC0415
    from pipelines.extraction.version import EXTRACTOR_VERSION  # noqa: PLC0415
    from pipelines.reextract import reextract, reextract_documents  # noqa: PLC0415
    from sourcekeeper.jobs.runner import build_settings  # noqa: PLC0415

    require_archive(args)
    settings = build_settings(args.archive, overrides(args), extract=True, log_level=log_level(args))
    apply_defaults(settings)  # what the archive add-on does for a crawl (WARC prefix, sizes …)
    session = ArchiveSession(settings)
    reason = "failed"
    try:
        session.open_run("reextract", {"command": "reextract", "extractor_version": EXTRACTOR_VERSION})
        summary = reextract(session, force=args.all)
        reextract_documents(session, summary, settings, force=args.all)  # their text (docs/documents.md)
        reason = "finished"
    finally:
        run_summary = session.close(reason)
    data = {**summary.to_json(), "run": run_summary["run"], "files": run_summary["files"]}
    if args.json:
        print(json_line(data))
    elif not args.quiet:
        err(
            f"reextract (extractor version {EXTRACTOR_VERSION}): {summary.examined} captures, "
            f"{summary.reextracted} re-extracted, {summary.up_to_date} already current, "
            f"{summary.skipped} skipped; documents: {summary.documents_read} read, "
            f"{summary.documents_current} already current"
        )
        for change in summary.changed_state:
            err(f"  state {change['from']} → {change['to']}: {shown(change['url'])}")
    return 0 if run_summary.get("write_error") is None else 1
