"""`sourcekeeper show URL [--at TIME] [--json|--text|--raw]`: a capture of a URL, by default the
latest good one (falls back to the latest capture when none is good)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from archive_store.layout import WARCS_DIR
from sourcekeeper.jobs.show import SHOW_FIELDS, capture_fields, third_party_line
from sourcekeeper.options import UsageError, db_url, err, require_archive
from sourcekeeper.printable import json_line, printable, say


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("show", help="show a capture of a URL (latest good one by default)")
    parser.add_argument("url", metavar="URL")
    parser.add_argument("--at", metavar="TIME", help="capture as of TIME (ISO date/time or 14-digit)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--text", action="store_true", help="print only the extracted text")
    output.add_argument("--raw", action="store_true", help="write the HTTP response exactly as archived")
    output.add_argument("--screenshot", action="store_true", help="write the page's stored PNG screenshot")
    output.add_argument("--pdf", action="store_true", help="write the page's stored A4 PDF")
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.index.lookup import find_capture, parse_time  # noqa: PLC0415

    require_archive(args)
    at = None
    if args.at:
        try:
            at = parse_time(args.at)
        except ValueError as exc:
            raise UsageError(f"--at: not a time: {args.at!r}") from exc
    index = ArchiveIndex(db_url(args), create=False)
    try:
        capture = find_capture(index, args.url, at)
        if capture is None:
            when = f" at or before {args.at}" if args.at else ""
            err(f"sourcekeeper show: no capture of {args.url}{when} in {args.archive}")
            return 1
        if getattr(args, "screenshot", False) or getattr(args, "pdf", False):
            from sourcekeeper.jobs.show_snapshot import write_snapshot  # noqa: PLC0415

            return write_snapshot(index, args, capture)
        from archive_store.index.notmodified import vouched_note, vouched_original  # noqa: PLC0415

        original = vouched_original(index, capture)  # a 304 revisit: the page it vouched for
        if original is not None and (args.raw or args.text) and not args.quiet:
            err(vouched_note(capture, original))
        if args.raw:
            from archive_store.storage.reader import load_capture  # noqa: PLC0415

            loaded = load_capture(index, args.archive / WARCS_DIR, original or capture)
            sys.stdout.buffer.write(loaded.record.block)
            return 0
        fields = capture_fields(index, capture)
        if original is not None:
            fields["not_modified_of"] = {
                "record_id": original.record_id,
                "captured_at": original.captured_at.isoformat() + "Z",
            }
    finally:
        index.close()
    if args.text:
        say(fields["text"])
    elif args.json:
        print(json_line(fields))
    else:
        for name in SHOW_FIELDS:
            if name != "text":
                value = fields[name] if fields[name] is not None else ""
                print(f"{name:15} {printable(value, one_line=True)}")
        if fields["origin"] != "own":  # never to be mistaken for what we saw
            print(f"{'origin':15} {printable(third_party_line(fields), one_line=True)}")
        for cited in fields["cited_by"]:
            note = f" [{cited['footnote']}]" if cited["footnote"] else ""
            say(
                f"{'cited by':15} {printable(cited['report'], one_line=True)}{note} “{cited['anchor'] or ''}”"
            )
        if fields["text"]:
            say("\n" + fields["text"])
    return 0
