"""ARCHIVE_ALLOW_PRIVATE for `recover`'s TimeMap / CDX calls and for push (issue 17): the host is
resolved, every address checked, a private one refused unless allowed, redirect hops included;
the refusal is reported as the endpoint's problem, with its reason, and nothing is sent there."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from archive_store.net.memento import Fetcher, lookup
from archive_store.net.netpolicy import AddressPolicy
from archive_store.net.push import push_one

ORIGINAL = "http://gov.example.cn/notice.html"


class _Archive(BaseHTTPRequestHandler):
    """/timemap/<url>: a TimeMap of one memento; /moved/<url>: a redirect to `redirect_to`;
    /save/<url>: a Save-Page-Now-style answer naming its memento."""

    seen: ClassVar[Counter[str]] = Counter()
    redirect_to: ClassVar[str] = ""

    def do_GET(self) -> None:
        kind = self.path.lstrip("/").split("/", 1)[0]
        type(self).seen[f"{self.server.server_address[0]}/{kind}"] += 1
        if kind == "moved":
            self._send(302, b"", Location=type(self).redirect_to)
            return
        if kind == "save":
            self._send(302, b"", Location=f"/web/20261201000000/{ORIGINAL}")
            return
        body = (
            f'<{ORIGINAL}>; rel="original",\n'
            f'</web/20200114080000/{ORIGINAL}>; rel="memento"; datetime="Tue, 14 Jan 2020 08:00:00 GMT"\n'
        ).encode()
        self._send(200, body, **{"Content-Type": "application/link-format"})

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(host: str) -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), _Archive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def archive() -> Iterator[str]:
    _Archive.seen.clear()
    yield from _serve("127.0.0.1")


@pytest.fixture
def other_archive() -> Iterator[str]:
    yield from _serve("127.0.0.2")  # the whole of 127.0.0.0/8 is loopback on Linux


def _fetcher(policy: AddressPolicy | None) -> Fetcher:
    return Fetcher(timeout=10, retries=0, policy=policy)


def test_a_private_timemap_is_refused_by_default_and_nothing_is_sent(archive):
    found = lookup(ORIGINAL, [f"{archive}/timemap/"], _fetcher(AddressPolicy()))
    assert found.mementos == []
    [problem] = found.problems
    assert "refused: private address 127.0.0.1" in problem
    assert "-s ARCHIVE_ALLOW_PRIVATE=true, or allow_private = true in sourcekeeper.toml" in problem
    assert sum(_Archive.seen.values()) == 0


def test_a_name_is_resolved_and_its_address_checked(archive):
    port = archive.rsplit(":", 1)[1]
    found = lookup(ORIGINAL, [f"http://localhost:{port}/timemap/"], _fetcher(AddressPolicy()))
    assert found.mementos == [] and "refused: private address" in found.problems[0]
    assert sum(_Archive.seen.values()) == 0


def test_allowed_networks_let_the_timemap_through(archive):
    found = lookup(ORIGINAL, [f"{archive}/timemap/"], _fetcher(AddressPolicy.parse("127.0.0.0/8")))
    assert found.problems == []
    assert [m.datetime for m in found.mementos] == ["2020-01-14T08:00:00Z"]
    assert _Archive.seen["127.0.0.1/timemap"] == 1


def test_a_redirect_hop_to_an_address_not_allowed_is_refused(archive, other_archive):
    _Archive.redirect_to = f"{other_archive}/timemap/{ORIGINAL}"
    only_first = AddressPolicy.parse("127.0.0.1/32")
    found = lookup(ORIGINAL, [f"{archive}/moved/"], _fetcher(only_first))
    assert found.mementos == [] and "refused: private address 127.0.0.2" in found.problems[0]
    assert _Archive.seen["127.0.0.1/moved"] == 1 and _Archive.seen["127.0.0.2/timemap"] == 0
    # with both allowed, the same redirect is followed to the TimeMap
    both = lookup(ORIGINAL, [f"{archive}/moved/"], _fetcher(AddressPolicy.parse("127.0.0.0/8")))
    assert both.problems == [] and len(both.mementos) == 1


def test_without_a_policy_the_environment_decides(archive, monkeypatch):
    monkeypatch.delenv("ARCHIVE_ALLOW_PRIVATE", raising=False)
    refused = lookup(ORIGINAL, [f"{archive}/timemap/"], _fetcher(None))
    assert refused.mementos == [] and "refused: private address" in refused.problems[0]
    monkeypatch.setenv("ARCHIVE_ALLOW_PRIVATE", "true")
    allowed = lookup(ORIGINAL, [f"{archive}/timemap/"], _fetcher(None))
    assert len(allowed.mementos) == 1


def test_push_to_a_private_endpoint_is_refused_unless_allowed(archive):
    refused = push_one(ORIGINAL, f"{archive}/save/", 10, AddressPolicy())
    assert refused.memento_url is None and refused.http_status is None
    assert refused.error is not None and "refused: private address 127.0.0.1" in refused.error
    assert sum(_Archive.seen.values()) == 0
    pushed = push_one(ORIGINAL, f"{archive}/save/", 10, AddressPolicy.parse("true"))
    assert pushed.error is None and pushed.memento_url == f"{archive}/web/20261201000000/{ORIGINAL}"
