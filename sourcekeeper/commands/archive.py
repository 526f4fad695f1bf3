"""`sourcekeeper archive [URL ...] [--seeds FILE ...] [--from-report FILE|URL] [--no-extract] [--list]`:
capture pages and the documents they link to, and say what became of each seed (captured,
redirected to …, gone at first fetch, refused, failed). Exit 1 when something failed or a seed was
gone (404/410, or a page saying so)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sourcekeeper.jobs.archive import crawl_urls, report_summary, summary_ok
from sourcekeeper.jobs.recover_option import add_recover_option
from sourcekeeper.jobs.unattended import add_log_format_option, crawl_output_settings, emit_json
from sourcekeeper.options import (
    UsageError,
    add_seeds_option,
    add_tsa_option,
    check_seed_files,
    log_level,
    overrides,
)
from sourcekeeper.options_render import add_render_options
from sourcekeeper.proxy_option import add_proxy_option


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("archive", help="capture URLs and the documents they link to")
    parser.add_argument("urls", nargs="*", metavar="URL")
    add_seeds_option(parser)
    parser.add_argument(
        "--quotes",
        action="append",
        metavar="FILE",
        help="URL<TAB>quoted passage per line: each URL is archived and the passage looked for in "
        'its capture (also `URL  "passage"` in a seed file); may be given more than once',
    )
    parser.add_argument("--no-extract", action="store_true", help="capture only; skip text extraction")
    parser.add_argument(
        "--list",
        action="store_true",
        help="one verdict line per seed however many there are (by default up to 50 seeds; beyond "
        "that only the seeds not captured are named)",
    )
    parser.add_argument(
        "--from-report",
        metavar="FILE|URL",
        help="archive every link an HTML/Markdown/PDF/DOCX report cites (and a report URL itself); "
        "writes citations/citations-<report>.json and .csv",
    )
    add_log_format_option(parser)
    add_tsa_option(parser)
    add_render_options(parser)
    add_recover_option(parser)  # issue 17
    add_proxy_option(parser)
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    crawl_settings = crawl_output_settings(args, overrides(args))  # progress bar, JSON log lines
    if getattr(args, "from_report", None):
        from sourcekeeper.jobs.report import archive_from_report_cli  # noqa: PLC0415

        return archive_from_report_cli(args, crawl_settings, log_level(args))
    if not args.urls and not args.seeds and not args.quotes:
        raise UsageError("give at least one URL, --seeds FILE, --quotes FILE or --from-report FILE|URL")
    summary = crawl_urls(
        args.archive,
        args.urls,
        check_seed_files(args.seeds),
        crawl_settings,
        extract=not args.no_extract,
        log_level=log_level(args),
        quotes=check_seed_files(args.quotes),
    )
    if getattr(args, "log_format", "text") == "json":
        if not (args.quiet and summary_ok(summary)):
            emit_json("archive_finished", "INFO" if summary_ok(summary) else "ERROR", **summary)
    else:
        report_summary(
            summary,
            as_json=args.json,
            quiet=args.quiet,
            list_seeds=args.list,
            recover_hint=not getattr(args, "recover", False),
        )
    code = 0 if summary_ok(summary) else 1
    from sourcekeeper.jobs.push import push_after_archive  # noqa: PLC0415
    from sourcekeeper.options import db_url  # noqa: PLC0415

    push_after_archive(args, overrides(args), db_url(args), list(args.urls))  # issue 17: off by default
    if getattr(args, "recover", False):  # issue 17: copies of the gone ones from public archives
        from sourcekeeper.jobs.recover_option import gone_seeds, run_recover  # noqa: PLC0415

        seeds = [*args.urls, *(f["url"] for f in summary["failures"])]
        if run_recover(args, gone_seeds(args.archive, db_url(args), seeds)) != 0:
            code = 1
    return code
