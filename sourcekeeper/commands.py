"""The subcommands: argument checks, one library call each, and what the user sees.

Each command imports the library it calls when it runs (the CLI imports this module for every
command, and e.g. `verify` pulls in Scrapy and Twisted that `show` does not need)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive_store.lock import ArchiveLock

from .runner import build_settings, run_spider
from .unattended import crawl_output_settings, emit_json, enable_progress, write_run_file

if TYPE_CHECKING:
    from archive_store.index import ArchiveIndex


class UsageError(Exception):
    """Bad arguments or configuration (exit code 2)."""


def _log_level(args: argparse.Namespace) -> str:
    if getattr(args, "verbose", False):
        return "INFO"
    return "ERROR" if getattr(args, "quiet", False) else "WARNING"


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    overrides = dict(args.settings)
    if args.db:
        overrides["ARCHIVE_DB_URL"] = args.db
    return overrides


def _db_url(args: argparse.Namespace) -> str:
    from archive_store.index import default_db_url  # noqa: PLC0415

    return str(args.db or default_db_url(args.archive))


def _err(text: str) -> None:
    print(text, file=sys.stderr)


# archive -------------------------------------------------------------------------------------
def archive(args: argparse.Namespace) -> int:
    overrides = crawl_output_settings(args, _overrides(args))  # progress bar, JSON log lines
    if getattr(args, "from_report", None):
        from .report_run import archive_from_report_cli  # noqa: PLC0415

        return archive_from_report_cli(args, overrides, _log_level(args))
    if not args.urls and not args.seeds:
        raise UsageError("give at least one URL, --seeds FILE or --from-report FILE|URL")
    if args.seeds and not Path(args.seeds).is_file():
        raise UsageError(f"seed file not found: {args.seeds}")
    summary = crawl_urls(
        args.archive,
        args.urls,
        args.seeds,
        overrides,
        extract=not args.no_extract,
        log_level=_log_level(args),
    )
    if getattr(args, "log_format", "text") == "json":
        if not (args.quiet and summary_ok(summary)):
            emit_json("archive_finished", "INFO" if summary_ok(summary) else "ERROR", **summary)
    else:
        report_summary(summary, as_json=args.json, quiet=args.quiet)
    code = 0 if summary_ok(summary) else 1
    if getattr(args, "recover", False):  # issue 17: copies of the gone ones from public archives
        from .recover_option import gone_seeds, run_recover  # noqa: PLC0415

        seeds = [*args.urls, *(f["url"] for f in summary["failures"])]
        if run_recover(args, gone_seeds(args.archive, _db_url(args), seeds)) != 0:
            code = 1
    return code


def crawl_urls(
    archive_dir: Path,
    urls: list[str],
    seeds: str | None,
    overrides: dict[str, str],
    *,
    extract: bool = True,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Library entry point of `archive`: capture the URLs into `archive_dir`, return the summary."""
    from scrapers.urls import UrlsSpider  # noqa: PLC0415

    with ArchiveLock(archive_dir):  # fail fast with a clear message before Scrapy starts
        settings = build_settings(archive_dir, overrides, extract=extract, log_level=log_level)
        enable_progress(settings)
        summary = run_spider(UrlsSpider, settings, urls=list(urls), seeds=seeds)
        write_run_file(archive_dir, summary, kind="archive")  # runs/<run id>.json
        return summary


def summary_ok(summary: dict[str, Any]) -> bool:
    return not summary["failed"] and not summary.get("write_error")


def report_summary(summary: dict[str, Any], *, as_json: bool = False, quiet: bool = False) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    if quiet and summary_ok(summary):
        return
    _err(
        f"run {summary['run']} ({summary['reason']}): {summary['captured']} captured, "
        f"{summary['revisits']} revisits, {summary['truncated']} truncated, {summary['failed']} failed"
    )
    for failure in summary["failures"]:
        _err(f"  failed: {failure['url']} — {failure['reason']}")
    if summary.get("write_error"):
        _err(f"  archive write error: {summary['write_error']}")
    for name in summary["files"]:
        _err(f"  wrote {Path(summary['archive']) / 'warcs' / name}")
    index = str(summary.get("index") or "").removeprefix("sqlite:///")
    _err(f"  index {index or Path(summary['archive']) / 'index.sqlite3'}")


# show ----------------------------------------------------------------------------------------
SHOW_FIELDS = (
    "url",
    "captured_at",
    "http_status",
    "state",
    "title",
    "date",
    "source",
    "author",
    "site",
    "text",
    "charset",
    "warc_file",
    "warc_offset",
    "warc_length",
    "record_id",
    "payload_digest",
)


def _require_archive(args: argparse.Namespace) -> None:
    if not (args.archive / "index.sqlite3").exists() and not args.db:
        raise UsageError(f"no archive at {args.archive} (use --archive DIR)")


