"""What each WARC file says about the crawl that wrote it (W-REL-3, W-FILE-2)."""

from __future__ import annotations

import json
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from archive_store.evidence.exports import RECORDED_SETTINGS
from archive_store.net.vantage import describe as describe_vantage
from archive_store.warc.writer import safe_hostname

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def package_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _accept_language(settings: BaseSettings) -> str:
    """The Accept-Language every request carries unless a request sets its own."""
    headers = settings.getdict("DEFAULT_REQUEST_HEADERS")
    found = {str(k).lower(): v for k, v in headers.items()}.get("accept-language")
    return found.decode() if isinstance(found, bytes) else str(found or "")


def warcinfo_fields(
    settings: BaseSettings, filename: str, serial: int, run_id: int | None
) -> list[tuple[str, str]]:
    stem = filename.removesuffix(".warc.gz")
    prefix, timestamp, serial_text, host = stem.rsplit("-", 3)
    redacted = settings.getlist("ARCHIVE_REDACT_HEADERS")
    recorded = {name: settings.get(name) for name in RECORDED_SETTINGS}
    return [
        (
            "software",
            f"sourcekeeper/{package_version('sourcekeeper')} (Scrapy/{package_version('Scrapy')}; "
            f"Twisted/{package_version('Twisted')}; Python/{platform.python_version()})",
        ),
        ("format", "WARC File Format 1.1"),
        (
            "conformsTo",
            "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        ),
        ("hostname", safe_hostname()),
        ("operator", settings.get("ARCHIVE_OPERATOR") or "unspecified"),
        ("http-header-user-agent", settings.get("USER_AGENT") or ""),
        ("http-header-accept-language", _accept_language(settings)),
        ("robots", "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"),
        ("isPartOf", f"sourcekeeper-run-{run_id}" if run_id is not None else "sourcekeeper"),
        ("run-id", str(run_id) if run_id is not None else ""),
        ("filename-prefix", prefix),
        ("filename-timestamp", timestamp),
        ("filename-serial", serial_text),
        ("filename-host", host),
        ("redacted-request-headers", ", ".join(redacted) if redacted else "none"),
        (
            "record-fidelity",
            "HTTP/1.x exchanges are recorded byte-exact from the connection, below "
            "every Scrapy middleware (chunked framing and content coding as sent); "
            "redacted request headers are the only change. HTTP/2 is not used.",
        ),
        ("vantage-point", describe_vantage(settings)),
        ("crawl-settings", json.dumps(recorded, sort_keys=True, default=str)),
    ]
