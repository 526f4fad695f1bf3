"""Push for corroboration after `archive` (issue 17): off unless ARCHIVE_PUSH_ENDPOINTS is set.
The URLs we captured well are sent to each endpoint; what each answered is recorded and printed.
Never changes the exit code: an independent archive's failure is not ours."""

from __future__ import annotations

import argparse
import os
import sys

from scrapy.settings import BaseSettings

from archive_store.crawl.archive_settings import ArchiveSettings
from archive_store.net.netpolicy import SETTING, AddressPolicy
from sourcekeeper.urltext import shown


def push_after_archive(
    args: argparse.Namespace, settings: dict[str, str], db_url: str, urls: list[str]
) -> None:
    # the command line's settings (-s, sourcekeeper.toml), checked with the crawl's before it ran
    web_archives = ArchiveSettings.from_settings(BaseSettings(settings)).web_archives
    endpoints = list(web_archives.push_endpoints)
    if not endpoints or not urls:
        return
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from archive_store.index.lookup import GOOD_STATE, find_capture  # noqa: PLC0415
    from archive_store.net.push import push_urls  # noqa: PLC0415

    index = ArchiveIndex(db_url)
    try:
        good = [u for u in urls if (c := find_capture(index, u)) is not None and c.state == GOOD_STATE]
        timeout = web_archives.push_timeout
        # the crawl's ARCHIVE_ALLOW_PRIVATE (-s, else the environment, else private refused)
        policy = AddressPolicy.parse(settings.get(SETTING, os.environ.get(SETTING)))
        results = push_urls(index, good, endpoints, timeout, policy)
    finally:
        index.close()
    if args.quiet:
        return
    for result in results:
        if result.memento_url:
            print(f"  pushed {shown(result.url)}: memento {shown(result.memento_url)}", file=sys.stderr)
        else:
            failed = f"  push of {shown(result.url)} to {result.endpoint} failed: {result.error}"
            print(failed, file=sys.stderr)
