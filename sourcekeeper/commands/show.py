"""`sourcekeeper show URL [--at TIME] [--json|--text|--raw]`: a capture of a URL, by default the
latest good one (falls back to the latest capture when none is good)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive_store.layout import WARCS_DIR
from sourcekeeper.jobs.show import (
    DOCUMENT_FIELDS,
    SHOW_FIELDS,
    capture_fields,
    document_lines,
    third_party_line,
)
from sourcekeeper.options import WHEN_HELP, db_url, err, require_archive, when_value
from sourcekeeper.printable import json_line, printable, say
from sourcekeeper.urltext import did_you_mean, shown


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("show", help="show a capture of a URL (latest good one by default)")
    parser.add_argument("url", metavar="URL")
    parser.add_argument(
        "--at", type=when_value, metavar="WHEN", help=f"the capture as of the end of WHEN: {WHEN_HELP}"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--text", action="store_true", help="print only the extracted text")
    output.add_argument("--raw", action="store_true", help="write the HTTP response exactly as archived")
    output.add_argument("--screenshot", action="store_true", help="write the page's stored PNG screenshot")
    output.add_argument("--pdf", action="store_true", help="write the page's stored A4 PDF")
    output.add_argument(
        "--quotes",
        action="store_true",
        help="each passage quoted for this source: present, altered (closest sentence and diff) or missing",
    )
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.index.lookup import find_capture  # noqa: PLC0415

    require_archive(args)
    at = args.at.last if args.at else None  # a bare date: as of the end of that day (UTC)
    index = ArchiveIndex(db_url(args), create=False)
    try:
        if getattr(args, "quotes", False):
            return show_quotes(index, args)
        capture = find_capture(index, args.url, at)
        if capture is None:
            when = f" at or before {args.at.text}" if args.at else ""
            hint = did_you_mean(args.url, lambda url: find_capture(index, url, at) is not None)
            err(f"sourcekeeper show: no capture of {args.url}{when} in {args.archive}{hint}")
            return 1
        if getattr(args, "screenshot", False) or getattr(args, "pdf", False):
            from sourcekeeper.jobs.show_snapshot import write_snapshot  # noqa: PLC0415

            return write_snapshot(index, args, capture)
        from archive_store.index.notmodified import vouched_note, vouched_original  # noqa: PLC0415

        original = vouched_original(index, capture)  # a 304 revisit: the page it vouched for
        if original is not None and (args.raw or args.text) and not args.quiet:
            err(vouched_note(capture, original))
        if args.raw:
            return write_raw(index, args.archive / WARCS_DIR, original or capture)
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
                value = shown(value) if name == "url" and value else value
                print(f"{name:15} {printable(value, one_line=True)}")
        if fields["kind"] == "document":
            for name in DOCUMENT_FIELDS:
                if fields[name] is not None:
                    print(f"{name:15} {printable(fields[name], one_line=True)}")
        for label, value in document_lines(fields):  # identity, linking page, a page's documents
            say(f"{label:15} {printable(value, one_line=True)}")
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


def show_quotes(index: Any, args: argparse.Namespace) -> int:
    """`show URL --quotes`: each quoted passage as the last check found it (1: none registered)."""
    from archive_store.index.quotes import quotes_json  # noqa: PLC0415
    from sourcekeeper.quotelines import quote_line  # noqa: PLC0415

    found = quotes_json(index, args.url)
    if args.json:
        print(json_line({"url": args.url, "quotes": found}))
    for check in [] if args.json else found:
        say(f"{check['status']:<8} {quote_line(check)}")
        first = check.get("first")
        if first and first["status"] != check["status"]:
            say(f"{'':8}   first checked {first['checked_at']}: {first['status']}")
        say(f"{'':8}   checked {check['checked_at']}, record {check['record_id'] or '-'}")
    if not found:
        err(f"sourcekeeper show: no quoted passage is registered for {args.url}")
        return 1
    return 0


def write_raw(index: Any, warc_dir: Path, capture: Any) -> int:
    """The stored HTTP message to stdout: streamed from a local WARC (a 1 GiB video never whole
    in memory), else read from the store (S3) in one piece."""
    from archive_store.warc.members import BrokenMember, stream_record  # noqa: PLC0415

    local = warc_dir / capture.warc_file
    if not local.exists():
        from archive_store.storage.reader import load_capture  # noqa: PLC0415

        sys.stdout.buffer.write(load_capture(index, warc_dir, capture).record.block)
        return 0
    try:
        _record, block = stream_record(local, capture.warc_offset, capture.warc_length)
        for piece in block:
            sys.stdout.buffer.write(piece)
    except (BrokenMember, ValueError) as exc:
        err(f"sourcekeeper show: the stored record of {capture.url} is damaged ({exc}); run `verify`")
        return 1
    return 0
