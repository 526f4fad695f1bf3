"""`--recover` on `archive` and `recheck`: after the run, ask the Memento endpoints for copies of
the sources that turned out removed or unreachable, and keep them as third-party copies.

The recovery is `sourcekeeper recover` in a process of its own: the run's Scrapy reactor cannot
start a second crawl in this one. It runs after the run has let go of the archive lock."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

# states of a URL that a copy from elsewhere may stand in for (see pipelines/extraction/classify.py)
GONE_PREFIXES = ("removed", "unreachable", "error:http-4", "error:http-5", "blocked")


def add_recover_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--recover",
        action="store_true",
        help="then fetch copies of removed/unreachable sources from public web archives "
        "(ARCHIVE_MEMENTO_ENDPOINTS), kept as third-party copies",
    )


def is_gone(state: str | None) -> bool:
    return state is None or state.startswith(GONE_PREFIXES)


def gone_seeds(archive: Path, db_url: str, urls: list[str]) -> list[str]:
    """Of these URLs, those whose latest capture is not good (or that have none)."""
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.index.lookup import find_capture  # noqa: PLC0415

    index = ArchiveIndex(db_url, create=False)
    try:
        gone = []
        for url in urls:
            capture = find_capture(index, url)
            if capture is None or is_gone(capture.state):
                gone.append(url)
        return gone
    finally:
        index.close()


def run_recover(args: argparse.Namespace, urls: list[str]) -> int:
    """`sourcekeeper recover` for these URLs with this command's archive, index and settings."""
    urls = list(dict.fromkeys(urls))
    if not urls:
        return 0
    command = [sys.executable, "-m", "sourcekeeper", "recover", "--archive", str(args.archive)]
    if args.db:
        command += ["--db", args.db]
    for name, value in args.settings:
        command += ["-s", f"{name}={value}"]
    if args.quiet:
        command.append("--quiet")
    print(f"recovering {len(urls)} source(s) from public web archives", file=sys.stderr)
    return subprocess.run([*command, *urls], check=False).returncode
