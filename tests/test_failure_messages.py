"""Plain-language failures (issue 16): each failure class a crawl can meet becomes one sentence a
person can act on, without Python reprs or doubled prefixes; and what a user sees at the default
log level is our summary, not Scrapy's retry line beside it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from archive_helpers import archive_cli
from OpenSSL import SSL
from scrapy import Request
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from twisted.internet.error import ConnectionLost, DNSLookupError, NoRouteError, TCPTimedOutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from archive_store.crawl.capture.endpoints import SocksError
from archive_store.crawl.failures import describe_failure
from archive_store.net.netpolicy import PrivateAddressRefused

# what every refusal says (the words a user reads, spelled out here)
HOW_TO_ALLOW = "(to allow it: -s ARCHIVE_ALLOW_PRIVATE=true, or allow_private = true in sourcekeeper.toml)"


def _wrapped(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


def _never_received(inner: BaseException) -> ResponseNeverReceived:
    try:
        raise inner
    except type(inner):
        failure = Failure()
    return ResponseNeverReceived([failure])


_OLD_TLS = SSL.Error([("SSL routines", "", "tlsv1 alert protocol version")])
_NO_CIPHER = SSL.Error([("SSL routines", "", "sslv3 alert handshake failure")])
_ODD_TLS = SSL.Error([("SSL routines", "", "certificate verify failed")])

CASES = [
    (
        "dns",
        _wrapped(CannotResolveHostError("DNS lookup failed: no results"), DNSLookupError("x.invalid")),
        "DNS: no such host (the name does not resolve; check the spelling, or the site is gone)",
    ),
    (
        "refused",
        DownloadConnectionRefusedError("Connection was refused by other side: 111: Connection refused."),
        "connection refused (nothing listens on that port; the server may be down)",
    ),
    (
        "timeout",
        DownloadTimeoutError("Getting http://x/ took longer than 60.0 seconds."),
        "timed out after 60 s (the server is slow or drops this network; try later or raise "
        "DOWNLOAD_TIMEOUT)",
    ),
    (
        "tcp timeout",
        TCPTimedOutError(),
        "could not connect: the server did not answer (it may be down or block this network)",
    ),
    (
        "no route",
        NoRouteError(),
        "no route to the server's network (check this machine's connection)",
    ),
    (
        "old tls",
        _never_received(_OLD_TLS),
        "TLS handshake failed: the server only offers an old TLS version (1.0/1.1) or old ciphers, which "
        "this OpenSSL refuses (the archive tries a legacy TLS mode next unless ARCHIVE_TLS_LEGACY is false)",
    ),
    ("no cipher", _never_received(_NO_CIPHER), "TLS handshake failed: the server and this client found no"),
    ("other tls", _never_received(_ODD_TLS), "TLS handshake failed: SSL routines certificate verify failed"),
    (
        "reset before answer",
        _never_received(ConnectionLost()),
        "the server closed or reset the connection before answering",
    ),
    (
        "reset mid-answer",
        _wrapped(DownloadFailedError("[<twisted.python.failure.Failure ...>]"), ResponseFailed([])),
        "the connection was reset or lost while reading the answer",
    ),
    (
        "data loss",
        ResponseDataLossError("Getting http://x/ failed, data loss"),
        "connection closed before the declared Content-Length arrived",
    ),
    (
        "too large",
        DownloadCancelledError("Expected to receive 9 bytes which is larger than download max size (5)"),
        "the body is larger than DOWNLOAD_MAXSIZE (raise it with -s DOWNLOAD_MAXSIZE=BYTES)",
    ),
    ("scheme", UnsupportedURLSchemeError("ftp"), "unsupported URL scheme (only http and https are fetched)"),
    (
        "private",
        PrivateAddressRefused("10.0.0.5"),
        f"refused: private address 10.0.0.5 {HOW_TO_ALLOW}",
    ),
    (
        "socks",
        SocksError("the SOCKS5 proxy could not connect: host unreachable from the proxy"),
        "the SOCKS proxy failed: the SOCKS5 proxy could not connect: host unreachable from the proxy",
    ),
    (
        "tunnel",
        TunnelError(
            "Could not open CONNECT tunnel with proxy 127.0.0.1:3128 "
            "[b'HTTP/1.1 407 Proxy Authentication Required\\r\\n']"
        ),
        "the proxy refused to open a tunnel to the server (it answered 407 Proxy Authentication Required); "
        "check the proxy address and its login",
    ),
    ("unknown", ValueError("odd thing"), "odd thing"),
]


@pytest.mark.parametrize(("name", "exc", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_failure_class_reads_as_one_plain_sentence(name: str, exc: BaseException, expected: str) -> None:
    request = Request("http://example.gov.cn/", meta={"download_timeout": 60})
    reason = describe_failure(exc, request)
    assert reason.startswith(expected), reason
    assert "Failure" not in reason and "<" not in reason and "\n" not in reason
    first = reason.split(":")[0]
    assert reason.count(first) == 1 or name == "socks", reason  # no doubled prefix


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_user_sees_our_summary_only(tmp_path: Path) -> None:
    """Connection refused (retried twice), a name that does not resolve: one line each on stderr,
    no Scrapy retry ERROR line, no reprs; -v still shows Scrapy's own lines."""
    refused = f"http://127.0.0.1:{_closed_port()}/notice.html"
    unknown = "http://no-such-host.invalid/notice.html"
    result = archive_cli(tmp_path / "a", "-s", "RETRY_TIMES=2", refused, unknown)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        f"  {refused}: failed: connection refused (nothing listens on that port; the server may be down)"
        in lines
    ), lines
    assert any(line.startswith(f"  {unknown}: failed: DNS: no such host") for line in lines), lines
    assert "Gave up retrying" not in result.stderr
    assert "twisted" not in result.stderr and "Failure" not in result.stderr
    assert len(lines) <= 7, lines  # summary, two seeds' verdicts, their counts, the WARC (none), the index
    verbose = archive_cli(tmp_path / "b", "-v", "-s", "RETRY_TIMES=1", refused)
    assert "Gave up retrying" in verbose.stderr


