"""The archive settings as one typed, frozen object (`ArchiveSettings`), parsed and checked once.

Scrapy settings are strings and loose values (`-s ARCHIVE_RENDER=Always`, `ARCHIVE_RENDER_SNAPSHOTS =
"pdf, dom"`, a number from `sourcekeeper.toml`); each component used to read and parse them itself.
Here they are read once per crawl — `ArchiveSettings.from_settings(settings)` — into typed fields and
enums (`RenderMode`, `SnapshotKind`, `OcrMode`), every bad value reported as one line naming the
setting and what it takes (`SettingsError`, the lines the command line prints before a crawl starts).

A crawl's components get the object with `archive_settings(crawler)`: built on the first call (by
then, in a component's `from_crawler`, the crawler's settings are final: the add-on, the project,
the spider and `-s` have all been applied) and kept for the crawler's life. The defaults are not
repeated here: a setting that is not set at all (Settings built without the add-on, as tests do)
takes its value from default_settings.py, the one place defaults are written (and docs/settings.md
generated from).

Imports only the standard library, Scrapy's `load_object` and default_settings (setting_problems
also the network room's checks, when called): any room of the crawl, and the pipelines, spiders and
commands above it, may import it. The rooms below the crawl (net, storage, evidence) may not, so
they still read their own settings by name; so do the archive session and the media following
(archive_store/crawl/session.py, scrapers/mediafollow.py: the next to convert, to `.media` and
the core fields here).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy.utils.misc import load_object

from archive_store.crawl import default_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

_Choice = TypeVar("_Choice", bound=enum.StrEnum)
ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


class RenderMode(enum.StrEnum):
    """ARCHIVE_RENDER: which pages are loaded in Chromium (docs/rendering.md)."""

    AUTO = "auto"  # a page answered by a JS challenge
    ALWAYS = "always"  # every HTML page
    NEVER = "never"  # none: no browser at all


class SnapshotKind(enum.StrEnum):
    """ARCHIVE_RENDER_SNAPSHOTS: what is kept of a rendered page beside its exchanges."""

    SCREENSHOT = "screenshot"
    PDF = "pdf"
    DOM = "dom"


class OcrMode(enum.StrEnum):
    """ARCHIVE_OCR: which images and PDF pages are read by OCR (docs/documents.md)."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class S3Verify(enum.StrEnum):
    """ARCHIVE_S3_VERIFY: how an upload is checked (docs/scale-out.md)."""

    CHECKSUM = "checksum"
    DOWNLOAD = "download"