def show(args: argparse.Namespace) -> int:
    from archive_store.index import ArchiveIndex  # noqa: PLC0415
    from archive_store.lookup import find_capture, parse_time  # noqa: PLC0415

    _require_archive(args)
    at = None
    if args.at:
        try:
            at = parse_time(args.at)
        except ValueError as exc:
            raise UsageError(f"--at: not a time: {args.at!r}") from exc
    index = ArchiveIndex(_db_url(args), create=False)
    try:
        capture = find_capture(index, args.url, at)
        if capture is None:
            when = f" at or before {args.at}" if args.at else ""
            _err(f"sourcekeeper show: no capture of {args.url}{when} in {args.archive}")
            return 1
        from archive_store.notmodified import vouched_note, vouched_original  # noqa: PLC0415

        original = vouched_original(index, capture)  # a 304 revisit: the page it vouched for
        if original is not None and (args.raw or args.text) and not args.quiet:
            _err(vouched_note(capture, original))
        if args.raw:
            from archive_store.reader import load_capture  # noqa: PLC0415

            loaded = load_capture(index, args.archive / "warcs", original or capture)
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
        print(fields["text"])
    elif args.json:
        print(json.dumps(fields, ensure_ascii=False))
    else:
        for name in SHOW_FIELDS:
            if name != "text":
                print(f"{name:15} {fields[name] if fields[name] is not None else ''}")
        if fields["origin"] != "own":  # never to be mistaken for what we saw
            print(f"{'origin':15} {third_party_line(fields)}")
        for cited in fields["cited_by"]:
            note = f" [{cited['footnote']}]" if cited["footnote"] else ""
            print(f"{'cited by':15} {cited['report']}{note} “{cited['anchor'] or ''}”")
        if fields["text"]:
            print("\n" + fields["text"])
    return 0


def capture_fields(index: ArchiveIndex, capture: Any) -> dict[str, Any]:
    from archive_store.citations import cited_by_json  # noqa: PLC0415
    from archive_store.origins import origin_of  # noqa: PLC0415

    page = index.page_for(capture.id)
    return {
        "url": capture.url,
        "captured_at": capture.captured_at.isoformat() + "Z",
        "http_status": capture.http_status,
        "state": capture.state,
        "title": page.title if page else None,
        "date": page.date if page else None,
        "source": page.source if page else None,
        "author": page.author if page else None,
        "site": page.site if page else None,
        "text": page.text if page else "",
        "charset": page.charset if page else None,
        "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset,
        "warc_length": capture.warc_length,
        "record_id": capture.record_id,
        "payload_digest": capture.payload_digest,
        "record_type": capture.record_type,
        "truncated": capture.truncated,
        "cited_by": cited_by_json(index, capture.url),  # reports citing the URL (--from-report)
        **origin_of(index, capture.id),  # own, or a third party's copy (import, recover)
    }


def third_party_line(fields: dict[str, Any]) -> str:
    if fields.get("origin_via") == "import":
        source = fields.get("imported_from") or {}
        return f"third-party copy, imported from {source.get('file')} (sha256 {source.get('sha256')})"
    return (
        f"third-party copy from {fields.get('memento_archive')}: memento {fields.get('memento_url')} "
        f"of {fields.get('memento_datetime')}"
    )


# search --------------------------------------------------------------------------------------
def search(args: argparse.Namespace) -> int:
    from archive_store.index import ArchiveIndex  # noqa: PLC0415
    from archive_store.search import search as run_search  # noqa: PLC0415

    _require_archive(args)
    if not args.query.strip():
        raise UsageError("give a search term")
    index = ArchiveIndex(_db_url(args))  # create=True: adds the search index to older archives
    try:
        hits = run_search(index, args.query, limit=args.limit)
    finally:
        index.close()
    for hit in hits:
        if args.json:
            print(json.dumps(hit.to_json(), ensure_ascii=False))
        else:
            print(f"{hit.date or '----------'}  {hit.title or '(no title)'}\n  {hit.url}\n  {hit.snippet}\n")
    if not args.quiet and not args.json:
        _err(f"{len(hits)} page(s) contain {args.query!r}")
    return 0


# verify --------------------------------------------------------------------------------------
def verify(args: argparse.Namespace) -> int:
    from archive_store.verify import verify_archive  # noqa: PLC0415

    if not args.archive.is_dir():
        raise UsageError(f"no archive at {args.archive}")
    report = verify_archive(args.archive, args.db)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "files": report.files_checked,
                    "captures": report.captures_checked,
                    "problems": report.problems,
                },
                ensure_ascii=False,
            )
        )
    for problem in report.problems:
        _err(problem)
    if not args.quiet:
        verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        _err(
            f"verify {args.archive}: {report.files_checked} WARC files, "
            f"{report.captures_checked} captures: {verdict}"
        )
    return 0 if report.ok else 1


# demo ----------------------------------------------------------------------------------------
def demo(args: argparse.Namespace) -> int:
    from .demo_run import run_demo  # noqa: PLC0415

    return run_demo(
        args.archive or Path("demo-archive"),
        _overrides(args),
        keep=args.keep,
        log_level=_log_level(args),
    )
