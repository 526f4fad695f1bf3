"""The test site: one awkward HTTP case per route, written byte for byte by sourcekeeper.demo.rawsite.

Serve it with `python -m sourcekeeper.demo.rawsite tests/mocksite.py:ROUTES` (by file path: pywb installs
a `tests` package into site-packages that hides this directory from `import tests.mocksite`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import struct
import zipfile
import zlib
from functools import cache

from sourcekeeper.demo.rawsite import (
    Action,
    Close,
    Handler,
    Header,
    RawReply,
    RawRequest,
    Reset,
    Send,
    SiteState,
    Sleep,
    Stall,
    http_response,
    page,
    reason_for,
    redirect,
    status_head,
)

MIB = 1 << 20
UTF8_HTML = b"text/html; charset=utf-8"


def article(title: str, text: str) -> bytes:
    """A small TRS-style UTF-8 article page."""
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="ArticleTitle" content="{title}"></head>\n<body><h1>{title}</h1>\n'
        f'<div class="TRS_Editor"><p>{text}</p></div>\n</body></html>\n'
    ).encode()


PLAIN = article("Plain page", "An ordinary HTML page sent with a Content-Length header.")
LONG = article("Compressible page", "关于开展专项工作的通知。" * 200)
SAME = article("Same payload", "Two URLs serve exactly these bytes.")
# large enough that the capture gzips them beside the reactor (archive_store/crawl/session.py), and
# hard to compress (2 MB of hex digests) so that gzip takes a while
BIG_SAME = article("Large shared", "".join(hashlib.sha256(b"%d" % n).hexdigest() for n in range(1 << 15)))


def big_same(req: RawRequest, site: SiteState) -> RawReply:
    """The same bytes for every path, all answered after the same pause: they arrive together."""
    return [Sleep(0.3), *page(BIG_SAME)]


def big_unique(req: RawRequest, site: SiteState) -> RawReply:
    """~64 KB that gzip cannot shrink much (hex digests), different for every path."""
    text = "".join(hashlib.sha256(f"{req.path}:{n}".encode()).hexdigest() for n in range(1000))
    return page(article(f"Large page {req.path}", text))


GBK_NOTICE = (
    "<p>关于进一步做好在外人员劝返工作的通知</p>\n"
    "<p>各派出所、各相关单位：为切实做好本县在外人员劝返工作，现将有关事项通知如下。</p>\n"
    "<p>一、提高思想认识。各单位要充分认识此项工作的重要性，落实工作责任。</p>\n"
    "<p>二、加强亲属联系。对在外人员亲属开展政策宣讲，动员其尽快回国说明情况。</p>\n"
    "<p>来源：测试县公安局 发布时间：2024-06-27 16:18</p>\n"
)


def gbk_page(meta: str) -> bytes:
    return (
        f"<!DOCTYPE html>\n<html><head>{meta}<title>测试县公安局 通知公告</title></head>\n"
        f'<body><div class="TRS_Editor">\n{GBK_NOTICE}</div></body></html>\n'
    ).encode("gbk")


def cut_body(after: Action) -> Handler:
    """Declare 20000 body bytes, send 5000, then reset / close / stall."""
    head = status_head(200, b"OK", [(b"Content-Type", b"text/plain"), (b"Content-Length", b"20000")])
    return lambda req, site: [Send(head + b"x" * 5000), Sleep(0.05), after]


@cache
def mib_block() -> bytes:
    return b"".join(b"%07d huge body line\n" % i for i in range(MIB // 24)).ljust(MIB, b".")


def mib_count(req: RawRequest) -> int:
    return max(0, min(int(req.query.get("mb", "1")), 4096))


def huge(req: RawRequest, site: SiteState) -> RawReply:
    n = mib_count(req)
    headers = [(b"Content-Type", b"text/plain"), (b"Content-Length", b"%d" % (n * MIB))]
    return [Send(status_head(200, b"OK", headers)), *[Send(mib_block())] * n]


def huge_chunked(req: RawRequest, site: SiteState) -> RawReply:
    headers = [(b"Content-Type", b"text/plain"), (b"Transfer-Encoding", b"chunked")]
    chunk = b"%x\r\n%s\r\n" % (MIB, mib_block())
    return [
        Send(status_head(200, b"OK", headers)),
        *[Send(chunk)] * mib_count(req),
        Send(b"0\r\n\r\n"),
    ]


@cache
def gzip_bomb() -> bytes:
    """One gzip member inflating to 1 GiB of zeros, ~1 MB on the wire, built from a 1 MiB buffer.

    After a full flush the compressor starts afresh, so every 1 MiB segment compresses to the same
    bytes: compress one, repeat it, and append the CRC-32 and size of the whole.
    """
    zeros = bytes(MIB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + segment * 1024 + deflate.flush() + struct.pack("<II", crc, (1 << 30) % (1 << 32))


def zip_bytes(member: str, text: bytes) -> bytes:
    """A real, deterministic zip (docx, xlsx, ofd and zip are all zip containers)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(member, date_time=(2024, 6, 27, 16, 18, 0)), text)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # doc, xls, wps, et: compound files
