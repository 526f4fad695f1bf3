"""`archive --from-report FILE|URL`: archive every link a report cites, then write its citation
manifest (citations/citations-<stem>.json and .csv in the archive).

    result = archive_report(Path("archive"), "report.docx", [], None, {})
    result.manifests  # [(json path, csv path)]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from archive_store.export.citations import citations_of, reports_of_run, write_manifest
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.lock import ArchiveLock
from pipelines.documents.links import ParsedReport, ReportError
from pipelines.documents.seeds import check_url
from sourcekeeper.jobs.archive import add_seed_verdicts
from sourcekeeper.jobs.runner import build_settings, run_spider
from sourcekeeper.jobs.unattended import emit_json, enable_progress, record_custody, write_run_file

logger = logging.getLogger(__name__)


class ReportUnusable(ValueError):
    """The report cannot be used (missing file, unknown format, bad URL): a usage error."""


@dataclass
class ReportRunResult:
    summary: dict[str, Any]
    manifests: list[tuple[Path, Path]] = field(default_factory=list)
    cited: int = 0


def load_report(report: str) -> tuple[ParsedReport | None, str]:
    """(citations, sha256) of a report file; (None, "") for a report URL (parsed after capture)."""
    from scrapers.report import is_url, read_report_file  # noqa: PLC0415

    if is_url(report):
        problem = check_url(report)
        if problem:
            raise ReportUnusable(f"report URL {report!r}: {problem}")
        return None, ""
    if not Path(report).is_file():
        raise ReportUnusable(f"report file not found: {report}")
    try:
        return read_report_file(report)
    except (ReportError, OSError) as exc:
        raise ReportUnusable(f"{report}: {exc}") from exc


def archive_report(
    archive_dir: Path,
    report: str,
    urls: list[str],
    seeds: list[str] | None,
    overrides: dict[str, str],
    *,
    extract: bool = True,
    log_level: str = "WARNING",
) -> ReportRunResult:
    from scrapers.report import ReportSpider  # noqa: PLC0415

    parsed, digest = load_report(report)
    with ArchiveLock(archive_dir):  # fail fast (exit 75) before starting Scrapy
        settings = build_settings(archive_dir, overrides, extract=extract, log_level=log_level)
        enable_progress(settings)
        summary = run_spider(
            ReportSpider, settings, report=report, parsed=parsed, report_sha256=digest, urls=urls, seeds=seeds
        )
        result = _manifests(
            archive_dir, overrides.get("ARCHIVE_DB_URL"), summary, overrides.get("ARCHIVE_REPLAY_BASE_URL")
        )
        add_seed_verdicts(archive_dir, overrides.get("ARCHIVE_DB_URL"), summary, cited=True)
        write_run_file(archive_dir, summary, kind="report", manifests=[str(j) for j, _ in result.manifests])
        return result


def _manifests(
    archive_dir: Path, db_url: str | None, summary: dict[str, Any], replay_base: str | None = None
) -> ReportRunResult:
    result = ReportRunResult(summary)
    if summary.get("run") is None:
        return result
    index = ArchiveIndex(db_url or default_db_url(archive_dir), create=False)
    try:
        for report in reports_of_run(index, summary["run"]):
            try:
                paths = write_manifest(index, archive_dir, report, replay_base)
            except (OSError, SQLAlchemyError) as exc:  # a full disk: the run stands, the manifest not
                logger.error("could not write the citation manifest of %s: %s", report.source, exc)
                continue
            result.manifests.append(paths)
            result.cited += len(citations_of(index, report.id))
            record_custody(
                archive_dir,
                "citations_manifest",
                run=summary["run"],
                report=report.source,
                file=str(paths[0]),
            )
    finally:
        index.close()
    return result


def archive_from_report_cli(args: argparse.Namespace, overrides: dict[str, str], log_level: str) -> int:
    """The `archive --from-report` branch of the command line."""
    from sourcekeeper.jobs.archive import report_summary, summary_ok  # noqa: PLC0415
    from sourcekeeper.options import UsageError, check_seed_files  # noqa: PLC0415

    seeds = check_seed_files(args.seeds)
    try:
        result = archive_report(
            args.archive,
            args.from_report,
            args.urls,
            seeds,
            overrides,
            extract=not args.no_extract,
            log_level=log_level,
        )
    except ReportUnusable as exc:
        raise UsageError(str(exc)) from exc
    manifests = [str(j) for j, _ in result.manifests]
    if args.log_format == "json":
        ok = summary_ok(result.summary) and bool(result.manifests)
        if not (args.quiet and ok):
            fields = {**result.summary, "cited": result.cited, "manifests": manifests}
            emit_json("archive_finished", "INFO" if ok else "ERROR", **fields)
    else:
        report_summary(
            result.summary,
            as_json=args.json,
            quiet=args.quiet,
            list_seeds=args.list,
            recover_hint=not getattr(args, "recover", False),
        )
    if args.json and args.log_format != "json":
        print(json.dumps({"cited": result.cited, "manifests": manifests}, ensure_ascii=False))
    if not args.quiet and args.log_format != "json":
        for json_path, csv_path in result.manifests:
            print(f"  {result.cited} cited URLs; manifest {json_path} and {csv_path}", file=sys.stderr)
        if not result.manifests:
            print("  no citation manifest: the report could not be read", file=sys.stderr)
    return 0 if summary_ok(result.summary) and result.manifests else 1
