"""One ADDONS entry turns the archive on: handler, resume middleware, extension, defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .default_settings import apply_defaults

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

HANDLER = "archive_store.capture.ArchivingDownloadHandler"
RESUME_MIDDLEWARE = "archive_store.resume.ResumeMiddleware"
EXTENSION = "archive_store.extension.ArchiveExtension"
EXTRACTION_PIPELINE = "pipelines.pipeline.ExtractionPipeline"


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
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RESUME_MIDDLEWARE, 950)
        settings.set_in_component_priority_dict("EXTENSIONS", EXTENSION, 0)
        settings.set_in_component_priority_dict("ITEM_PIPELINES", EXTRACTION_PIPELINE, 300)
        _quiet_offline_tldextract()
