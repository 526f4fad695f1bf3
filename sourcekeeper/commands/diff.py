"""`sourcekeeper diff URL [--from WHEN] [--to WHEN] [--json] [--html FILE] [--images DIR]`: what
changed between two captures of a URL — sentences (Chinese-aware, moves shown), title, dates,
文号 and issuer, links, documents, screenshots. By default the two latest captures with different
content. Exit 0 (also when nothing changed), 2 when there is nothing to compare (unknown URL, one
capture only, a WHEN that names no capture)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcekeeper.options import UsageError, db_url, require_archive

WHEN = "a capture id (#12), a record id, or a WHEN: a date (the whole day, UTC), month, ISO time or timestamp"


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("diff", help="what changed between two captures of a URL")
    parser.add_argument("url", metavar="URL")
    parser.add_argument("--from", dest="from_when", metavar="WHEN", help=f"the earlier capture: {WHEN}")
    parser.add_argument(
        "--to", dest="to_when", metavar="WHEN", help="the later capture (default: the latest)"
    )
    parser.add_argument(
        "--html", metavar="FILE", type=Path, help="write a self-contained HTML page of the diff"
    )
    parser.add_argument(
        "--images",
        metavar="DIR",
        type=Path,
        help="write before.png, after.png and changes.png (rendered captures)",
    )
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.layout import WARCS_DIR  # noqa: PLC0415
    from sourcekeeper.changes.capturediff import diff_captures  # noqa: PLC0415
    from sourcekeeper.changes.model import DiffUnavailable  # noqa: PLC0415

    require_archive(args)
    if not args.url.strip():
        raise UsageError("give a URL")
    index = ArchiveIndex(db_url(args), create=False)
    try:
        diff = diff_captures(index, args.archive / WARCS_DIR, args.url, args.from_when, args.to_when)
    except DiffUnavailable as exc:
        raise UsageError(str(exc)) from None
    finally:
        index.close()
    return show(args, diff)


def show(args: argparse.Namespace, diff: Any) -> int:
    from sourcekeeper.changes.html import capture_diff_to_html  # noqa: PLC0415
    from sourcekeeper.changes.output import capture_diff_lines, capture_diff_to_json  # noqa: PLC0415
    from sourcekeeper.printable import json_line  # noqa: PLC0415

    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(capture_diff_to_html(diff), encoding="utf-8")
    if args.images and diff.visual is not None:
        args.images.mkdir(parents=True, exist_ok=True)
        for name, data in (("before", diff.visual.before_png), ("after", diff.visual.after_png)):
            (args.images / f"{name}.png").write_bytes(data)
        (args.images / "changes.png").write_bytes(diff.visual.marked_png)
    if args.json:
        print(json_line(capture_diff_to_json(diff)))
    elif not (args.quiet and args.html):
        for line in capture_diff_lines(diff, colour=sys.stdout.isatty()):
            print(line)
    if args.html and not args.quiet:
        print(f"diff page: {args.html}", file=sys.stderr)
    return 0
