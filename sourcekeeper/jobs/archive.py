"""`archive`: capture URLs (and what they link to) into an archive; the run summary and how it is shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive_store.crawl.medianotes import media_lines
from archive_store.layout import INDEX_NAME, WARCS_DIR
from archive_store.lock import ArchiveLock
from sourcekeeper.jobs.runner import build_settings, run_spider
from sourcekeeper.jobs.unattended import enable_progress, write_run_file
from sourcekeeper.options import err
from sourcekeeper.printable import json_line, printable
from sourcekeeper.urltext import shown

SEED_VERDICTS = ("captured", "redirected", "gone", "refused", "failed")  # archive_store.index.verdicts


def crawl_urls(
    archive_dir: Path,
    urls: list[str],
    seeds: list[str] | None,
    overrides: dict[str, str],
    *,
    extract: bool = True,
    log_level: str = "WARNING",
    quotes: list[str] | None = None,
) -> dict[str, Any]:
    """Library entry point of `archive`: capture the URLs into `archive_dir`, return the summary.
    `quotes`: files of URL<TAB>quoted passage (the URLs are seeds too)."""
    from scrapers.urls import UrlsSpider  # noqa: PLC0415

    with ArchiveLock(archive_dir):  # fail fast with a clear message before Scrapy starts
        settings = build_settings(archive_dir, overrides, extract=extract, log_level=log_level)
        enable_progress(settings)
        summary = run_spider(UrlsSpider, settings, urls=list(urls), seeds=seeds, quotes=quotes or None)
        add_seed_verdicts(archive_dir, overrides.get("ARCHIVE_DB_URL"), summary)
        write_run_file(archive_dir, summary, kind="archive")  # runs/<run id>.json
        return summary


# every seed's verdict is printed up to this many seeds (more: only those that went wrong; --list)
LIST_SEEDS_UP_TO = 50


def add_seed_verdicts(
    archive_dir: Path, db_url: str | None, summary: dict[str, Any], *, cited: bool = False
) -> None:
    """Each seed's verdict (`verdicts`) and their counts (`seeds`) into the run summary; `cited`:
    the run archived a report's citations, which are its seeds too."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from archive_store.index.database import ArchiveIndex, default_db_url  # noqa: PLC0415
    from archive_store.index.verdicts import count_verdicts, run_seeds, seed_verdicts  # noqa: PLC0415

    if summary.get("run") is None:
        return
    try:
        index = ArchiveIndex(db_url or default_db_url(archive_dir), create=False)
    except SQLAlchemyError:
        return  # the summary already names the index error
    try:
        seeds = run_seeds(index, summary["run"])
        if cited:
            from archive_store.export.citations import citations_of, reports_of_run  # noqa: PLC0415

            reports = reports_of_run(index, summary["run"])
            urls = [c.url for report in reports for c in citations_of(index, report.id)]
            seeds = list(dict.fromkeys([*seeds, *urls]))
        verdicts = seed_verdicts(index, archive_dir / WARCS_DIR, summary["run"], seeds)
        add_quote_checks(index, summary)
    except SQLAlchemyError as exc:
        summary.setdefault("write_error", f"could not read the seeds' verdicts: {exc}")
        return
    finally:
        index.close()
    summary["seeds"] = count_verdicts(verdicts)
    summary["verdicts"] = [v.to_json() for v in verdicts]


def add_quote_checks(index: Any, summary: dict[str, Any]) -> None:
    """The quoted passages this run looked for (`quotes`), each with what was found."""
    from archive_store.index.quotes import check_json, checks_of_run  # noqa: PLC0415

    checks = checks_of_run(index, summary["run"])
    if checks:
        summary["quotes"] = [check_json(row) for row in checks]


def summary_ok(summary: dict[str, Any]) -> bool:
    """Nothing failed, nothing failed to be written, and no seed was gone (exit code 1 otherwise)."""
    gone = (summary.get("seeds") or {}).get("gone", 0)
    return not summary["failed"] and not summary.get("write_error") and not gone


def report_summary(
    summary: dict[str, Any],
    *,
    as_json: bool = False,
    quiet: bool = False,
    list_seeds: bool = False,
    recover_hint: bool = True,
) -> None:
    if as_json:
        print(json_line(summary))
    if quiet and summary_ok(summary):
        return
    err(
        f"run {summary['run']} ({summary['reason']}): {summary['captured']} captured, "
        f"{summary['revisits']} revisits, {summary['truncated']} truncated, {summary['failed']} failed"
    )
    verdicts = summary.get("verdicts") or []
    for line in seed_lines(verdicts, list_all=list_seeds or len(verdicts) <= LIST_SEEDS_UP_TO):
        err(f"  {line}")
    # a failed seed's failure is its verdict line; a captured seed's failure (the body could not be
    # decoded, say) is named below it
    named = {v["url"] for v in verdicts if v["verdict"] in ("failed", "refused")}
    for failure in summary["failures"]:
        if failure["url"] not in named:
            url, reason = (
                printable(shown(failure["url"]), one_line=True),
                printable(failure["reason"], one_line=True),
            )
            err(f"  failed: {url} — {reason}")
    for line in media_lines(summary.get("media")):
        err(f"  {line}")
    for line in quote_lines(summary.get("quotes") or []):
        err(f"  {line}")
    if summary.get("write_error"):
        err(f"  archive write error: {summary['write_error']}")
    for name in summary["files"]:
        err(f"  wrote {Path(summary['archive']) / WARCS_DIR / name}")
    index = str(summary.get("index") or "").removeprefix("sqlite:///")
    err(f"  index {index or Path(summary['archive']) / INDEX_NAME}")
    gone = (summary.get("seeds") or {}).get("gone_at_first_fetch") or []
    if gone and recover_hint:
        err(
            f"  {len(gone)} seed(s) gone at their first fetch: nothing of them is archived; public web "
            f"archives may hold a copy: sourcekeeper recover --archive {summary['archive']} {' '.join(gone)}"
        )


def seed_lines(verdicts: list[dict[str, Any]], *, list_all: bool) -> list[str]:
    """One line per seed (`list_all`), else only those not captured; then the counts."""
    if not verdicts:
        return []
    listed = [v for v in verdicts if list_all or v["verdict"] not in ("captured", "redirected")]
    counts = {kind: sum(v["verdict"] == kind for v in verdicts) for kind in SEED_VERDICTS}
    total = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    hidden = "" if list_all else " (--list names every seed)"
    lines = [
        f"{printable(shown(v['url']), one_line=True)}: {printable(v['text'], one_line=True)}" for v in listed
    ]
    return [*lines, f"{len(verdicts)} seeds: {total}{hidden}"]


def quote_lines(checks: list[dict[str, Any]]) -> list[str]:
    """The counts of the quoted passages looked for, then each one not found as written (a typo?),
    with the closest sentence of the page."""
    from sourcekeeper.quotelines import quote_line  # noqa: PLC0415

    if not checks:
        return []
    counts = {
        status: sum(c["status"] == status for c in checks) for status in ("present", "altered", "missing")
    }
    lines = ["quotes: " + ", ".join(f"{n} {status}" for status, n in counts.items())]
    lines += [f"quote not found: {quote_line(c)}" for c in checks if c["status"] != "present"]
    return lines
