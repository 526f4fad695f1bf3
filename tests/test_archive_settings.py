"""ArchiveSettings (archive_store/crawl/archive_settings.py): the archive settings read and checked
once, typed, with enums for the modal ones; its defaults are default_settings.py's; a bad value is
one line naming the setting and what it takes; the crawl's components get the object, and the
string reads of ARCHIVE_* settings left in the code can only become fewer."""

from __future__ import annotations

import ast
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.utils.test import get_crawler

from archive_store.crawl import default_settings
from archive_store.crawl.addon import ArchiveAddon
from archive_store.crawl.archive_settings import (
    ArchiveSettings,
    OcrMode,
    RenderMode,
    S3Verify,
    SettingsError,
    SnapshotKind,
    archive_settings,
    reference_path,
    setting_problems,
)
from archive_store.crawl.render.page import SNAPSHOT_KINDS
from pipelines.addon import SourcekeeperAddon
from pipelines.extraction.render_detect import challenge_of
from pipelines.pipeline import ExtractionPipeline

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive_store", "pipelines", "scrapers", "sourcekeeper")
SETTINGS_MODULES = {"archive_store/crawl/archive_settings.py", "archive_store/crawl/default_settings.py"}


def _built(**values: Any) -> ArchiveSettings:
    return ArchiveSettings.from_settings(Settings(values))


def _problems(**values: Any) -> list[str]:
    return ArchiveSettings.read(Settings(values))[1]


def test_defaults_are_default_settings_values() -> None:
    """Settings without the add-on (nothing set) and with it (every default applied) read the same."""
    bare = _built()
    applied = Settings()
    default_settings.apply_defaults(applied)
    assert ArchiveSettings.from_settings(applied) == bare
    assert bare.enabled is default_settings.ARCHIVE_ENABLED
    assert bare.gzip_level == default_settings.ARCHIVE_GZIP_LEVEL
    assert bare.aside_min_size == default_settings.ARCHIVE_ASIDE_MIN_SIZE
    assert bare.s3_verify == default_settings.ARCHIVE_S3_VERIFY
    assert bare.resume is default_settings.ARCHIVE_RESUME
    assert bare.stop_grace == default_settings.ARCHIVE_STOP_GRACE
    assert bare.progress is default_settings.ARCHIVE_PROGRESS
    assert bare.tls_legacy is default_settings.ARCHIVE_TLS_LEGACY
    attachments = bare.attachments
    assert attachments.extensions == tuple(default_settings.ARCHIVE_ATTACHMENT_EXTENSIONS)
    assert attachments.hops == default_settings.ARCHIVE_ATTACHMENT_HOPS
    assert attachments.per_page == default_settings.ARCHIVE_ATTACHMENTS_PER_PAGE
    assert attachments.scan_processes == default_settings.ARCHIVE_SCAN_PROCESSES
    render = bare.render
    assert render.mode == default_settings.ARCHIVE_RENDER
    assert render.screenshot is default_settings.ARCHIVE_SCREENSHOT
    assert render.chromium == default_settings.ARCHIVE_RENDER_CHROMIUM
    assert render.concurrency == default_settings.ARCHIVE_RENDER_CONCURRENCY
    assert render.contexts == default_settings.ARCHIVE_RENDER_CONTEXTS
    assert render.timeout == default_settings.ARCHIVE_RENDER_TIMEOUT
    assert render.idle == default_settings.ARCHIVE_RENDER_IDLE
    assert render.selector == default_settings.ARCHIVE_RENDER_SELECTOR
    assert render.snapshots == set(default_settings.ARCHIVE_RENDER_SNAPSHOTS.split(","))
    assert render.max_rounds == default_settings.ARCHIVE_RENDER_MAX_ROUNDS
    assert render.max_navigations == default_settings.ARCHIVE_RENDER_MAX_NAVIGATIONS
    assert render.memory_mb == default_settings.ARCHIVE_RENDER_MEMORY_MB
    assert reference_path(render.detector) == default_settings.ARCHIVE_RENDER_DETECTOR
    media = bare.media
    assert media.enabled is default_settings.ARCHIVE_MEDIA_ENABLED
    assert media.all_variants is default_settings.ARCHIVE_MEDIA_ALL_VARIANTS
    assert media.idle_timeout == default_settings.ARCHIVE_MEDIA_IDLE_TIMEOUT
    assert media.live_interval == default_settings.ARCHIVE_MEDIA_LIVE_INTERVAL
    assert media.live_rounds == default_settings.ARCHIVE_MEDIA_LIVE_ROUNDS
    assert media.manifest_max_size == default_settings.ARCHIVE_MEDIA_MANIFEST_MAX_SIZE
    assert media.max_segments == default_settings.ARCHIVE_MEDIA_MAX_SEGMENTS
    assert media.max_size == default_settings.ARCHIVE_MEDIA_MAX_SIZE
    assert media.playlist_depth == default_settings.ARCHIVE_MEDIA_PLAYLIST_DEPTH
    assert media.timeout == default_settings.ARCHIVE_MEDIA_TIMEOUT
    assert media.embed_hosts == tuple(default_settings.ARCHIVE_MEDIA_EMBED_HOSTS)
    assert media.embeds_resolve is default_settings.ARCHIVE_MEDIA_EMBEDS_RESOLVE
    web = bare.web_archives
    assert ",".join(web.memento_endpoints) == default_settings.ARCHIVE_MEMENTO_ENDPOINTS
    assert web.memento_max_per_url == default_settings.ARCHIVE_MEMENTO_MAX_PER_URL
    assert web.memento_timeout == default_settings.ARCHIVE_MEMENTO_TIMEOUT
    assert web.memento_retries == default_settings.ARCHIVE_MEMENTO_RETRIES
    assert web.memento_max_wait == default_settings.ARCHIVE_MEMENTO_MAX_WAIT
    assert web.memento_max_pages == default_settings.ARCHIVE_MEMENTO_MAX_PAGES
    assert web.push_endpoints == ()
    assert web.push_timeout == default_settings.ARCHIVE_PUSH_TIMEOUT
    documents = bare.documents
    assert documents.enabled is default_settings.ARCHIVE_DOCUMENT_TEXT
    assert documents.ocr == default_settings.ARCHIVE_OCR
    assert documents.ocr_min_pixels == default_settings.ARCHIVE_OCR_MIN_PIXELS
    assert documents.max_pages == default_settings.ARCHIVE_DOCUMENT_MAX_PAGES
    assert documents.max_pixels == default_settings.ARCHIVE_DOCUMENT_MAX_PIXELS
    assert documents.timeout == default_settings.ARCHIVE_DOCUMENT_TIMEOUT
    assert documents.max_memory_mb == default_settings.ARCHIVE_DOCUMENT_MAX_MEMORY_MB
    assert documents.processes == default_settings.ARCHIVE_DOCUMENT_PROCESSES


