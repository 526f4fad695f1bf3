"""`sourcekeeper recover URL…`: copies of gone sources from public web archives (Memento TimeMaps,
Wayback CDX API), kept as third-party copies beside our own captures, never mistaken for them.

Prints per URL what the archives hold and what was stored (JSON: one object for the run);
exit 1 when an endpoint failed or a memento could not be stored."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sourcekeeper.options import UsageError, err, log_level, overrides
from sourcekeeper.printable import json_line
from sourcekeeper.urltext import did_you_mean, shown


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("recover", help="copies of gone sources from public web archives")
    parser.add_argument("urls", nargs="+", metavar="URL")
    parser.add_argument(
        "--endpoint",
        action="append",
        default=[],
        metavar="PREFIX",
        help="TimeMap prefix (or cdx:CDX|REPLAY) to ask instead of ARCHIVE_MEMENTO_ENDPOINTS; repeatable",
    )
    parser.add_argument("--no-extract", action="store_true", help="store only, extract no text")
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sourcekeeper.jobs.recover import recover_ok, recover_urls  # noqa: PLC0415

    bad = [u for u in args.urls if not u.lower().startswith(("http://", "https://"))]
    if bad:
        raise UsageError(f"not an http(s) URL: {', '.join(u + did_you_mean(u) for u in bad)}")
    settings = overrides(args)
    if args.endpoint:
        settings["ARCHIVE_MEMENTO_ENDPOINTS"] = ",".join(args.endpoint)
    summary = recover_urls(
        args.archive, list(args.urls), settings, extract=not args.no_extract, log_level=log_level(args)
    )
    if args.json:
        print(json_line(summary))
    if not args.quiet or not recover_ok(summary):
        print_summary(summary)
    return 0 if recover_ok(summary) else 1


def print_summary(summary: dict[str, Any]) -> None:
    for entry in summary["urls"]:
        err(
            f"recover {shown(entry['url'])}: {entry['mementos_found']} memento(s) found, "
            f"{entry['already_held']} already held, {len(entry['stored'])} stored as third-party copies"
        )
        for url in entry["stored"]:
            err(f"  stored {shown(url)}")
        for url in entry["failed"]:
            err(f"  not stored: {shown(url)}")
        for problem in entry["problems"]:
            err(f"  problem: {problem}")
    for failure in summary["failures"]:
        err(f"  failed: {shown(failure['url'])} — {failure['reason']}")
