"""Name why a fetch failed, in words a person can act on, and how a cut body is marked (W-TRUNC).

Each reason is one sentence without Python reprs: the cause, and where there is one, what to try.
The underlying library message is kept only when it adds something a person can use (an OpenSSL
reason, a SOCKS reply), never as `[<twisted.python.failure.Failure …>]`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, ResponseDataLossError

from archive_store.net.netpolicy import HOW_TO_ALLOW
from archive_store.net.plainwords import REFUSED, SLOW, plain_error
from archive_store.net.plainwords import plain_message as _plain

if TYPE_CHECKING:
    from scrapy import Request

_NO_HOST = "DNS: no such host (the name does not resolve; check the spelling, or the site is gone)"
_BY_NAME = {
    "DNSLookupError": _NO_HOST,
    "CannotResolveHostError": _NO_HOST,
    "DownloadConnectionRefusedError": REFUSED,
    "ConnectionRefusedError": REFUSED,
    "TCPTimedOutError": "could not connect: the server did not answer (it may be down or block this network)",
    "DownloadTimeoutError": "timed out",
    "TimeoutError": "timed out",
    "ConnectionLost": "the connection was lost before the answer was complete",
    "ConnectionDone": "the server closed the connection",
    "ResponseDataLossError": "connection closed before the declared Content-Length arrived",
    "ResponseFailed": "the connection was reset or lost while reading the answer",
    "ResponseNeverReceived": "the server closed or reset the connection before answering",
    "DownloadFailedError": "the connection was reset or lost while reading the answer",
    "DownloadCancelledError": "download cancelled",
    "UnsupportedURLSchemeError": "unsupported URL scheme (only http and https are fetched)",
    "NotSupported": "unsupported URL scheme (only http and https are fetched)",
    "NoRouteError": "no route to the server's network (check this machine's connection)",
    "SocksError": "the SOCKS proxy failed",
    "TunnelError": "the proxy refused to open a tunnel to the server",
    "PrivateAddressRefused": f"refused: private address ({HOW_TO_ALLOW})",
    "InvalidHeaderName": (
        "the server sent a header whose name holds a byte HTTP does not allow, "
        "so its answer could not be read"
    ),
    "_MalformedChunkedDataError": "the server sent a malformed chunked body (a bad chunk size or chunk end)",
    "BadResponseVersion": "the server's status line is not HTTP (wrong protocol on this port?)",
    "ParseError": "the server's answer is not valid HTTP (its status line or headers cannot be read)",
}
# LineReceiver's limit in Twisted's HTTP client: a longer status or header line makes the client
# drop the connection, which then reads like the server closing it
HEADER_LINE_LIMIT = 16384
_DATA_LOSS = ("ResponseDataLossError", "_DataLoss")
# request.meta: the reason the recording handler gave this attempt's failure, from the bytes it
# taped as well as the exception (the spider's errback sees only the exception)
FAILURE_REASON_META = "archive_failure_reason"
# on an exception: the first bytes the server sent before the failure (set by the recording protocol)
RECEIVED_ATTR = "archive_received"

# OpenSSL reasons worth translating (lower case, as they appear in pyOpenSSL's error lists)
_OLD_TLS = "the server only offers an old TLS version (1.0/1.1) or old ciphers, which this OpenSSL refuses"
_TLS_REASONS = (
    ("unsupported protocol", _OLD_TLS),
    ("protocol version", _OLD_TLS),
    ("no protocols available", _OLD_TLS),
    ("no ciphers available", _OLD_TLS),
    ("dh key too small", "the server's key exchange is too weak for this OpenSSL"),
    ("handshake failure", "the server and this client found no TLS version and cipher in common"),
    ("no shared cipher", "the server and this client found no TLS version and cipher in common"),
    ("unsafe legacy renegotiation", "the server needs legacy renegotiation, which this OpenSSL refuses"),
    ("wrong version number", "the server did not answer in TLS (is it plain HTTP on this port?)"),
    ("unexpected eof", "the server closed the connection during the TLS handshake"),
    ("unrecognized name", "the server does not know the name it was asked for (SNI)"),
)
# the legacy fallback is on by default; when it is off, that is what to try
_TLS_HINT = "the archive tries a legacy TLS mode next unless ARCHIVE_TLS_LEGACY is false"


def _chain(exc: BaseException) -> list[Any]:
    """The exception, what it wraps (causes, Twisted's `reasons` failures), breadth first."""
    found: list[Any] = []
    pending: list[Any] = [exc]
    while pending:
        item = pending.pop(0)
        if item is None or any(item is seen for seen in found):
            continue
        found.append(item)
        pending.extend([getattr(item, "__cause__", None), getattr(item, "__context__", None)])
        pending.extend(getattr(reason, "value", None) for reason in getattr(item, "reasons", None) or [])
    return found


def _tls_reason(errors: list[Any]) -> str | None:
    """A plain sentence for an OpenSSL error anywhere in the chain, or None."""
    for item in errors:
        if type(item).__name__ != "Error" or "SSL" not in type(item).__module__:
            continue
        text = " ".join(str(part) for entry in (item.args[0] if item.args else []) for part in entry)
        lowered = text.lower()
        for needle, words in _TLS_REASONS:
            if needle in lowered:
                return f"TLS handshake failed: {words} ({_TLS_HINT})"
        detail = re.sub(r"\s+", " ", text).strip() or "no reason given"
        return f"TLS handshake failed: {detail} ({_TLS_HINT})"
    return None


def _cause_from_bytes(names: set[str], received: bytes) -> str | None:
    """What the bytes the server sent show that the exception cannot: a head line too long
    for the client, or a chunked body (a "data loss" there is a chunk, not Content-Length)."""
    head, ended, _ = bytes(received).partition(b"\r\n\r\n")
    closed = names & {"ConnectionDone", "ConnectionLost", "ResponseNeverReceived"}
    if not ended and closed and any(len(line) > HEADER_LINE_LIMIT for line in head.split(b"\n")):
        return (
            f"a status or header line longer than {HEADER_LINE_LIMIT // 1024} KiB: this client "
            "stopped reading and closed the connection (the server did not)"
        )
    if ended and names & set(_DATA_LOSS):
        chunked = any(
            line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower()
            for line in head.split(b"\r\n")
        )
        if chunked:
            return (
                "the chunked body broke off: a malformed chunk size, or the connection closed "
                "inside a chunk (there is no declared Content-Length)"
            )
    return None


def describe_failure(
    exc: BaseException, request: Request | None = None, received: bytes | None = None
) -> str:
    """One plain sentence for why a fetch failed; `received`: the bytes the server sent, when
    the caller taped them (they tell a client-side limit and a chunked body apart)."""
    if received is None and request is not None and request.meta.get(FAILURE_REASON_META):
        return str(request.meta[FAILURE_REASON_META])
    errors = _chain(exc)
    tls = _tls_reason(errors)
    if tls is not None:
        return tls
    names = {type(item).__name__ for item in errors}
    if "_MalformedChunkedDataError" in names:
        return _BY_NAME["_MalformedChunkedDataError"]
    if not received:
        received = next((getattr(e, RECEIVED_ATTR) for e in errors if getattr(e, RECEIVED_ATTR, None)), None)
    from_bytes = _cause_from_bytes(names, received) if received else None
    if from_bytes is not None:
        return from_bytes
    for item in errors:  # the innermost named cause is the one a person can act on
        name = type(item).__name__
        if name in {"PrivateAddressRefused", "SocksError"}:
            return str(item) if name == "PrivateAddressRefused" else f"{_BY_NAME[name]}: {_plain(item)}"
    first = errors[0]
    if type(first).__name__ == "TunnelError":
        status = re.search(r"HTTP/1\.[01] (\d{3}[^\\\r\n'\]]*)", str(first))
        answer = f" (it answered {status.group(1).strip()})" if status else ""
        return f"{_BY_NAME['TunnelError']}{answer}; check the proxy address and its login"
    text = str(first).lower()
    if type(first).__name__ == "IgnoreRequest" and "decompress" in text:
        return (
            "the compressed body inflates to more than DOWNLOAD_MAXSIZE (a compression bomb, or raise "
            "the limit with -s DOWNLOAD_MAXSIZE=BYTES); the compressed bytes are what was archived"
        )
    if isinstance(first, DownloadCancelledError) and ("maxsize" in text or "max size" in text):
        return "the body is larger than DOWNLOAD_MAXSIZE (raise it with -s DOWNLOAD_MAXSIZE=BYTES)"
    if isinstance(first, DownloadTimeoutError) or type(first).__name__ in {
        "TimeoutError",
        "DownloadTimeoutError",
    }:
        timeout = request.meta.get("download_timeout") if request is not None else None
        after = f" after {timeout:g} s" if isinstance(timeout, int | float) else ""
        return f"timed out{after} ({SLOW})"
    # the wrappers' own words, unless what they wrap says more ("connection lost" says less
    # than "before answering")
    generic = {"ResponseNeverReceived", "DownloadFailedError", "ResponseFailed"}
    if "ResponseNeverReceived" in names:
        generic |= {"ConnectionLost", "ConnectionDone"}
    for item in errors:
        base = _BY_NAME.get(type(item).__name__)
        if base is not None and type(item).__name__ not in generic:
            return base
    if "ResponseNeverReceived" in names:
        return _BY_NAME["ResponseNeverReceived"]
    for item in errors:
        base = _BY_NAME.get(type(item).__name__)
        if base is not None:
            return base
    return plain_error(first)


def truncation_for(exc: BaseException) -> str:
    """WARC-Truncated value for a body cut by this failure: length, time or disconnect."""
    if isinstance(exc, DownloadCancelledError):
        return "length"
    if isinstance(exc, DownloadTimeoutError):
        return "time"
    if isinstance(exc, ResponseDataLossError):
        return "disconnect"
    return "disconnect"
