"""One ADDONS entry turns the archive on: handler, resume middleware, extension, defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object

from archive_store.crawl.archive_settings import reference_path
from archive_store.crawl.default_settings import apply_defaults
from archive_store.crawl.extension import ArchiveExtension
from archive_store.crawl.proxying import VantageMiddleware
from archive_store.crawl.render.middleware import PRIORITY as RENDER_PRIORITY
from archive_store.crawl.render.middleware import RenderMiddleware
from archive_store.crawl.render.session import PRIORITY as SESSION_PRIORITY
from archive_store.crawl.render.session import SiteSessionMiddleware
from archive_store.crawl.resume import ResumeMiddleware
from archive_store.crawl.scrapy_seams import leave_out_remote_control, quiet_offline_tldextract

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.settings import BaseSettings

HANDLER = "archive_store.crawl.capture.handler.ArchivingDownloadHandler"


class ArchiveAddon:
    """The archive alone: its extraction pipeline and challenge detector by the import paths in
    default_settings.py. The project's add-on (pipelines/addon.py) names them by reference."""

    # a subclass in a layer that may import them sets these (the archive never imports the pipelines)
    extraction_pipeline: type | None = None
    render_detector: Callable[..., Any] | None = None

    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings)
        # at add-on priority: above the defaults, below the project, the spider and -s
        for name, obj in (
            ("ARCHIVE_EXTRACTION_PIPELINE", self.extraction_pipeline),
            ("ARCHIVE_RENDER_DETECTOR", self.render_detector),
        ):
            if obj is not None:
                settings.set(name, reference_path(obj), priority="addon")
        handlers = settings["DOWNLOAD_HANDLERS"]
        for scheme in ("http", "https"):
            handlers.set(scheme, HANDLER, priority="addon")
        # setdefault: a component the user placed (or switched off with None) keeps its place.
        # 950: on the downloader side of HttpCacheMiddleware (900), like the handler it stands in for
        settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ResumeMiddleware, 950)
        # 585: after redirects (600) and decompression (590): pages behind JS challenges (issue 14)
        downloader_middlewares = "DOWNLOADER_MIDDLEWARES"
        settings.setdefault_in_component_priority_dict(
            downloader_middlewares, RenderMiddleware, RENDER_PRIORITY
        )
        # 650: a rendered site's later requests carry its browser context's cookies and user agent
        settings.setdefault_in_component_priority_dict(
            downloader_middlewares, SiteSessionMiddleware, SESSION_PRIORITY
        )
        # before HttpProxyMiddleware (750), which turns the proxy URL's login into a header
        settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", VantageMiddleware, 740)
        settings.setdefault_in_component_priority_dict("EXTENSIONS", ArchiveExtension, 0)
        # by import path (ARCHIVE_EXTRACTION_PIPELINE): the archive never imports the pipelines; read
        # here, before the settings are final, so not from ArchiveSettings
        pipeline = load_object(settings.get("ARCHIVE_EXTRACTION_PIPELINE"))
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", pipeline, 300)
        # the Scrapy behaviour the archive changes is listed, with reasons, in scrapy_seams
        leave_out_remote_control(settings)
        quiet_offline_tldextract()
