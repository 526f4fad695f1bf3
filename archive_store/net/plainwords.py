"""An error of a call made outside the crawl (urllib, sockets) in words a person can act on."""

from __future__ import annotations

import re

REFUSED = "connection refused (nothing listens on that port; the server may be down)"
SLOW = "the server is slow or drops this network; try later or raise DOWNLOAD_TIMEOUT"


def plain_error(exc: BaseException) -> str:
    """Any other error in words, never its class name: the message, or what it wraps
    (`URLError: <urlopen error [Errno 111] Connection refused>` reads "connection refused")."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        return plain_error(reason)
    if isinstance(exc, ConnectionRefusedError):
        return REFUSED
    if isinstance(exc, TimeoutError):
        return f"timed out ({SLOW})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    detail = reason.strip() if isinstance(reason, str) else plain_message(exc)
    detail = re.sub(r"^<urlopen error (.*)>$", r"\1", detail)
    return detail[:300] or "failed for a reason the library did not name"


def plain_message(exc: BaseException) -> str:
    """The exception's message, with reprs of Twisted failures and exception lists taken out."""
    text = str(exc)
    text = re.sub(r"\[?<twisted\.python\.failure\.Failure [^>]*>\]?", "", text)
    return re.sub(r"\s+", " ", text).strip(" :.")
