"""`sourcekeeper history URL [--json]`: every capture and re-check event of a URL, oldest first,
and the reports that cite it.

JSON lines, each with "kind": "capture" (when, status, state, record), "recheck" (one re-check
event, as `recheck --json` prints it, plus "state_change"; a `restored` one has "gone": since when
and for how long the source was gone) or "cited" (a report citing the URL;
how it cites it — footnote, source, link, bare — is "cited_as").
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sourcekeeper.options import UsageError, db_url, err, require_archive
from sourcekeeper.printable import json_line, printable
from sourcekeeper.urltext import did_you_mean, shown

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("history", help="every capture and re-check of a URL, oldest first")
    parser.add_argument("url", metavar="URL")
    add_common_options(parser)
    parser.set_defaults(func=run)


def url_history(index: ArchiveIndex, url: str) -> list[dict[str, Any]]:
    """The timeline of one URL: captures, re-check events and citing reports, oldest first."""
    from archive_store.export.citations import cited_by_json  # noqa: PLC0415
    from archive_store.index.events import capture_ref  # noqa: PLC0415
    from archive_store.index.lookup import url_variants  # noqa: PLC0415
    from archive_store.index.origins import origin_json, origins_for, recovered_captures  # noqa: PLC0415

    spellings = url_variants(url)
    entries: list[dict[str, Any]] = []
    recovered = recovered_captures(index, spellings)  # mementos of it, under their own URLs
    for spelling in [*spellings, None]:
        captures = index.captures_for(spelling) if spelling is not None else recovered
        origins = origins_for(index, (c.id for c in captures))
        for capture in captures:
            ref = capture_ref(capture) or {}
            page = index.page_for(capture.id)
            entries.append(
                {
                    "kind": "capture",
                    "time": ref["captured_at"],
                    "capture_id": capture.id,  # what `diff --from/--to #ID` takes
                    **ref,
                    "state_reason": capture.state_reason,
                    "payload_digest": capture.payload_digest,
                    "run": capture.run_id,
                    "title": page.title if page else None,
                    **origin_json(origins.get(capture.id)),  # own, or a third party's copy
                }
            )
    entries += _events(index, spellings)
    for cited in cited_by_json(index, url):  # "kind" of a citation (footnote, source…) is "cited_as"
        entries.append({**cited, "kind": "cited", "cited_as": cited["kind"], "time": cited["added_at"]})
    order = {"cited": 0, "capture": 1, "recheck": 2}
    return sorted(entries, key=lambda e: (datetime.fromisoformat(e["time"].rstrip("Z")), order[e["kind"]]))


def _events(index: ArchiveIndex, spellings: list[str]) -> list[dict[str, Any]]:
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    from archive_store.index.events import event_json, events_for, referenced_captures  # noqa: PLC0415

    try:
        events = events_for(index, spellings)
    except OperationalError:  # an archive never re-checked: no events table yet
        return []
    captures = referenced_captures(index, events)
    entries, previous = [], None
    for event in events:
        entry = {"kind": "recheck", "time": event.checked_at.isoformat() + "Z", **event_json(event, captures)}
        entry["state_change"] = event.state != previous and not (
            previous is None and event.state == "unchanged"
        )
        previous = event.state
        entries.append(entry)
    return entries


def run(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415

    require_archive(args)
    if not args.url.strip():
        raise UsageError("give a URL")
    index = ArchiveIndex(db_url(args), create=False)
    try:
        entries = url_history(index, args.url)
        hint = "" if entries else did_you_mean(args.url, lambda url: bool(url_history(index, url)))
    finally:
        index.close()
    if not entries:
        err(f"sourcekeeper history: nothing about {args.url} in {args.archive}{hint}")
        return 1
    for entry in entries:
        print(json_line(entry) if args.json else printable(history_line(entry), one_line=True))
    return 0


def history_line(entry: dict[str, Any]) -> str:
    when = entry["time"][:19].replace("T", " ")
    if entry["kind"] == "cited":
        note = f" [{entry['footnote']}]" if entry["footnote"] else ""
        return f"{when}  cited     by {entry['report']}{note} “{entry['anchor'] or ''}”"
    if entry["kind"] == "capture":
        where = f"{entry['warc_file']}@{entry['warc_offset']}"
        if entry.get("origin", "own") != "own":  # never to be mistaken for what we saw
            source = shown(entry.get("memento_url")) or (entry.get("imported_from") or {}).get("file")
            dated = f" of {entry['memento_datetime']}" if entry.get("memento_datetime") else ""
            where += f"  THIRD-PARTY copy ({entry.get('origin_via')}{dated}: {source})"
        return (
            f"{when}  capture   {entry['http_status']} {entry['state']:<24} {entry['record_type']:<8} "
            f"{shown(entry['url'])}  {where}"
        )
    marks = " NEW REMOVAL" if entry["new_removal"] else " (flapped)" if entry["flapped"] else ""
    if entry.get("gone"):  # restored: back after a confirmed removal
        marks += f" (gone for {entry['gone']['gone_for']}, since {entry['gone']['gone_since'][:19]}Z)"
    change = "state → " if entry["state_change"] else ""
    return f"{when}  recheck   {change}{entry['state']}{marks}: {entry['reason']}"
