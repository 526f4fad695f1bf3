"""`sourcekeeper worker`: crawl from the shared Redis frontier until it stays empty.

sourcekeeper worker --frontier redis://10.0.0.5:6379/0 --db postgresql+psycopg://sk@10.0.0.6/sk \\
    --store s3://warcs/sourcekeeper --s3-endpoint http://10.0.0.7:8333 --archive /srv/sk/worker1

Each worker writes WARCs into its own `--archive` folder (its lock, manifest and custody log), the
index is shared (`--db`, PostgreSQL), and each closed WARC is uploaded to `--store`. At start the
worker recovers what a killed predecessor left in its folder and uploads closed WARCs that have no
S3 location yet; at the end it waits for its uploads and tries the failed ones once more.
Exit codes: 0 done; 1 fetch failures, an upload that failed, or the frontier unreachable;
2 usage error; 75 the archive folder is in use by another worker.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive_store.lock import ArchiveLock
from sourcekeeper.commands.enqueue import add_frontier_option, frontier_url
from sourcekeeper.jobs.archive import report_summary, summary_ok
from sourcekeeper.jobs.runner import CrawlFailed, build_settings, run_spider
from sourcekeeper.jobs.unattended import add_log_format_option, crawl_output_settings, emit_json
from sourcekeeper.options import UsageError, log_level, overrides
from sourcekeeper.proxy_option import add_proxy_option

if TYPE_CHECKING:
    from archive_store.storage.uploads import UploadResult


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("worker", help="crawl from the shared Redis frontier (scale-out)")
    add_frontier_option(parser)
    parser.add_argument("--store", metavar="s3://BUCKET/PREFIX", help="upload each closed WARC here (S3 API)")
    parser.add_argument(
        "--s3-endpoint", metavar="URL", help="S3 endpoint (default: AWS, or $AWS_ENDPOINT_URL_S3)"
    )
    parser.add_argument(
        "--idle-exit",
        type=float,
        metavar="S",
        help="stop after the frontier stayed empty S seconds (default 60; 0: run until stopped)",
    )
    parser.add_argument("--no-extract", action="store_true", help="capture only; skip extraction")
    parser.add_argument(
        "--heartbeat",
        type=float,
        default=60.0,
        metavar="S",
        help="with --log-format json: a one-line JSON summary every S seconds (default 60; 0: none)",
    )
    add_log_format_option(parser)
    add_proxy_option(parser)
    add_common_options(parser)
    parser.set_defaults(func=worker)


def worker(args: argparse.Namespace) -> int:
    url = frontier_url(args)
    if args.store:
        from archive_store.storage.remote import StoreError, StoreURI  # noqa: PLC0415

        try:
            StoreURI.parse(args.store)
        except StoreError as exc:
            raise UsageError(f"--store: {exc}") from exc
    if args.idle_exit is not None and args.idle_exit < 0:
        raise UsageError("--idle-exit must be 0 (never) or a number of seconds")
    _check_frontier(url)
    crawl_settings = crawl_output_settings(args, overrides(args))  # JSON log lines
    crawl_settings["ARCHIVE_PROGRESS"] = "False"  # a worker has no end to count towards
    if args.log_format == "json" and args.heartbeat > 0:
        crawl_settings.setdefault("WORKER_HEARTBEAT", str(args.heartbeat))
    crawl_settings["REDIS_URL"] = url
    if args.store:
        crawl_settings["ARCHIVE_STORE_URI"] = args.store
    if args.s3_endpoint:
        crawl_settings["ARCHIVE_S3_ENDPOINT"] = args.s3_endpoint
    if args.idle_exit is not None:
        crawl_settings["FRONTIER_IDLE_EXIT"] = str(args.idle_exit)
    summary = run_worker(args.archive, crawl_settings, extract=not args.no_extract, log_level=log_level(args))
    failed_uploads = [u for u in summary["uploads"] if u["error"]]
    ok = summary_ok(summary) and not failed_uploads
    if args.log_format == "json":
        if not (args.quiet and ok):
            emit_json("worker_finished", "INFO" if ok else "ERROR", **summary)
        return 0 if ok else 1
    report_summary(summary, as_json=args.json, quiet=args.quiet)
    for upload in summary["uploads"]:
        if upload["error"]:
            print(f"  upload failed: {upload['file']} — {upload['error']}", file=sys.stderr)
        elif not args.quiet:
            print(f"  uploaded {upload['file']} -> {upload['location']}", file=sys.stderr)
    return 0 if summary_ok(summary) and not failed_uploads else 1


def _check_frontier(url: str) -> None:
    import redis  # noqa: PLC0415

    try:
        redis.Redis.from_url(url, socket_connect_timeout=10).ping()
    except redis.RedisError as exc:
        raise CrawlFailed(f"frontier unreachable: {exc}") from exc


def run_worker(
    archive_dir: Path, overrides: dict[str, str], *, extract: bool = True, log_level: str = "WARNING"
) -> dict[str, Any]:
    """Library entry point of `worker`: catch up, crawl from the frontier, upload; the run summary
    with an `uploads` list ({file, location, error}) added."""
    from archive_store.storage.uploads import wait_for_uploads  # noqa: PLC0415
    from scrapers.distributed import DistributedSpider  # noqa: PLC0415
    from sourcekeeper.jobs.heartbeat import enable_heartbeat  # noqa: PLC0415

    settings = build_settings(archive_dir, overrides, extract=extract, log_level=log_level)
    enable_heartbeat(settings)  # stays off unless WORKER_HEARTBEAT is set
    results = _catch_up(settings, archive_dir)
    summary = run_spider(DistributedSpider, settings)
    results += wait_for_uploads()
    results += _catch_up(settings, archive_dir)  # what failed in the background, once more
    latest = {r.filename: r for r in results}  # a later success replaces an earlier failure
    summary["uploads"] = [_upload_json(r) for r in latest.values()]
    return summary


def _catch_up(settings: Any, archive_dir: Path) -> list[UploadResult]:
    """Recover `.open` WARCs a killed worker left, then upload closed WARCs lacking a location."""
    from archive_store.crawl.recovery import recover_open_files  # noqa: PLC0415
    from archive_store.evidence.fixity import CustodyLog, Manifest  # noqa: PLC0415
    from archive_store.index.database import ArchiveIndex, default_db_url  # noqa: PLC0415
    from archive_store.layout import ArchivePaths  # noqa: PLC0415
    from archive_store.storage.uploads import upload_pending  # noqa: PLC0415

    with ArchiveLock(archive_dir):
        paths = ArchivePaths(archive_dir)
        index = ArchiveIndex(settings.get("ARCHIVE_DB_URL") or default_db_url(archive_dir))
        try:
            if paths.warcs.is_dir():
                recover_open_files(paths.warcs, index, Manifest(paths.manifest), CustodyLog(paths.custody))
            if not settings.get("ARCHIVE_STORE_URI"):
                return []
            return upload_pending(settings, archive_dir, index)
        finally:
            index.close()


def _upload_json(result: UploadResult) -> dict[str, Any]:
    return {"file": result.filename, "location": result.location, "error": result.error}
