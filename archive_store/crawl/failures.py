"""Name why a fetch failed, in words a person can act on, and how a cut body is marked (W-TRUNC)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, ResponseDataLossError

if TYPE_CHECKING:
    from scrapy import Request

_BY_NAME = {
    "DNSLookupError": "DNS lookup failed",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "TCPTimedOutError": "TCP connection timed out",
    "DownloadTimeoutError": "timed out",
    "TimeoutError": "timed out",
    "ConnectionLost": "connection lost",
    "ConnectionDone": "connection closed",
    "ResponseDataLossError": "connection closed before the declared Content-Length arrived",
    "ResponseFailed": "connection reset or lost while reading the response",
    "ResponseNeverReceived": "connection reset or closed before any response",
    "DownloadFailedError": "download failed",
    "DownloadCancelledError": "download cancelled",
    "SSLError": "TLS handshake failed",
    "CannotResolveHostError": "DNS lookup failed",
    "UnsupportedURLSchemeError": "unsupported URL scheme",
    "NotSupported": "unsupported URL scheme",
}


def describe_failure(exc: BaseException, request: Request | None = None) -> str:
    name = type(exc).__name__
    base = _BY_NAME.get(name, name)
    if isinstance(exc, DownloadCancelledError) and "maxsize" in str(exc).lower():
        base = "body larger than DOWNLOAD_MAXSIZE"
    if isinstance(exc, DownloadTimeoutError) and request is not None:
        timeout = request.meta.get("download_timeout")
        base = f"timed out after {timeout} s" if timeout else base
    detail = str(exc).strip()
    return f"{base}: {detail}"[:500] if detail and detail not in base else base


def truncation_for(exc: BaseException) -> str:
    """WARC-Truncated value for a body cut by this failure: length, time or disconnect."""
    if isinstance(exc, DownloadCancelledError):
        return "length"
    if isinstance(exc, DownloadTimeoutError):
        return "time"
    if isinstance(exc, ResponseDataLossError):
        return "disconnect"
    return "disconnect"
