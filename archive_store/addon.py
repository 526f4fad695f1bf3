"""One ADDONS entry turns the archive on: handler, resume middleware, extension, defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.pipeline import ExtractionPipeline

from .default_settings import apply_defaults
from .extension import ArchiveExtension
from .resume import ResumeMiddleware
from .vantage import VantageMiddleware

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

HANDLER = "archive_store.capture.ArchivingDownloadHandler"
REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"


def _quiet_offline_tldextract() -> None:
    """Scrapy's cookie middleware builds a TLDExtract that downloads the public-suffix list on first
    use; offline that logs tracebacks before it falls back to the bundled copy. Use the bundled copy
    from the start (the list changes rarely; cookies on gov sites do not depend on new suffixes)."""
    from scrapy.downloadermiddlewares import cookies  # noqa: PLC0415
    from tldextract import TLDExtract  # noqa: PLC0415

    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def _leave_out_remote_control(settings: BaseSettings) -> None:
    """Scrapy 2.19 imports every extension named in EXTENSIONS_BASE and EXTENSIONS, disabled or
    not, so the remote control's aiohttp web server was imported to find out it is off: 0.12 to
    0.35 s of every crawl's start. Unless REMOTE_CONTROL_ENABLED is on, it is taken out of the base
    (an entry of None in EXTENSIONS does not help: that path is imported too)."""
    if settings.getbool("REMOTE_CONTROL_ENABLED"):
        return
    base = settings.getdict("EXTENSIONS_BASE")
    if base.pop(REMOTE_CONTROL, None) is not None:
        settings.set("EXTENSIONS_BASE", base, priority="addon")


class ArchiveAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings)
        handlers = settings["DOWNLOAD_HANDLERS"]
        for scheme in ("http", "https"):
            handlers.set(scheme, HANDLER, priority="addon")
        # 950: on the downloader side of HttpCacheMiddleware (900), like the handler it stands in for
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ResumeMiddleware, 950)
        # before HttpProxyMiddleware (750), which turns the proxy URL's login into a header
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", VantageMiddleware, 740)
        settings.set_in_component_priority_dict("EXTENSIONS", ArchiveExtension, 0)
        settings.set_in_component_priority_dict("ITEM_PIPELINES", ExtractionPipeline, 300)
        _leave_out_remote_control(settings)
        _quiet_offline_tldextract()
