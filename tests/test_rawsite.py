"""The raw test server: what reaches a plain socket is exactly what it records as sent."""

from __future__ import annotations

import gzip
import os
import re
import socket
import struct
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from sourcekeeper.demo import site as demo
from sourcekeeper.demo.rawsite import Close, Send, ServedSite, chunk_body, http_response, status_head

MOCKSITE = f"{Path(__file__).with_name('mocksite.py')}:ROUTES"


@pytest.fixture(scope="module")
def mock() -> Iterator[ServedSite]:
    with ServedSite(MOCKSITE) as served:
        yield served


@pytest.fixture(scope="module")
def demo_site() -> Iterator[ServedSite]:
    with ServedSite("sourcekeeper.demo.site:DEMO_ROUTES") as served:
        yield served


def address(site: ServedSite) -> tuple[str, int]:
    parts = urlsplit(site.base_url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def request(target: bytes, extra: bytes = b"", close: bool = True) -> bytes:
    connection = b"Connection: close\r\n" if close else b""
    return b"GET %s HTTP/1.1\r\nHost: test\r\n%s%s\r\n" % (target, extra, connection)


def read_to_eof(sock: socket.socket) -> bytes:
    chunks = []
    while data := sock.recv(65536):
        chunks.append(data)
    return b"".join(chunks)


def get(site: ServedSite, target: bytes, extra: bytes = b"") -> bytes:
    """One request on a fresh connection; the whole response up to the server's FIN."""
    with socket.create_connection(address(site), timeout=5) as sock:
        sock.sendall(request(target, extra))
        return read_to_eof(sock)


def split(response: bytes) -> tuple[bytes, bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    return head, body


def header(head: bytes, name: bytes) -> list[bytes]:
    lines = head.split(b"\r\n")[1:]
    return [line.partition(b": ")[2] for line in lines if line.partition(b":")[0].lower() == name]


def dechunk(framed: bytes) -> tuple[bytes, list[int], bytes]:
    """Body, chunk sizes and trailer section of a chunked body (strict: no bytes left over)."""
    body, sizes, pos = b"", list[int](), 0
    while True:
        line_end = framed.index(b"\r\n", pos)
        size = int(framed[pos:line_end].partition(b";")[0], 16)
        pos = line_end + 2
        if size == 0:
            trailer = framed[pos:]
            assert trailer.endswith(b"\r\n")
            return body, sizes, trailer
        sizes.append(size)
        body += framed[pos : pos + size]
        assert framed[pos + size : pos + size + 2] == b"\r\n"
        pos += size + 2


def open_url(url: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


# --- the engine's reply builders -----------------------------------------------------------------


def test_headers_are_written_exactly_as_given() -> None:
    head = status_head(200, b"Okay Then", [(b"x-a", b"1"), (b"X-A", b"2")], b"HTTP/1.0")
    assert head == b"HTTP/1.0 200 Okay Then\r\nx-a: 1\r\nX-A: 2\r\n\r\n"


def test_chunk_body_puts_leftover_bytes_in_a_last_chunk() -> None:
    framed = chunk_body(b"abcdefghij", [3, 4], extensions=[b";x=y"], trailers=[(b"T", b"v")])
    assert framed == b"3;x=y\r\nabc\r\n4\r\ndefg\r\n3\r\nhij\r\n0\r\nT: v\r\n\r\n"


def test_unframed_response_is_close_delimited() -> None:
    reply = http_response(200, b"OK", [], b"body", content_length=None)
    assert reply == [Send(b"HTTP/1.1 200 OK\r\n\r\nbody"), Close()]
    assert http_response(200, b"OK", [(b"Connection", b"close")], b"")[-1] == Close()
    assert http_response(200, b"OK", [], b"body")[-1] == Send(
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"
    )


# --- the wire ------------------------------------------------------------------------------------


def test_repeated_headers_reach_the_socket_as_recorded(mock: ServedSite) -> None:
    response = get(mock, b"/headers/repeated")
    assert response == mock.sent("/headers/repeated")
    assert mock.received("/headers/repeated") == request(b"/headers/repeated")
    head, _ = split(response)
    assert head.startswith(b"HTTP/1.1 200 Okay Then\r\n")
    assert len(header(head, b"set-cookie")) == 3
    assert header(head, b"vary") == [b"Accept-Encoding", b"Cookie"]
    assert b"\r\nX-MiXeD-CaSe: Yes\r\n" in head
    assert b"\r\nx-lower-case: lower\r\n" in head


def test_raw_non_ascii_header_bytes(mock: ServedSite) -> None:
    assert header(split(get(mock, b"/headers/raw-utf8"))[0], b"x-title") == ["中文标题".encode()]
    assert header(split(get(mock, b"/headers/raw-gbk"))[0], b"x-title") == ["中文标题".encode("gbk")]
    disposition = header(split(get(mock, b"/attachment/notice.doc"))[0], b"content-disposition")
    assert disposition == [b'attachment; filename="%s"' % "附件1：通知.doc".encode("gbk")]


def test_chunked_framing_is_on_the_wire(mock: ServedSite) -> None:
    head, framed = split(get(mock, b"/chunked"))
    assert header(head, b"transfer-encoding") == [b"chunked"]
    assert not header(head, b"content-length")
    assert framed.startswith(b"1;foo=bar\r\n")
    body, sizes, trailer = dechunk(framed)
    assert sizes[:4] == [1, 300, 17, 4096] and len(sizes) == 5
    assert trailer == b"X-Checksum: done\r\n\r\n"
    assert body.endswith(b"</html>\n")


def test_compressed_bodies(mock: ServedSite) -> None:
    _, gz = split(get(mock, b"/gzip"))
    _, framed = split(get(mock, b"/gzip-chunked"))
    _, deflated = split(get(mock, b"/deflate"))
    text = gzip.decompress(gz)
    assert dechunk(framed)[0] == gz
    assert zlib.decompress(deflated) == text
    assert "关于开展专项工作的通知".encode() in text


def test_gzip_bomb_is_small_and_inflates_to_a_gibibyte(mock: ServedSite) -> None:
    head, bomb = split(get(mock, b"/gzip-bomb"))
    assert header(head, b"content-encoding") == [b"gzip"]
    assert len(bomb) == int(header(head, b"content-length")[0]) < 1_200_000
    assert struct.unpack("<I", bomb[-4:])[0] == 1 << 30  # ISIZE: 1 GiB mod 2**32
    inflater = zlib.decompressobj(31)
    assert inflater.decompress(bomb, 8 << 20) == bytes(8 << 20)


def test_keep_alive_serves_two_requests_on_one_connection(mock: ServedSite) -> None:
    with socket.create_connection(address(mock), timeout=5) as sock:
        reader = sock.makefile("rb")
        for target in (b"/plain", b"/same/a"):
            sock.sendall(request(target, close=False))
            head = b"".join(iter(reader.readline, b"\r\n"))
            assert head.startswith(b"HTTP/1.1 200 OK\r\n")
            length = int(header(head.rstrip(b"\r\n"), b"content-length")[0])
            assert reader.read(length).endswith(b"</html>\n")


def test_reset_mid_body_resets(mock: ServedSite) -> None:
    with socket.create_connection(address(mock), timeout=5) as sock:
        sock.sendall(request(b"/reset-mid-body"))
        received = b""
        with pytest.raises(ConnectionResetError):
            while data := sock.recv(65536):
                received += data
    head, body = split(received)
    assert header(head, b"content-length") == [b"20000"] and len(body) == 5000


def test_close_mid_body_ends_with_fin(mock: ServedSite) -> None:
    head, body = split(get(mock, b"/close-mid-body"))
    assert header(head, b"content-length") == [b"20000"] and len(body) == 5000


def test_stalls_send_nothing_more(mock: ServedSite) -> None:
    for target, expected in ((b"/stall-before-headers", 0), (b"/stall-mid-body", 5000)):
        with socket.create_connection(address(mock), timeout=0.3) as sock:
            sock.sendall(request(target))
            received = b""
            with pytest.raises(TimeoutError):
                while data := sock.recv(65536):
                    received += data
            assert len(split(received)[1]) == expected


def test_wrong_lengths_and_http10(mock: ServedSite) -> None:
    head, body = split(get(mock, b"/wrong-length/too-long"))
    assert header(head, b"content-length") == [b"200"] and len(body) == 100
    head, body = split(get(mock, b"/wrong-length/too-short"))
    assert header(head, b"content-length") == [b"10"] and len(body) == 50
    response = get(mock, b"/http10")
    head, body = split(response)
    assert head.startswith(b"HTTP/1.0 200 OK\r\n") and not header(head, b"content-length")
    assert body.endswith(b"</html>\n") and response == mock.sent("/http10")


def test_huge_bodies(mock: ServedSite) -> None:
    head, body = split(get(mock, b"/huge?mb=3"))
    assert header(head, b"content-length") == [b"%d" % (3 << 20)] and len(body) == 3 << 20
    head, framed = split(get(mock, b"/huge-chunked?mb=2"))
    assert not header(head, b"content-length")
    assert len(dechunk(framed)[0]) == 2 << 20


def test_redirects_statuses_and_challenges(mock: ServedSite) -> None:
    assert header(split(get(mock, b"/redirect/301"))[0], b"location") == [b"/redirect/302"]
    assert header(split(get(mock, b"/redirect/302"))[0], b"location") == [b"/plain"]
    assert header(split(get(mock, b"/loop/b"))[0], b"location") == [b"/loop/a"]
    for code in (b"404", b"410", b"500", b"503"):
        assert get(mock, b"/status/" + code).startswith(b"HTTP/1.1 %s " % code)
    head, body = split(get(mock, b"/challenge/ruishu"))
    assert head.startswith(b"HTTP/1.1 412 ") and b"$_ts" in body and header(head, b"set-cookie")
    head, body = split(get(mock, b"/challenge/jiasule"))
    assert head.startswith(b"HTTP/1.1 521 \r\n") and header(head, b"x-via-jsl")
    assert header(head, b"set-cookie")[0].startswith(b"__jsluid_h=")
    assert b"document.cookie='__jsl_clearance" in body


def test_paths_queries_and_robots(mock: ServedSite) -> None:
    assert split(get(mock, b"/query?a=1&b=%E4%B8%AD&c"))[1] == b"a=1&b=%E4%B8%AD&c"
    encoded = b"/non-ascii-path/%E9%80%9A%E7%9F%A5.html"
    response = get(mock, encoded)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert mock.sent("/non-ascii-path/通知.html") == mock.sent(encoded) == response
    assert mock.hits()[encoded.decode()] >= 1
    assert b"Disallow: /private/" in split(get(mock, b"/robots.txt"))[1]
    assert split(get(mock, b"/same/a"))[1] == split(get(mock, b"/same/b"))[1]


def test_gbk_pages_decode_with_gb18030(mock: ServedSite) -> None:
    head, body = split(get(mock, b"/gbk/page.html"))
    assert header(head, b"content-type") == [b"text/html; charset=GBK"]
    assert "劝返工作" in body.decode("gb18030")
    head, body = split(get(mock, b"/gbk/nocharset.html"))
    assert header(head, b"content-type") == [b"text/html"] and b"charset" not in body
    assert "劝返工作" in body.decode("gb18030")


def test_attachment_links_are_served_as_files(mock: ServedSite) -> None:
    url = mock.url("/page-with-attachments")
    html = open_url(url)[2].decode()
    links = re.findall(r'\s(?:href|src)="([^"]+)"', html)
    files = [link for link in links if re.search(r"\.(pdf|docx?|xlsx?|wps|et|ofd|zip|rar|jpg)$", link)]
    assert len(files) == 12 and "./P020240627.xlsx" in files
    for link in files:
        status, headers, body = open_url(urljoin(url, link))
        assert status == 200 and body and not headers["Content-Type"].startswith("text/")
    assert {"/plain", "/same/a", "/gbk/page.html"} <= set(links)


# --- control endpoints and the child process ------------------------------------------------------


def test_mode_switch_and_hits(mock: ServedSite) -> None:
    before = mock.hits().get("/flip", 0)
    try:
        assert get(mock, b"/flip").startswith(b"HTTP/1.1 200 ")
        mock.set_mode("after")
        assert mock.mode() == "after"
        assert get(mock, b"/flip").startswith(b"HTTP/1.1 404 ")
    finally:
        mock.set_mode("before")
    assert mock.hits()["/flip"] == before + 2
    assert not any(target.startswith("/__control/") for target in mock.hits())
    with pytest.raises(KeyError):
        mock.sent("/never-requested")


def test_child_exits_cleanly_even_with_a_stalled_client() -> None:
    with ServedSite(MOCKSITE) as served:
        pid = served.proc.pid if served.proc else 0
        stalled = socket.create_connection(address(served), timeout=5)
        stalled.sendall(request(b"/stall-before-headers"))
        time.sleep(0.1)
        started = time.monotonic()
    assert time.monotonic() - started < 3
    assert served.proc is not None and served.proc.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    stalled.close()


def test_start_failure_names_the_cause() -> None:
    with pytest.raises(RuntimeError, match="No module named 'no_such_routes'"):
        ServedSite("no_such_routes:ROUTES", timeout=10).start()


# --- the demo site --------------------------------------------------------------------------------


def test_demo_pages_are_gbk_trs_pages(demo_site: ServedSite) -> None:
    head, body = split(get(demo_site, b"/xxgk/tzgg/index_1.html"))
    assert header(head, b"content-type") == [b"text/html; charset=GBK"]
    assert 'createPageHTML(3, 1, "index", "html")' in body.decode("gb18030")
    notice = next(n for n in demo.NOTICES if n.attachment.endswith(".doc"))
    text = split(get(demo_site, notice.path.encode()))[1].decode("gb18030")
    assert '<meta name="ArticleTitle"' in text and 'class="TRS_Editor"' in text
    assert f"来源：示例县公安局</span> <span>发布时间：{notice.published}" in text
    assert f'href="./{notice.attachment}"' in text
    attachment = notice.path.rpartition("/")[0] + "/" + notice.attachment
    assert get(demo_site, attachment.encode()).startswith(b"HTTP/1.1 200 OK")


def test_demo_seeds_answer(demo_site: ServedSite) -> None:
    statuses = {path: get(demo_site, path.encode())[9:12] for path in ["/", *demo.SEED_PATHS]}
    assert statuses[demo.OLD_URL] == b"301" and statuses[demo.MISSING_NOTICE] == b"404"
    assert {s for p, s in statuses.items() if p not in (demo.OLD_URL, demo.MISSING_NOTICE)} == {b"200"}
    wechat = split(get(demo_site, demo.WECHAT_PATH.encode()))[1].decode()
    assert 'var msg_title = "' in wechat and 'id="js_content"' in wechat and "var ct = " in wechat


def test_demo_etag_gives_304(demo_site: ServedSite) -> None:
    etag = header(split(get(demo_site, b"/xxgk/tzgg/index.html"))[0], b"etag")[0]
    response = get(demo_site, b"/xxgk/tzgg/index.html", b"If-None-Match: %s\r\n" % etag)
    assert response.startswith(b"HTTP/1.1 304 Not Modified\r\n")


def test_demo_after_mode_takes_pages_down(demo_site: ServedSite) -> None:
    unchanged = next(n.path for n in demo.NOTICES if not n.after).encode()
    before = {path: get(demo_site, path.encode()) for path in demo.TAKEDOWNS}
    kept = get(demo_site, unchanged)
    demo_site.set_mode("after")
    try:
        after = {path: get(demo_site, path.encode()) for path in demo.TAKEDOWNS}
        assert split(get(demo_site, unchanged))[1] == split(kept)[1]
    finally:
        demo_site.set_mode("before")
    seen = set()
    for path, (change, _) in demo.TAKEDOWNS.items():
        assert after[path] != before[path]
        head, body = split(after[path])
        seen.add(head[9:12])
        if change.startswith("soft-404"):
            assert head[9:12] == b"200" and "页面不存在" in body.decode("gb18030")
        if change.startswith("WeChat"):
            assert "该内容已被发布者删除" in body.decode()
    assert seen == {b"404", b"200", b"302", b"412"}
    assert "示例县公安局" in demo.describe()