@pytest.mark.parametrize("mode", list(RenderMode))
@pytest.mark.parametrize("spelled", [str.lower, str.upper, lambda s: f"  {s.title()} "])
def test_every_render_mode_is_read_however_spelled(mode: RenderMode, spelled: Any) -> None:
    assert _built(ARCHIVE_RENDER=spelled(mode.value)).render.mode is mode


@pytest.mark.parametrize("mode", list(OcrMode))
def test_every_ocr_mode(mode: OcrMode) -> None:
    assert _built(ARCHIVE_OCR=mode.value.upper()).documents.ocr is mode


@pytest.mark.parametrize("verify", list(S3Verify))
def test_every_s3_check(verify: S3Verify) -> None:
    assert _built(ARCHIVE_S3_VERIFY=verify.value).s3_verify is verify


def test_snapshot_kinds_from_a_string_or_a_list() -> None:
    assert _built(ARCHIVE_RENDER_SNAPSHOTS=" PDF, dom ,").render.snapshots == {
        SnapshotKind.PDF,
        SnapshotKind.DOM,
    }
    assert _built(ARCHIVE_RENDER_SNAPSHOTS=["screenshot"]).render.snapshots == {SnapshotKind.SCREENSHOT}
    assert _built(ARCHIVE_RENDER_SNAPSHOTS="").render.snapshots == frozenset()
    # --screenshot keeps all three, whatever the list says
    assert _built(ARCHIVE_SCREENSHOT="True", ARCHIVE_RENDER_SNAPSHOTS="").render.snapshots == set(
        SnapshotKind
    )
    assert tuple(SnapshotKind) == SNAPSHOT_KINDS


def test_render_switches() -> None:
    assert not _built(ARCHIVE_RENDER="never").render.wants_browser
    assert _built(ARCHIVE_RENDER="never", ARCHIVE_SCREENSHOT=True).render.renders_everything
    assert _built(ARCHIVE_RENDER="always").render.renders_everything
    auto = _built().render
    assert auto.wants_browser and not auto.renders_everything