def _twisted_response_failed(inner: BaseException) -> BaseException:
    from twisted.python.failure import Failure
    from twisted.web._newclient import ResponseFailed

    try:
        raise inner
    except BaseException:
        return ResponseFailed([Failure()])


def test_a_bad_byte_in_a_header_name_is_named_not_a_reset() -> None:
    from twisted.web.http_headers import InvalidHeaderName

    reason = describe_failure(_twisted_response_failed(InvalidHeaderName(b"X-Bad\x01Name")))
    assert reason.startswith("the server sent a header whose name holds a byte HTTP does not allow"), reason
    assert "reset" not in reason and "InvalidHeaderName" not in reason


def test_a_malformed_chunk_size_blames_the_chunk_not_content_length() -> None:
    from twisted.web.http import _MalformedChunkedDataError

    reason = describe_failure(
        _twisted_response_failed(_MalformedChunkedDataError("Chunk-size must be an integer."))
    )
    assert reason == "the server sent a malformed chunked body (a bad chunk size or chunk end)"
    # seen only as data loss: the taped head says the body was chunked
    from scrapy.exceptions import ResponseDataLossError

    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
    reason = describe_failure(ResponseDataLossError("data loss"), None, head)
    assert reason.startswith("the chunked body broke off") and "no declared Content-Length" in reason


def test_a_2_mb_header_line_is_the_clients_limit_not_the_server_closing() -> None:
    from twisted.internet.error import ConnectionDone
    from twisted.python.failure import Failure
    from twisted.web._newclient import ResponseNeverReceived

    received = b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * (2 << 20)
    exc = ResponseNeverReceived([Failure(ConnectionDone())])
    reason = describe_failure(exc, None, received)
    assert "longer than 16 KiB" in reason and "this client stopped reading" in reason, reason
    assert describe_failure(exc, None, b"") == "the server closed or reset the connection before answering"


