"""`sourcekeeper crawl PROFILE [--since DATE] [--max-pages N]`: archive a government column (a
listing with pagination) as a site profile describes it, incrementally.

Exit 0; 1 when something could not be fetched or archived; 2 for a bad profile or option; 75 locked.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcekeeper.jobs.archive import report_summary, summary_ok
from sourcekeeper.jobs.unattended import add_log_format_option, crawl_output_settings, emit_json
from sourcekeeper.options import WHEN_HELP, UsageError, err, log_level, overrides, when_value
from sourcekeeper.options_render import add_render_options
from sourcekeeper.printable import json_line
from sourcekeeper.proxy_option import add_proxy_option


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser(
        "crawl", help="run a site profile (a gov column listing with pagination), incrementally"
    )
    parser.add_argument("profile", type=Path, metavar="PROFILE", help="a profile TOML file (see profiles/)")
    parser.add_argument(
        "--since", type=when_value, metavar="WHEN", help=f"skip notices dated before WHEN: {WHEN_HELP}"
    )
    parser.add_argument("--until", type=when_value, metavar="WHEN", help="skip notices dated after WHEN")
    parser.add_argument("--max-pages", type=_pages, metavar="N", help="walk at most N listing pages")
    parser.add_argument(
        "--full",
        action="store_true",
        help="walk every listing page even where the notices are already archived (backfill)",
    )
    parser.add_argument("--base", metavar="URL", help="value of {base} in the profile's start_url")
    parser.add_argument("--no-extract", action="store_true", help="capture only; skip text extraction")
    add_log_format_option(parser)
    add_render_options(parser)
    add_proxy_option(parser)
    add_common_options(parser)
    parser.set_defaults(func=run)


def _pages(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of pages (1 or more), got {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from scrapers.profiles import ProfileError  # noqa: PLC0415
    from sourcekeeper.jobs.crawl import crawl_profile, listing_line  # noqa: PLC0415

    try:
        summary = crawl_profile(
            args.archive,
            args.profile,
            args.since.start.date() if args.since else None,  # notices carry dates: the days WHEN spans
            args.max_pages,
            crawl_output_settings(args, overrides(args)),  # progress bar, JSON log lines
            log_level(args),
            until=args.until.last.date() if args.until else None,
            full=args.full,
            variables={"base": args.base} if args.base else None,
            extract=not args.no_extract,
        )
    except ProfileError as exc:
        raise UsageError(f"bad profile: {exc}") from exc
    if args.json:
        print(json_line(summary))
    if args.log_format == "json":
        if not (args.quiet and summary_ok(summary)):
            emit_json("crawl_finished", "INFO" if summary_ok(summary) else "ERROR", **summary)
        return 0 if summary_ok(summary) else 1
    report_summary(summary, quiet=args.quiet)
    if not args.quiet:
        err(listing_line(summary["listing"]))
    return 0 if summary_ok(summary) else 1
