"""`sourcekeeper demo`: serve the bundled sample site on 127.0.0.1, archive it, say what happened."""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path
from typing import Any

from archive_store.crawl.render.browser import find_chromium
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.layout import INDEX_NAME
from sourcekeeper.demo.challenged import JS_NOTICE_PATH, describe_render
from sourcekeeper.demo.crawl_step import run_profile_step
from sourcekeeper.demo.rawsite import ServedSite
from sourcekeeper.demo.recover_step import prepare_public_archive, recover_step, start_public_archive
from sourcekeeper.demo.site import MISSING_NOTICE, SEED_PATHS, TAKEDOWNS, describe
from sourcekeeper.demo.takedown import takedown_steps
from sourcekeeper.urltext import shown

# The sample site answers at once on loopback: no politeness delay needed there.
DEMO_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    # the sample site is served on 127.0.0.1, which crawls refuse by default
    "ARCHIVE_ALLOW_PRIVATE": "127.0.0.0/8",
    # a few dozen small pages: extraction in a thread, not in two worker processes that each import
    # the extraction stack again (about 2 s of CPU per crawl, and the demo runs four crawls)
    "EXTRACT_PROCESSES": "0",
}


# the one line the demo prints instead of its rendering step where Chromium is missing
SKIPPED_RENDER = (
    "the notice behind a JavaScript challenge (Chromium is not installed; "
    "`make system-deps` installs it when run as root)"
)


def _archived_as_planned(summary: dict[str, Any], missing: str) -> bool:
    """Nothing failed, and the only seed gone is the one the sample site has no page for (it shows
    the verdict line and the hint to `recover`)."""
    gone = {v["url"] for v in summary.get("verdicts") or [] if v["verdict"] == "gone"}
    return not summary["failed"] and not summary.get("write_error") and gone <= {missing}


def _say(text: str = "") -> None:
    print(text, flush=True)


def _one_reactor(archive_dir: Path, overrides: dict[str, str]) -> contextlib.AbstractContextManager[None]:
    """The reactor all the demo's crawls run on (sourcekeeper.jobs.one_reactor)."""
    from sourcekeeper.jobs.one_reactor import one_reactor  # noqa: PLC0415 (imports Scrapy)
    from sourcekeeper.jobs.runner import build_settings  # noqa: PLC0415

    return one_reactor(build_settings(archive_dir, overrides, extract=False, log_level="WARNING"))


def run_demo(
    archive_dir: Path, overrides: dict[str, str], *, keep: bool = False, log_level: str = "WARNING"
) -> int:
    from sourcekeeper.jobs.archive import crawl_urls, report_summary  # noqa: PLC0415

    if archive_dir.exists() and not keep:
        if not (archive_dir / INDEX_NAME).exists() and any(archive_dir.iterdir()):
            print(
                f"sourcekeeper demo: {archive_dir} exists and is not a demo archive; "
                "choose another --archive",
                file=sys.stderr,
            )
            return 2
        shutil.rmtree(archive_dir)
    chromium = find_chromium(overrides.get("ARCHIVE_RENDER_CHROMIUM", ""))
    seeds = [*SEED_PATHS, JS_NOTICE_PATH] if chromium else list(SEED_PATHS)
    settings = {**DEMO_SETTINGS, **overrides}
    with ServedSite("sourcekeeper.demo.challenged:ROUTES") as site, _one_reactor(archive_dir, settings):
        # every step's crawl runs on this one reactor, in this process (no child process imports
        # Scrapy again, no second Chromium driver starts from scratch)
        _say(f"Sample site: {site.base_url}")
        _say(describe())
        _say(f"\n1. Archiving {len(seeds)} seed URLs and their attachments into {archive_dir}/ ...")
        summary = crawl_urls(
            archive_dir,
            [site.url(p) for p in seeds],
            None,
            {**DEMO_SETTINGS, **overrides},
            log_level=log_level,
        )
        report_summary(summary)
        archived_ok = _archived_as_planned(summary, site.url(MISSING_NOTICE))
        _say("\nCaptured (status, type, URL):")
        index = ArchiveIndex(default_db_url(archive_dir), create=False)
        try:
            for capture in index.all_captures():
                _say(f"  {capture.http_status}  {capture.record_type:8} {shown(capture.url)}")
        finally:
            index.close()
        if chromium:
            _say("\nBehind a JavaScript challenge (rendered in Chromium, every exchange recorded):")
            describe_render(archive_dir, site.url(JS_NOTICE_PATH), _say)
        else:
            _say(f"\nskipped: {SKIPPED_RENDER}")
        example = site.url(SEED_PATHS[len(SEED_PATHS) // 2])
        _say("\n2. The same column through its site profile (incremental: archived notices are skipped)")
        column = run_profile_step(
            archive_dir,
            site.base_url,
            _say,
            overrides={**DEMO_SETTINGS, **overrides},
            log_level=log_level,
        )
        removed = site.url(next(p for p, (_, s) in TAKEDOWNS.items() if s == "removed"))
        # another archive keeps the notice; its pywb starts while the takedown steps run
        public = start_public_archive(prepare_public_archive(archive_dir, removed))
        try:
            takedowns_ok = takedown_steps(site, archive_dir, {**DEMO_SETTINGS, **overrides}, log_level, 3)
            recovered = recover_step(archive_dir, public, removed, {**DEMO_SETTINGS, **overrides}, 6)
        finally:
            public.stop()
    _say("\nTry:")
    _say(f"  .venv/bin/sourcekeeper show --archive {archive_dir} '{example}'")
    _say(f"  .venv/bin/sourcekeeper history --archive {archive_dir} '{removed}'")
    _say(f"  .venv/bin/sourcekeeper report --archive {archive_dir}")
    _say(f"  .venv/bin/sourcekeeper verify --archive {archive_dir}")
    return 0 if archived_ok and takedowns_ok and recovered and "error" not in column else 1
