"""One ADDONS entry turns the archive on: handler, resume middleware, extension, defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.pipeline import ExtractionPipeline

from .default_settings import apply_defaults
from .extension import ArchiveExtension
from .resume import ResumeMiddleware

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

HANDLER = "archive_store.capture.ArchivingDownloadHandler"


def _quiet_offline_tldextract() -> None:
    """Scrapy's cookie middleware builds a TLDExtract that downloads the public-suffix list on first
    use; offline that logs tracebacks before it falls back to the bundled copy. Use the bundled copy
    from the start (the list changes rarely; cookies on gov sites do not depend on new suffixes)."""
    from scrapy.downloadermiddlewares import cookies  # noqa: PLC0415
    from tldextract import TLDExtract  # noqa: PLC0415

    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class ArchiveAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings)
        handlers = settings["DOWNLOAD_HANDLERS"]
        for scheme in ("http", "https"):
            handlers.set(scheme, HANDLER, priority="addon")
        # 950: on the downloader side of HttpCacheMiddleware (900), like the handler it stands in for
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ResumeMiddleware, 950)
        settings.set_in_component_priority_dict("EXTENSIONS", ArchiveExtension, 0)
        settings.set_in_component_priority_dict("ITEM_PIPELINES", ExtractionPipeline, 300)
        _quiet_offline_tldextract()