class SettingsError(ValueError):
    """Bad archive settings: one line per bad value, each naming its setting."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RenderSettings:
    """ARCHIVE_RENDER*, ARCHIVE_SCREENSHOT (docs/rendering.md)."""

    mode: RenderMode
    screenshot: bool
    chromium: str  # empty: Debian's, found with `dpkg -L chromium`
    concurrency: int
    contexts: int
    timeout: float
    idle: float
    selector: str
    snapshots: frozenset[SnapshotKind]  # --screenshot: all of them
    max_rounds: int
    max_navigations: int
    memory_mb: int
    detector: Callable[..., Any]  # (url, status, headers, body) -> challenge or None

    @property
    def wants_browser(self) -> bool:
        """Whether a page may ever be loaded in the browser (else the render components stay out)."""
        return self.mode is not RenderMode.NEVER or self.screenshot

    @property
    def renders_everything(self) -> bool:
        """--render always or --screenshot: every HTML page goes through the browser."""
        return self.mode is RenderMode.ALWAYS or self.screenshot


@dataclass(frozen=True)
class MediaSettings:
    """ARCHIVE_MEDIA_* (docs/media.md)."""

    enabled: bool
    all_variants: bool
    idle_timeout: float
    live_interval: float
    live_rounds: int
    manifest_max_size: int
    max_segments: int
    max_size: int
    playlist_depth: int
    timeout: float
    embed_hosts: tuple[str, ...]
    embeds_resolve: bool


@dataclass(frozen=True)
class DocumentSettings:
    """ARCHIVE_DOCUMENT_*, ARCHIVE_OCR* (docs/documents.md)."""

    enabled: bool  # ARCHIVE_DOCUMENT_TEXT
    ocr: OcrMode
    ocr_min_pixels: int
    max_pages: int
    max_pixels: int
    timeout: float
    max_memory_mb: int
    processes: int


@dataclass(frozen=True)
class AttachmentSettings:
    """ARCHIVE_ATTACHMENT*, ARCHIVE_SCAN_PROCESSES: the documents an archived page links to."""

    extensions: tuple[str, ...]
    hops: int
    per_page: int  # 0: no cap
    scan_processes: int


@dataclass(frozen=True)
class WebArchiveSettings:
    """ARCHIVE_MEMENTO_*, ARCHIVE_PUSH_*: other web archives (docs/web-archives.md)."""

    memento_endpoints: tuple[str, ...]  # TimeMap prefixes, or cdx:CDX|REPLAY
    memento_max_per_url: int  # 0: all
    memento_timeout: float
    memento_retries: int
    memento_max_wait: float
    memento_max_pages: int
    push_endpoints: tuple[str, ...]  # empty: no push
    push_timeout: float


@dataclass(frozen=True)
class ArchiveSettings:
    """The archive settings of one crawl, typed; see the module's docstring."""

    enabled: bool
    resume: bool
    stop_grace: float
    progress: bool
    tls_legacy: bool
    gzip_level: int
    aside_min_size: int
    s3_verify: S3Verify
    attachments: AttachmentSettings
    render: RenderSettings
    media: MediaSettings
    documents: DocumentSettings
    web_archives: WebArchiveSettings
    problems: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ArchiveSettings:
        """Every archive setting read and checked; SettingsError lists all the bad values."""
        built, problems = cls.read(settings)
        if problems:
            raise SettingsError(problems)
        return built

    @classmethod
    def read(cls, settings: BaseSettings) -> tuple[ArchiveSettings, list[str]]:
        """The settings, and one line for each bad value (a bad value gets its default)."""
        reader = _Reader(settings)
        screenshot = reader.boolean("ARCHIVE_SCREENSHOT")
        mode = reader.choice("ARCHIVE_RENDER", RenderMode)
        render = RenderSettings(
            mode=mode,
            screenshot=screenshot,
            chromium=reader.text("ARCHIVE_RENDER_CHROMIUM"),
            concurrency=reader.count("ARCHIVE_RENDER_CONCURRENCY"),
            contexts=reader.count("ARCHIVE_RENDER_CONTEXTS"),
            timeout=reader.seconds("ARCHIVE_RENDER_TIMEOUT"),
            idle=reader.seconds("ARCHIVE_RENDER_IDLE"),
            selector=reader.text("ARCHIVE_RENDER_SELECTOR"),
            snapshots=frozenset(SnapshotKind) if screenshot else reader.snapshots(),
            max_rounds=reader.count("ARCHIVE_RENDER_MAX_ROUNDS"),
            max_navigations=reader.count("ARCHIVE_RENDER_MAX_NAVIGATIONS"),
            memory_mb=reader.count("ARCHIVE_RENDER_MEMORY_MB"),
            detector=reader.reference("ARCHIVE_RENDER_DETECTOR"),
        )
        media = MediaSettings(
            enabled=reader.boolean("ARCHIVE_MEDIA_ENABLED"),
            all_variants=reader.boolean("ARCHIVE_MEDIA_ALL_VARIANTS"),
            idle_timeout=reader.seconds("ARCHIVE_MEDIA_IDLE_TIMEOUT"),
            live_interval=reader.seconds("ARCHIVE_MEDIA_LIVE_INTERVAL"),
            live_rounds=reader.count("ARCHIVE_MEDIA_LIVE_ROUNDS"),
            manifest_max_size=reader.count("ARCHIVE_MEDIA_MANIFEST_MAX_SIZE"),
            max_segments=reader.count("ARCHIVE_MEDIA_MAX_SEGMENTS"),
            max_size=reader.count("ARCHIVE_MEDIA_MAX_SIZE"),
            playlist_depth=reader.count("ARCHIVE_MEDIA_PLAYLIST_DEPTH"),
            timeout=reader.seconds("ARCHIVE_MEDIA_TIMEOUT"),
            embed_hosts=reader.names("ARCHIVE_MEDIA_EMBED_HOSTS"),
            embeds_resolve=reader.boolean("ARCHIVE_MEDIA_EMBEDS_RESOLVE"),
        )
        documents = DocumentSettings(
            enabled=reader.boolean("ARCHIVE_DOCUMENT_TEXT"),
            ocr=reader.choice("ARCHIVE_OCR", OcrMode),
            ocr_min_pixels=reader.count("ARCHIVE_OCR_MIN_PIXELS"),
            max_pages=reader.count("ARCHIVE_DOCUMENT_MAX_PAGES"),
            max_pixels=reader.count("ARCHIVE_DOCUMENT_MAX_PIXELS"),
            timeout=reader.seconds("ARCHIVE_DOCUMENT_TIMEOUT"),
            max_memory_mb=reader.count("ARCHIVE_DOCUMENT_MAX_MEMORY_MB"),
            processes=reader.count("ARCHIVE_DOCUMENT_PROCESSES"),
        )
        attachments = AttachmentSettings(
            extensions=reader.names("ARCHIVE_ATTACHMENT_EXTENSIONS"),
            hops=reader.count("ARCHIVE_ATTACHMENT_HOPS"),
            per_page=reader.count("ARCHIVE_ATTACHMENTS_PER_PAGE"),
            scan_processes=reader.count("ARCHIVE_SCAN_PROCESSES"),
        )
        web_archives = WebArchiveSettings(
            memento_endpoints=reader.names("ARCHIVE_MEMENTO_ENDPOINTS"),
            memento_max_per_url=reader.count("ARCHIVE_MEMENTO_MAX_PER_URL"),
            memento_timeout=reader.seconds("ARCHIVE_MEMENTO_TIMEOUT"),
            memento_retries=reader.count("ARCHIVE_MEMENTO_RETRIES"),
            memento_max_wait=reader.seconds("ARCHIVE_MEMENTO_MAX_WAIT"),
            memento_max_pages=reader.count("ARCHIVE_MEMENTO_MAX_PAGES"),
            push_endpoints=reader.names("ARCHIVE_PUSH_ENDPOINTS"),
            push_timeout=reader.seconds("ARCHIVE_PUSH_TIMEOUT"),
        )
        built = cls(
            enabled=reader.boolean("ARCHIVE_ENABLED"),
            resume=reader.boolean("ARCHIVE_RESUME"),
            stop_grace=reader.seconds("ARCHIVE_STOP_GRACE"),
            progress=reader.boolean("ARCHIVE_PROGRESS"),
            tls_legacy=reader.boolean("ARCHIVE_TLS_LEGACY"),
            gzip_level=reader.gzip_level(),
            aside_min_size=reader.count(
                "ARCHIVE_ASIDE_MIN_SIZE", "{name} must be a number of bytes, not {value!r}"
            ),
            s3_verify=reader.choice("ARCHIVE_S3_VERIFY", S3Verify),
            attachments=attachments,
            render=render,
            media=media,
            documents=documents,
            web_archives=web_archives,
            problems=tuple(reader.problems),
        )
        return built, reader.problems