def test_numbers_given_as_strings() -> None:
    built = _built(
        ARCHIVE_GZIP_LEVEL="9",
        ARCHIVE_ASIDE_MIN_SIZE=" 10 ",
        ARCHIVE_RENDER_TIMEOUT="2.5",
        ARCHIVE_MEDIA_MAX_SIZE="0",
        ARCHIVE_ENABLED="False",
    )
    assert (built.gzip_level, built.aside_min_size, built.render.timeout, built.media.max_size) == (
        9,
        10,
        2.5,
        0,
    )
    assert built.enabled is False


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("ARCHIVE_RENDER", "sometimes", "ARCHIVE_RENDER must be auto, always or never, not 'sometimes'"),
        ("ARCHIVE_OCR", "maybe", "ARCHIVE_OCR must be auto, always or never, not 'maybe'"),
        ("ARCHIVE_S3_VERIFY", "trust", "ARCHIVE_S3_VERIFY must be checksum or download, not 'trust'"),
        (
            "ARCHIVE_RENDER_SNAPSHOTS",
            "png,dom",
            "ARCHIVE_RENDER_SNAPSHOTS lists png: it takes screenshot, pdf, dom",
        ),
        ("ARCHIVE_GZIP_LEVEL", "fast", "ARCHIVE_GZIP_LEVEL must be a gzip level, 0-9, not 'fast'"),
        ("ARCHIVE_ASIDE_MIN_SIZE", "1MB", "ARCHIVE_ASIDE_MIN_SIZE must be a number of bytes, not '1MB'"),
        (
            "ARCHIVE_MEDIA_MAX_SIZE",
            "4GB",
            "ARCHIVE_MEDIA_MAX_SIZE must be a whole number (0 or more), not '4GB'",
        ),
        (
            "ARCHIVE_RENDER_CONCURRENCY",
            -1,
            "ARCHIVE_RENDER_CONCURRENCY must be a whole number (0 or more), not -1",
        ),
        ("ARCHIVE_MEDIA_TIMEOUT", "soon", "ARCHIVE_MEDIA_TIMEOUT must be a number of seconds, not 'soon'"),
        ("ARCHIVE_SCREENSHOT", "perhaps", "ARCHIVE_SCREENSHOT must be true or false, not 'perhaps'"),
        (
            "ARCHIVE_RENDER_DETECTOR",
            "nowhere.at_all",
            "ARCHIVE_RENDER_DETECTOR: cannot load 'nowhere.at_all'",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(name: str, value: Any, line: str) -> None:
    with pytest.raises(SettingsError) as raised:
        _built(**{name: value})
    assert len(raised.value.problems) == 1, raised.value.problems
    assert raised.value.problems[0].startswith(line)
    assert isinstance(raised.value, ValueError)


def test_every_bad_value_is_listed_at_once() -> None:
    assert len(_problems(ARCHIVE_RENDER="x", ARCHIVE_GZIP_LEVEL="x", ARCHIVE_OCR="x")) == 3


def test_rendering_under_another_reactor_is_a_problem_unless_never() -> None:
    epoll = "twisted.internet.epollreactor.EPollReactor"
    assert setting_problems(Settings({"TWISTED_REACTOR": epoll}))[0].startswith(
        "rendering needs TWISTED_REACTOR"
    )
    assert setting_problems(Settings({"TWISTED_REACTOR": epoll, "ARCHIVE_RENDER": "never"})) == []
    assert _problems(TWISTED_REACTOR=epoll) == []  # the environment, not an archive setting


def test_setting_problems_adds_the_network_settings() -> None:
    assert setting_problems(Settings()) == []
    found = setting_problems(Settings({"ARCHIVE_RENDER": "x", "ARCHIVE_ALLOW_PRIVATE": "nonsense"}))
    assert found[0].startswith("ARCHIVE_RENDER must be")
    assert any("ARCHIVE_ALLOW_PRIVATE" in p for p in found[1:]), found


def test_one_object_per_crawler() -> None:
    crawler = get_crawler(settings_dict={"ARCHIVE_RENDER": "Always"})
    first = archive_settings(crawler)
    assert first is archive_settings(crawler)
    assert first.render.mode is RenderMode.ALWAYS
    assert archive_settings(get_crawler()) is not first


def test_the_projects_add_on_names_the_pipeline_and_detector_by_reference() -> None:
    """The defaults' import paths are the objects pipelines/addon.py imports, and the add-on puts
    them in at add-on priority: a project or -s value still wins."""
    assert SourcekeeperAddon.extraction_pipeline is ExtractionPipeline
    assert reference_path(ExtractionPipeline) == default_settings.ARCHIVE_EXTRACTION_PIPELINE
    assert reference_path(challenge_of) == default_settings.ARCHIVE_RENDER_DETECTOR
    settings = Settings()
    SourcekeeperAddon().update_settings(settings)
    assert settings.getpriority("ARCHIVE_RENDER_DETECTOR") == SETTINGS_PRIORITIES["addon"]
    assert ArchiveSettings.from_settings(settings).render.detector is challenge_of
    assert ExtractionPipeline in settings.getwithbase("ITEM_PIPELINES")
    mine = Settings({"ARCHIVE_RENDER_DETECTOR": "os.path.join"}, priority="project")
    SourcekeeperAddon().update_settings(mine)
    assert ArchiveSettings.from_settings(mine).render.detector is os.path.join
    plain = Settings()
    ArchiveAddon().update_settings(plain)  # the archive alone: the default paths
    assert plain.get("ARCHIVE_RENDER_DETECTOR") == default_settings.ARCHIVE_RENDER_DETECTOR


# string reads --------------------------------------------------------------------------------------
_GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getdictorlist", "getwithbase"}


def archive_string_reads() -> Counter[tuple[str, str]]:
    """(file, setting) -> how many times the code reads an ARCHIVE_* setting by its name:
    settings.get*("ARCHIVE_…") and settings["ARCHIVE_…"] (os.environ's left out), outside the
    settings modules."""
    found: Counter[tuple[str, str]] = Counter()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            if where in SETTINGS_MODULES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = None
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _GETTERS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and not (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "environ")
                ):
                    name = node.args[0].value
                elif (
                    isinstance(node, ast.Subscript)
                    and isinstance(node.ctx, ast.Load)  # a read; settings["X"] = … is not
                    and isinstance(node.slice, ast.Constant)
                ):
                    name = node.slice.value
                if isinstance(name, str) and name.startswith("ARCHIVE_"):
                    found[(where, name)] += 1
    return found


