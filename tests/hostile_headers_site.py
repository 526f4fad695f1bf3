"""Answers that break HTTP in ways whose failure reason must name the right cause.
Serve with `ServedSite("tests/hostile_headers_site.py:ROUTES")`."""

from __future__ import annotations

import gzip

from sourcekeeper.demo.rawsite import Close, RawReply, RawRequest, Send, SiteState, page

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
BOMB = gzip.compress(b"\0" * (4 << 20))  # 4 MiB of zeros in ~4 KB


def bad_header_name(req: RawRequest, site: SiteState) -> RawReply:
    return [Send(HEAD + b"X-Bad\x01Name: v\r\nContent-Length: 5\r\n\r\nhello"), Close()]


def long_header_line(req: RawRequest, site: SiteState) -> RawReply:
    return [Send(HEAD + b"X-Long: " + b"a" * (2 << 20) + b"\r\nContent-Length: 5\r\n\r\nhello"), Close()]


def bad_chunk_size(req: RawRequest, site: SiteState) -> RawReply:
    body = b"5\r\nhello\r\nzz\r\nxx\r\n0\r\n\r\n"
    return [Send(HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + body), Close()]


def gzip_bomb(req: RawRequest, site: SiteState) -> RawReply:
    return page(BOMB, headers=[(b"Content-Encoding", b"gzip")])


ROUTES = {
    "/bad-header-name": bad_header_name,
    "/long-header-line": long_header_line,
    "/bad-chunk-size": bad_chunk_size,
    "/gzip-bomb": gzip_bomb,
}