def setting_problems(settings: BaseSettings) -> list[str]:
    """What is wrong with the archive settings given, checked before a crawl starts (a bad value
    found later, inside Scrapy's start-up, would surface as a traceback instead of a message): the
    lines of ArchiveSettings, then the network room's own settings."""
    from archive_store.net.netpolicy import AddressPolicy, setting_value  # noqa: PLC0415
    from archive_store.net.vantage import ProxyURLError, check_proxy_url, proxy_setting  # noqa: PLC0415

    archive, problems = ArchiveSettings.read(settings)
    # not a setting of ours but the environment rendering needs (the render middleware checks the
    # reactor installed, too, when it is built)
    reactor = settings.get("TWISTED_REACTOR") or ASYNCIO_REACTOR
    if archive.render.wants_browser and reactor != ASYNCIO_REACTOR and not problems:
        problems.append(
            f"rendering needs TWISTED_REACTOR = {ASYNCIO_REACTOR}, not {reactor} (or use --render never)"
        )
    try:
        AddressPolicy.parse(setting_value(settings))
    except ValueError as exc:
        problems.append(str(exc))
    proxy = proxy_setting(settings)
    if proxy:
        try:
            check_proxy_url(proxy, from_command_line=False)
        except ProxyURLError as exc:
            problems.append(f"ARCHIVE_PROXY: {exc}")
    return problems