ATTACHMENTS: dict[str, tuple[bytes, bytes]] = {
    "pdf": (b"application/pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    "doc": (b"application/msword", OLE2),
    "docx": (
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        zip_bytes("word/document.xml", b"<w:document/>"),
    ),
    "xls": (b"application/vnd.ms-excel", OLE2),
    "xlsx": (
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        zip_bytes("xl/workbook.xml", b"<workbook/>"),
    ),
    "wps": (b"application/vnd.ms-works", OLE2),
    "et": (b"application/vnd.ms-excel", OLE2),
    "ofd": (b"application/ofd", zip_bytes("OFD.xml", b"<ofd:OFD/>")),
    "zip": (b"application/zip", zip_bytes("readme.txt", b"attachment bundle")),
    "rar": (b"application/vnd.rar", b"Rar!\x1a\x07\x01\x00" + bytes(64)),
    "jpg": (
        b"image/jpeg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
    ),
}


def attachment(req: RawRequest, site: SiteState) -> RawReply:
    ext = req.path.rpartition(".")[2]
    if ext not in ATTACHMENTS:
        return page(b"no such file", status=404, content_type=b"text/plain")
    content_type, body = ATTACHMENTS[ext]
    return page(body, content_type=content_type)


ATTACHMENT_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>关于印发工作方案的通知</title></head><body>
<div class="TRS_Editor">
<p>现将工作方案印发给你们，请认真贯彻执行。</p>
<p><img src="/images/W020240627345678.jpg" alt="通知原件扫描件"></p>
<p>附件：</p>
<p><a href="/files/notice.pdf">1. 通知.pdf</a></p>
<p><a href="/files/form.doc">2. 登记表.doc</a> <a href="/files/form.docx">登记表.docx</a></p>
<p><a href="/files/stats.xls">3. 统计表.xls</a> <a href="/files/stats.xlsx">统计表.xlsx</a></p>
<p><a href="/files/draft.wps">4. 草稿.wps</a> <a href="/files/sheet.et">表格.et</a></p>
<p><a href="/files/notice.ofd">5. 通知.ofd</a></p>
<p><a href="/files/bundle.zip">6. 材料.zip</a> <a href="/files/bundle.rar">材料.rar</a></p>
<p><a href="./P020240627.xlsx" oldsrc="/protect/P0202406/P020240627/P020240627.xlsx"
 download="附件2：统计表.xlsx">附件2：统计表.xlsx</a></p>
</div>
<div class="pages"><a href="/plain">上一篇</a> <a href="/same/a">下一篇</a>
<a href="/gbk/page.html">相关阅读</a> <a href="/query?from=attachments">站内检索</a></div>
</body></html>
""".encode()

RUISHU_PAGE = (
    b"<!DOCTYPE html><html><head>"
    b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="PKdhtXMmr18n2L9K88eMlGn7CcctT9RwKSB1FV" r="m">'
    b"<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
    b'$_ts.nsd=68263;$_ts.cd="qbrmrrAlDGWYcGlqEa3lcsAqhaWVrq3qrqVqrqAq";</script>'
    b'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js"'
    b' r="m"></script></head><body></body></html>'
)
JIASULE_PAGE = (
    b"<script>document.cookie='__jsl_clearance_s=1719476280.123|0|"
    b"Q2lGbUxqY0tiVnFvZz09;max-age=3600;path=/';"
    b"location.href=location.pathname+location.search</script>"
)


def challenge_ruishu(req: RawRequest, site: SiteState) -> RawReply:
    cookie = b"FSSBBIl1UgzbN7NO=5aZ0uGVjd3Sqv1rDSmHQ4hDqQW6o; Path=/; HttpOnly"
    headers = [(b"Content-Type", b"text/html"), (b"Set-Cookie", cookie)]
    return http_response(412, b"Precondition Failed", headers, RUISHU_PAGE)


def challenge_jiasule(req: RawRequest, site: SiteState) -> RawReply:
    headers = [
        (b"Content-Type", b"text/html"),
        (b"X-Via-JSL", b"3f2e6d1,-"),
        (b"Set-Cookie", b"__jsluid_h=6b8e4d0c3e7f5a1b2c9d8e7f6a5b4c3d; max-age=31536000; path=/"),
    ]
    return http_response(521, b"", headers, JIASULE_PAGE)  # empty reason phrase, as non-standard codes get


def status_route(req: RawRequest, site: SiteState) -> RawReply:
    status = int(req.path.rpartition("/")[2] or 400)
    return page(b"<html><body><h1>%d %s</h1></body></html>" % (status, reason_for(status)), status=status)


def static(body: bytes, content_type: bytes = UTF8_HTML, headers: list[Header] | None = None) -> Handler:
    return lambda req, site: page(body, content_type=content_type, headers=headers or [])


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


ROUTES: dict[str, Handler] = {
    # HTML with Content-Length
    "/plain": static(PLAIN),
    # four chunks of different sizes, a chunk extension on the first, and a trailer header
    "/chunked": lambda req, site: http_response(
        200,
        b"OK",
        [(b"Content-Type", UTF8_HTML), (b"Trailer", b"X-Checksum")],
        LONG,
        chunked=[1, 300, 17, 4096],
        chunk_extensions=[b";foo=bar"],
        trailers=[(b"X-Checksum", b"done")],
    ),
    # gzip body with Content-Length
    "/gzip": static(gzipped(LONG), headers=[(b"Content-Encoding", b"gzip")]),
    # gzip body in chunked framing
    "/gzip-chunked": lambda req, site: http_response(
        200,
        b"OK",
        [(b"Content-Type", UTF8_HTML), (b"Content-Encoding", b"gzip")],
        gzipped(LONG),
        chunked=[10, 100, 7],
    ),
    # Content-Encoding: deflate as zlib-wrapped deflate (RFC 9110)
    "/deflate": static(zlib.compress(LONG), headers=[(b"Content-Encoding", b"deflate")]),
    # odd reason phrase, 3 Set-Cookie, Vary twice, mixed- and lower-case names
    "/headers/repeated": lambda req, site: http_response(
        200,
        b"Okay Then",
        [
            (b"Content-Type", UTF8_HTML),
            (b"Set-Cookie", b"a=1; Path=/"),
            (b"X-MiXeD-CaSe", b"Yes"),
            (b"Set-Cookie", b"b=2; Path=/; HttpOnly"),
            (b"Vary", b"Accept-Encoding"),
            (b"Set-Cookie", b"c=3; Path=/; Max-Age=60"),
            (b"Vary", b"Cookie"),
            (b"x-lower-case", b"lower"),
        ],
        PLAIN,
    ),
    # raw UTF-8 bytes in a header value
    "/headers/raw-utf8": static(PLAIN, headers=[(b"X-Title", "中文标题".encode())]),
    # raw GBK bytes in a header value
    "/headers/raw-gbk": static(PLAIN, headers=[(b"X-Title", "中文标题".encode("gbk"))]),
    # Word file whose Content-Disposition filename is raw GBK
    "/attachment/notice.doc": static(
        OLE2,
        b"application/msword",
        [(b"Content-Disposition", b'attachment; filename="%s"' % "附件1：通知.doc".encode("gbk"))],
    ),
    # redirect chain 301 -> 302 -> /plain
    "/redirect/301": lambda req, site: redirect(b"/redirect/302", 301),
    "/redirect/302": lambda req, site: redirect(b"/plain", 302),
    # redirect loop
    "/loop/a": lambda req, site: redirect(b"/loop/b", 302),
    "/loop/b": lambda req, site: redirect(b"/loop/a", 302),
    # /status/404, /status/410, /status/500, /status/503 (any code works)
    "/status/": status_route,
    # Content-Length 20000, 5000 bytes, then RST
    "/reset-mid-body": cut_body(Reset()),
    # Content-Length 20000, 5000 bytes, then FIN
    "/close-mid-body": cut_body(Close()),
    # accept the request and never answer
    "/stall-before-headers": lambda req, site: [Stall()],
    # Content-Length 20000, 5000 bytes, then silence
    "/stall-mid-body": cut_body(Stall()),
    # N MiB (default 1) with Content-Length, one shared 1 MiB block
    "/huge": huge,
    # N MiB chunked, no Content-Length
    "/huge-chunked": huge_chunked,
    # gzip inflating to 1 GiB of zeros (~1 MB compressed; built on first request, ~0.5 s)
    "/gzip-bomb": lambda req, site: page(
        gzip_bomb(), content_type=b"text/html", headers=[(b"Content-Encoding", b"gzip")]
    ),
    # declares 200 bytes, sends 100, closes
    "/wrong-length/too-long": lambda req, site: [
        *http_response(200, b"OK", [(b"Content-Type", b"text/plain")], b"y" * 100, content_length=200),
        Close(),
    ],
    # declares 10 bytes, sends 50, closes
    "/wrong-length/too-short": lambda req, site: [
        *http_response(200, b"OK", [(b"Content-Type", b"text/plain")], b"z" * 50, content_length=10),
        Close(),
    ],
    # HTTP/1.0, no Content-Length: body ends at close
    "/http10": lambda req, site: http_response(
        200, b"OK", [(b"Content-Type", UTF8_HTML)], PLAIN, version=b"HTTP/1.0", content_length=None
    ),
    # identical payloads at two URLs (revisit records)
    "/same/a": static(SAME),
    "/same/b": static(SAME),
    "/big-same/": big_same,
    "/big/": big_unique,
    # echoes its raw query string
    "/query": lambda req, site: page(req.raw_query, content_type=b"text/plain"),
    # GBK notice with charset=GBK in header and meta
    "/gbk/page.html": static(
        gbk_page('<meta http-equiv="Content-Type" content="text/html; charset=gbk">'),
        b"text/html; charset=GBK",
    ),
    # GBK notice with no charset anywhere
    "/gbk/nocharset.html": static(gbk_page(""), b"text/html"),
    # article linking ten attachment types, a scanned image, a ./P0….xlsx link and ordinary pages
    "/page-with-attachments": static(ATTACHMENT_PAGE),
    # the same article padded past 16 KB: its links are looked for in the link-scan worker
    "/large-page-with-attachments": static(
        ATTACHMENT_PAGE.replace(
            b"</body>", b"<p>" + "现将工作方案印发给你们。".encode() * 1500 + b"</p></body>"
        )
    ),
    # the attachments of /page-with-attachments, typed by extension
    "/files/": attachment,
    "/images/": attachment,
    "/P020240627.xlsx": attachment,
    # robots.txt disallowing /private/
    "/robots.txt": static(b"User-agent: *\nDisallow: /private/\n", b"text/plain"),
    # a page robots.txt forbids
    "/private/secret": static(article("Private", "Robots.txt disallows this page.")),
    # non-ASCII path, matched after percent-decoding
    "/non-ascii-path/通知.html": static(article("通知", "路径含中文字符。")),
    # sleeps ms (default 1000) before answering
    "/slow": lambda req, site: [
        Sleep(int(req.query.get("ms", "1000")) / 1000),
        *page(PLAIN),
    ],
    # /unique?i=K&ms=N: after N ms, a page whose body differs for every K (crash/resume tests)
    "/unique": lambda req, site: [
        Sleep(int(req.query.get("ms", "0")) / 1000),
        *page(article(f"Unique {req.query.get('i', '')}", "Each page has its own body.")),
    ],
    # /slow-unique?i=K&ms=N: /unique, slow only in mode "before" (a stopped crawl, then its resume)
    "/slow-unique": lambda req, site: [
        Sleep(int(req.query.get("ms", "0")) / 1000 if site.mode == "before" else 0),
        *page(article(f"Slow unique {req.query.get('i', '')}", "Each page has its own body.")),
    ],
    # /random?kb=N&seed=S: N KiB that do not compress (disk-full tests need real bytes on disk)
    "/random": lambda req, site: page(
        random.Random(req.query.get("seed", "0")).randbytes(int(req.query.get("kb", "64")) * 1024),
        content_type=b"application/octet-stream",
    ),
    # Ruishu-like: 412, $_ts JS challenge, cookie
    "/challenge/ruishu": challenge_ruishu,
    # Jiasule-like: 521, X-Via-JSL, __jsluid_h cookie, __jsl_clearance script
    "/challenge/jiasule": challenge_jiasule,
    # article in mode "before", 404 in mode "after"
    "/flip": lambda req, site: (
        page(article("Flip", "Here today."))
        if site.mode == "before"
        else page(b"<html><body><h1>404 Not Found</h1></body></html>", status=404)
    ),
}