def test_no_component_reads_the_render_mode_by_name() -> None:
    readers = [where for (where, name) in archive_string_reads() if name in {"ARCHIVE_RENDER", "ARCHIVE_OCR"}]
    assert readers == []


# Files that still read ARCHIVE_* settings by name, and how many reads each: a file may only leave
# this list or read fewer (lower its number when it does). New code takes ArchiveSettings.
STILL_READ_BY_NAME: dict[str, int] = {
    "archive_store/crawl/addon.py": 1,
    "archive_store/crawl/exchangerecorder.py": 4,  # moved out of the session with the recorder
    "archive_store/crawl/session.py": 10,
    "archive_store/crawl/warcinfo.py": 2,
    "archive_store/evidence/exports.py": 2,
    "archive_store/evidence/tsa.py": 3,
    "archive_store/net/vantage.py": 2,
    "archive_store/storage/uploads.py": 7,
    "scrapers/distributed.py": 2,
    "scrapers/mediafollow.py": 15,
    "sourcekeeper/commands/worker.py": 2,
    "sourcekeeper/demo/run.py": 1,
    "sourcekeeper/jobs/archive.py": 1,
    "sourcekeeper/jobs/recheck.py": 1,
    "sourcekeeper/jobs/recover.py": 1,
    "sourcekeeper/jobs/report.py": 3,
    "sourcekeeper/jobs/runner.py": 4,
}


def test_the_string_reads_left_only_shrink() -> None:
    per_file: Counter[str] = Counter()
    for (where, _), count in archive_string_reads().items():
        per_file[where] += count
    grown = {
        where: (count, STILL_READ_BY_NAME.get(where, 0))
        for where, count in per_file.items()
        if count > STILL_READ_BY_NAME.get(where, 0)
    }
    assert grown == {}, (
        "read ARCHIVE_* settings from ArchiveSettings (archive_settings(crawler)), not by name"
    )
    shrunk = {
        where: (per_file.get(where, 0), allowed)
        for where, allowed in STILL_READ_BY_NAME.items()
        if per_file.get(where, 0) < allowed
    }
    assert shrunk == {}, "fewer reads by name: lower STILL_READ_BY_NAME to match"