_CACHE: WeakKeyDictionary[Crawler, ArchiveSettings] = WeakKeyDictionary()


def archive_settings(crawler: Crawler) -> ArchiveSettings:
    """The crawl's ArchiveSettings, built from its settings on the first call and kept for the
    crawler's life (components call it in `from_crawler`, when the settings are final). Asked for
    earlier — Scrapy builds the spider before the add-on has put the defaults in — it is built but
    not kept."""
    found = _CACHE.get(crawler)
    if found is None:
        found = ArchiveSettings.from_settings(crawler.settings)
        if crawler.settings.frozen:
            _CACHE[crawler] = found
    return found


def reference_path(obj: Any) -> str:
    """The import path of a class or function, as Scrapy's settings name components."""
    return f"{obj.__module__}.{obj.__qualname__}"


class _Reader:
    """Reads one setting at a time, noting a line for each bad value (which then gets its default)."""

    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings
        self.problems: list[str] = []

    def raw(self, name: str) -> Any:
        value = self.settings.get(name)
        return getattr(default_settings, name) if value is None else value

    def default(self, name: str) -> Any:
        return getattr(default_settings, name)

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        self.problems.append(f"{name} must be true or false, not {value!r}")
        return bool(self.default(name))

    def text(self, name: str) -> str:
        return str(self.raw(name) or "").strip()

    def count(
        self, name: str, wording: str = "{name} must be a whole number (0 or more), not {value!r}"
    ) -> int:
        value = self.raw(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        self.problems.append(wording.format(name=name, value=value))
        return int(self.default(name))

    def seconds(self, name: str) -> float:
        value = self.raw(name)
        try:
            seconds = float(value)
            ok = seconds >= 0 and not isinstance(value, bool)
        except (TypeError, ValueError):
            ok = False
        if ok:
            return seconds
        self.problems.append(f"{name} must be a number of seconds, not {value!r}")
        return float(self.default(name))

    def choice(self, name: str, kind: type[_Choice]) -> _Choice:
        value = self.raw(name)
        try:
            return kind(str(value or self.default(name)).strip().lower())
        except ValueError:
            allowed = [member.value for member in kind]
            said = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            self.problems.append(f"{name} must be {said}, not {value!r}")
            return kind(self.default(name))

    def names(self, name: str) -> tuple[str, ...]:
        """A list setting: a list, or a comma-separated string."""
        value = self.raw(name)
        items: Iterable[Any] = value.split(",") if isinstance(value, str) else value
        return tuple(str(item).strip() for item in items if str(item).strip())

    def snapshots(self) -> frozenset[SnapshotKind]:
        name = "ARCHIVE_RENDER_SNAPSHOTS"
        listed = {kind.lower() for kind in self.names(name)}
        unknown = listed - {kind.value for kind in SnapshotKind}
        if unknown:
            self.problems.append(
                f"{name} lists {', '.join(sorted(unknown))}: "
                f"it takes {', '.join(SnapshotKind)} (comma-separated), or nothing"
            )
            listed -= unknown
        return frozenset(SnapshotKind(kind) for kind in listed)

    def gzip_level(self) -> int:
        name = "ARCHIVE_GZIP_LEVEL"
        value = self.raw(name)
        if str(value).strip() in {str(n) for n in range(10)} and not isinstance(value, bool):
            return int(str(value).strip())
        self.problems.append(f"{name} must be a gzip level, 0-9, not {value!r}")
        return int(self.default(name))

    def reference(self, name: str) -> Callable[..., Any]:
        """A class or function: the object itself, or its import path (loaded here)."""
        value = self.raw(name)
        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]
        try:
            return load_object(value)  # type: ignore[no-any-return]
        except (ImportError, NameError, ValueError) as exc:
            self.problems.append(f"{name}: cannot load {value!r} ({exc})")
            return load_object(self.default(name))  # type: ignore[no-any-return]
