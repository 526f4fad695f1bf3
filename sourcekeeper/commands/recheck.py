"""`sourcekeeper recheck [URL ...] [--older-than AGE] [--json]`: has a cited source changed,
disappeared or been walled off? One state per URL: unchanged, changed, removed, restored (back
after a confirmed removal), gone (never captured with content), blocked, unreachable.

Exit 0, or 3 when new removals were found (1 on archive errors, 2 usage, 75 locked). A restoration
leaves the exit code alone: 3 asks a person to secure evidence of a takedown, which a source that
came back does not need (it is printed, counted, and in the JSON lines and the run summary).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sourcekeeper.exitcodes import ExitCode
from sourcekeeper.jobs.archive import summary_ok
from sourcekeeper.jobs.recover_option import add_recover_option
from sourcekeeper.jobs.unattended import (
    add_log_format_option,
    crawl_output_settings,
    emit_json,
    parse_age,
)
from sourcekeeper.options import UsageError, log_level, overrides, require_archive
from sourcekeeper.options_render import add_render_options
from sourcekeeper.printable import json_line, printable, say
from sourcekeeper.proxy_option import add_proxy_option
from sourcekeeper.urltext import shown

if TYPE_CHECKING:
    from sourcekeeper.jobs.recheck import RecheckResult

_ORDER = ("removed", "restored", "gone", "blocked", "unreachable", "changed", "unchanged")


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser(
        "recheck",
        help="re-fetch archived URLs and record unchanged/changed/removed/restored/gone/blocked/unreachable",
    )
    parser.add_argument(
        "urls",
        nargs="*",
        metavar="URL",
        help="default: every monitored source (seeds, citations, profile pages, `import --monitor`)",
    )
    parser.add_argument(
        "--older-than",
        type=parse_age,
        metavar="AGE",
        help="only URLs not fetched within AGE (e.g. 12h, 7d, 2w)",
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="check every URL, also those an unfinished (killed) re-check run today already checked",
    )
    parser.add_argument(
        "--notify",
        action="append",
        metavar="URL",
        help="send one alert per run with new removals, changes, quote changes and restorations to "
        "this Apprise URL (mailto://…, json://host:port/path, matrix://…); may be repeated; also "
        "`notify = [...]` in sourcekeeper.toml",
    )
    add_log_format_option(parser)
    add_render_options(parser)
    add_recover_option(parser)  # issue 17
    add_proxy_option(parser, fallback=True)
    add_common_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sourcekeeper.jobs.recheck import NotArchived, recheck_archive  # noqa: PLC0415

    require_archive(args)
    crawl_settings = crawl_output_settings(args, overrides(args))
    try:
        result = recheck_archive(
            args.archive,
            args.urls,
            crawl_settings,
            older_than=args.older_than,
            log_level=log_level(args),
            again=args.again,
        )
    except NotArchived as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        for event in result.events:
            print(json_line(event), flush=True)
    if args.log_format == "json":
        level = "WARNING" if result.new_removals else "INFO"
        if level == "WARNING" or not args.quiet:
            emit_json("recheck_finished", level, run=_run(result), **result.counts)
    elif args.quiet:
        _print_new_removals(result)
    else:
        _print_human(result, with_lines=not args.json)
    _alert(args, result)  # a failed alert is logged; it changes no exit code
    recovered = _recover(args, result)
    if (result.summary is not None and not summary_ok(result.summary)) or recovered != 0:
        return ExitCode.FAILED
    return ExitCode.NEW_REMOVALS if result.new_removals else ExitCode.OK


def _recover(args: argparse.Namespace, result: RecheckResult) -> int:
    """--recover: copies of what this re-check found removed or unreachable (issue 17)."""
    if not getattr(args, "recover", False):
        return 0
    from sourcekeeper.jobs.recover_option import run_recover  # noqa: PLC0415

    wanted = ("removed", "gone", "unreachable")
    return run_recover(args, [e["url"] for e in result.events if e["state"] in wanted])


def _alert(args: argparse.Namespace, result: RecheckResult) -> None:
    urls = [u for u in getattr(args, "notify", None) or [] if u.strip()]
    if not urls or result.summary is None:
        return
    from sourcekeeper.jobs.notify import build_alert, redact_url, send_alert  # noqa: PLC0415

    alert = build_alert(result.events, _run(result))
    if alert is None:
        return
    shown_urls = ", ".join(redact_url(u) for u in urls)
    if send_alert(urls, alert):
        if not args.quiet:
            print(f"  alert sent ({alert.sources} source(s)) to {shown_urls}", file=sys.stderr)
    else:
        print(f"  alert NOT delivered to every address ({shown_urls}); see the log above", file=sys.stderr)


def _run(result: RecheckResult) -> int | None:
    return result.summary.get("run") if result.summary else None


def summary_line(counts: dict[str, Any]) -> str:
    """ "3 removed (2 new), 1 restored, 1 blocked, 0 unreachable, 1 changed, 4 unchanged"."""
    # restored and gone are named when there are any (most runs have none)
    parts = [
        f"{counts.get(state, 0)} {state}"
        for state in _ORDER
        if counts.get(state, 0) or state not in ("restored", "gone")
    ]
    new = len(counts.get("new_removals", []))
    if new:
        parts[0] += f" ({new} new)"
    flapped = len(counts.get("flapped", []))
    if flapped:
        parts.append(f"{flapped} flapped")
    quotes = len(counts.get("quote_changes", []))
    if quotes:
        parts.append(f"{quotes} quote change(s)")
    return ", ".join(parts)


def _print_human(result: RecheckResult, *, with_lines: bool) -> None:
    from pipelines.extraction.textdiff import diff_lines  # noqa: PLC0415
    from sourcekeeper.jobs.recheck import quote_changed  # noqa: PLC0415
    from sourcekeeper.quotelines import change_line, quote_line  # noqa: PLC0415

    if result.summary is None:
        print("recheck: nothing to re-check (no archived URL is due)", file=sys.stderr)
        return
    if with_lines:
        for event in sorted(result.events, key=_event_order):
            print(event_line(event))
            for line in diff_lines(event["diff"] or {}):
                say(f"      {line}")
            for check in event.get("quotes") or []:  # a changed quote first names its old status
                say(f"      {change_line(check) if quote_changed(check) else 'quote ' + quote_line(check)}")
    print(f"recheck run {_run(result)}: {summary_line(result.counts)}", file=sys.stderr)
    if result.summary.get("continues"):
        runs = ", ".join(map(str, result.summary["continues"]))
        print(f"  continues unfinished run(s) {runs} (their events are counted here)", file=sys.stderr)
    if result.run_file is not None:
        print(f"  summary {result.run_file}", file=sys.stderr)


def _event_order(event: dict[str, Any]) -> tuple[int, int]:
    """By state (removals first); a stealth edit ahead of ordinary edits."""
    from pipelines.extraction.stealth import STEALTH_DETAIL  # noqa: PLC0415

    return _ORDER.index(event["state"]), 0 if event.get("detail") == STEALTH_DETAIL else 1


def event_line(event: dict[str, Any]) -> str:
    from pipelines.extraction.stealth import STEALTH_DETAIL  # noqa: PLC0415

    flags = " NEW" if event["new_removal"] else " FLAPPED" if event["flapped"] else ""
    if event.get("detail") == STEALTH_DETAIL:
        flags += " STEALTH EDIT"
    if event.get("gone"):
        flags += f" (gone for {event['gone']['gone_for']})"
    url, reason = printable(shown(event["url"]), one_line=True), printable(event["reason"], one_line=True)
    return f"{event['state']:<11} {url}{flags}\n      {reason}"


def _print_new_removals(result: RecheckResult) -> None:
    """--quiet (cron): silent unless something needs a person — a newly removed source."""
    for event in result.events:
        if event["new_removal"]:
            say(f"removed: {shown(event['url'])} — {event['reason']}", file=sys.stderr)