def test_a_gzip_bomb_and_a_refused_lookup_read_as_plain_words() -> None:
    import urllib.error

    from scrapy.exceptions import IgnoreRequest

    from archive_store.net.netpolicy import PrivateAddressRefused
    from archive_store.net.plainwords import plain_error

    bomb = IgnoreRequest(
        "Ignored response <200 http://x/> because its body (1 B compressed, 9 B decompressed so far) "
        "exceeded DOWNLOAD_MAXSIZE (5 B) during decompression."
    )
    reason = describe_failure(bomb)
    assert reason.startswith("the compressed body inflates to more than DOWNLOAD_MAXSIZE"), reason
    assert "IgnoreRequest" not in reason
    refused = plain_error(urllib.error.URLError(PrivateAddressRefused("10.0.0.5")))
    assert refused.startswith("refused: private address 10.0.0.5"), refused
    assert plain_error(urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))).startswith(
        "connection refused"
    )
    for text in (refused, reason):
        assert "Error" not in text and "<urlopen" not in text


def test_an_item_in_a_log_line_never_shows_the_page_body() -> None:
    from archive_store.index.captureref import CaptureRef
    from pipelines.items import ArchivedResponse, RecheckedResponse

    ref = CaptureRef(
        1, "http://x/", "<urn:uuid:1>", "response", "a.warc.gz", 0, 9, "2026-12-01T00:00:00Z", 200, None, None
    )
    plain = ArchivedResponse("http://x/", "http://x/", 200, [], "正文内容".encode() * 1000, ref)
    rechecked = RecheckedResponse(**vars(plain))
    for item in (plain, rechecked):
        assert "正文" not in repr(item) and "\\xe6" not in repr(item) and "http://x/" in repr(item)


@pytest.mark.slow
def test_hostile_answers_are_named_by_their_real_cause(tmp_path: Path) -> None:
    from archive_helpers import archive_cli

    from sourcekeeper.demo.rawsite import ServedSite

    expected = {
        "/bad-header-name": "the server sent a header whose name holds a byte HTTP does not allow",
        "/long-header-line": "a status or header line longer than 16 KiB: this client stopped reading",
        "/bad-chunk-size": "the server sent a malformed chunked body (a bad chunk size or chunk end)",
        "/gzip-bomb": "the compressed body inflates to more than DOWNLOAD_MAXSIZE",
    }
    with ServedSite("tests/hostile_headers_site.py:ROUTES") as site:
        result = archive_cli(tmp_path / "archive", *map(site.url, expected), "-s", "DOWNLOAD_MAXSIZE=1000000")
        base = site.url("")
    assert result.returncode == 1, result.stderr
    # a seed that failed says so in its verdict line (`  URL: failed: reason`); a seed captured whose
    # body could not be used, in a failure line below (`  failed: URL — reason`)
    lines = {}
    for line in result.stderr.splitlines():
        if line.startswith("  failed: "):
            url, reason = line.removeprefix("  failed: ").split(" — ", 1)
        elif line.startswith(f"  {base.rstrip('/')}") and ": failed: " in line:
            url, reason = line.strip().split(": failed: ", 1)
        else:
            continue
        lines[url.removeprefix(base.rstrip("/"))] = reason
    assert set(lines) == set(expected), result.stderr
    for path, words in expected.items():
        assert lines[path].startswith(words), (path, lines[path])
        for misleading in ("reset or lost", "server closed", "Content-Length", "Error", "IgnoreRequest"):
            assert misleading not in lines[path], (path, lines[path])


def test_a_refused_memento_lookup_reads_as_plain_words() -> None:
    import urllib.error

    from archive_store.net.memento import lookup
    from archive_store.net.netpolicy import PrivateAddressRefused

    class Refusing:
        def get(self, url: str, accept: str) -> tuple[str, bytes]:
            raise urllib.error.URLError(PrivateAddressRefused("10.0.0.5"))

    found = lookup("http://example.gov.cn/a", ["http://10.0.0.5/coll/timemap/link/"], Refusing())  # type: ignore[arg-type]
    assert found.problems == [
        "10.0.0.5: refused: private address 10.0.0.5 "
        "(to allow it: -s ARCHIVE_ALLOW_PRIVATE=true, or allow_private = true in sourcekeeper.toml)"
    ]
