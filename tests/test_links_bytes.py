"""Attachment links found from a page's raw bytes: the same links as from its decoded text.

The spider scans `response.body` (it never decodes a whole page for this): these pin the URLs it
finds on GBK, UTF-8 and undeclared pages, entities, viewers, scripts and body images, and check
them against the text path (`attachment_links` of `response.text`), here and on the real corpus.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from archive_store.crawl import default_settings
from pipelines.extraction import wechat_urls
from scrapers import links
from scrapers.common import ArchivingSpider
from scrapers.links import attachment_links, attachment_links_bytes, declared_encoding

SITE = "http://www.example.gov.cn"
BASE = f"{SITE}/col/art/2024/06/t20240627_1.html"
EXTENSIONS = default_settings.ARCHIVE_ATTACHMENT_EXTENSIONS
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cwced" / "original"


def html_page(body: str, charset: str | None = None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>通知</title></head><body>{body}</body></html>"


def found(body: bytes, content_type: str = "text/html", *, as_text: bool = True) -> list[str]:
    """The bytes path, as the spider calls it; asserted equal to the text path first (unless the
    page leaves Scrapy to guess a charset that is not UTF-8: the bytes path takes GB18030)."""
    from_bytes = attachment_links_bytes(body, BASE, EXTENSIONS, declared_encoding(body, content_type))
    if as_text:
        response = HtmlResponse(BASE, body=body, headers={"Content-Type": content_type})
        assert from_bytes == attachment_links(response.text, BASE, EXTENSIONS)
    return from_bytes


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every lxml parse of a page for body images, the text path's and the bytes path's."""
    parsed: list[str] = []
    real = links._parsed_body_images
    monkeypatch.setattr(links, "_parsed_body_images", lambda html: parsed.append(html) or real(html))
    return parsed


LINKED = [
    pytest.param(
        "gb2312",
        '<p>附件：<a href="附件/关于印发方案的通知.pdf">关于印发方案的通知</a></p>',
        [f"{SITE}/col/art/2024/06/附件/关于印发方案的通知.pdf"],
        id="gbk-chinese-pdf-name",
    ),
    pytest.param(
        "utf-8",
        '<a href="/files/登记表.docx">登记表</a> <a href="/files/%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx">统计表</a>'
        ' <a href="/news/列表.html">列表</a> <a href="../../../img/封面.jpg">封面</a>',
        # an image by a plain <a href> is a document scan
        [
            f"{SITE}/files/登记表.docx",
            f"{SITE}/files/%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx",
            f"{SITE}/col/img/封面.jpg",
        ],
        id="utf8-chinese-and-percent-encoded",
    ),
    pytest.param(
        "utf-8",
        '<a href="/download.jsp?file=a.pdf&amp;id=7">下载</a>'  # an .jsp page: not an attachment
        ' <a href="/attach/report.pdf?v=1&amp;t=2">报告</a>'
        ' <a href="/attach/scan&#46;pdf">扫描件</a>'  # the entity makes the extension
        " <a href='/attach/table.XLSX#sheet1'>表</a>",
        [f"{SITE}/attach/report.pdf?v=1&t=2", f"{SITE}/attach/scan.pdf", f"{SITE}/attach/table.XLSX#sheet1"],
        id="entities-in-query-and-path",
    ),
    pytest.param(
        "utf-8",
        '<iframe src="/pdfjs/web/viewer.html?file=%2Fupload%2F%E9%80%9A%E7%9F%A5.pdf" width="100%"></iframe>'
        '<embed src="/viewer?file=/upload/%E9%99%84%E4%BB%B6.ofd&amp;page=1">'
        '<iframe src="/video/player.html?id=3"></iframe>',
        [f"{SITE}/upload/通知.pdf", f"{SITE}/upload/附件.ofd"],
        id="iframe-viewer-file",
    ),
    pytest.param(
        "gbk",
        '<a href="javascript:void(0)" onclick="window.open(\'/files/申报表.doc\')">申报表</a>'
        "<script>function go(){ location.href = '/files/汇总.xls'; }</script>"
        "<script>window.open('/news/detail.html')</script>",
        [f"{SITE}/files/申报表.doc", f"{SITE}/files/汇总.xls"],
        id="window-open-and-location-href",
    ),
    # A wide space (U+3000, what GBK editors leave) separates attributes and ends an unquoted
    # value in the text: the bytes path finds the same links.
    pytest.param(
        "gbk",
        "<a href=/files/通知.pdf\u3000target=_blank>通知</a>"
        '<EMBED\u3000src="/media/会议纪要.doc" type="application/msword">'
        '<a href="/a.html" title="表格.xls">表格</a>',
        [f"{SITE}/files/通知.pdf", f"{SITE}/media/会议纪要.doc"],
        id="unquoted-and-wide-space-separated",
    ),
]


@pytest.mark.parametrize(("charset", "markup", "expected"), LINKED)
def test_links_found_in_the_bytes(charset: str, markup: str, expected: list[str]) -> None:
    encoding = "gbk" if charset in ("gbk", "gb2312") else charset
    assert found(html_page(markup, charset).encode(encoding)) == expected


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_undeclared_charset_is_utf8_when_valid_else_gb18030(encoding: str) -> None:
    body = html_page('<a href="/upload/2024/政府信息公开指南.pdf">指南</a> <a href="/index.html">首页</a>')
    raw = body.encode(encoding)
    assert declared_encoding(raw, "text/html") is None
    assert found(raw, as_text=encoding == "utf-8") == [f"{SITE}/upload/2024/政府信息公开指南.pdf"]


def test_the_content_type_charset_wins_over_guessing() -> None:
    raw = html_page('<a href="/upload/名单.xls">名单</a>').encode("gbk")
    assert declared_encoding(raw, b"text/html; charset=GBK") == "gb18030"
    assert found(raw, "text/html; charset=GBK") == [f"{SITE}/upload/名单.xls"]


def test_css_zoom_alone_needs_no_parse_and_gives_no_images(no_parse: list[str]) -> None:
    body = html_page(
        "<style>.clearfix{zoom:1} .TRS_Editor p{line-height:2}</style>"
        '<div class="content" style="zoom: 1"><img src="/images/banner.png"><p>正文</p></div>'
        '<a href="/files/a.pdf">附件</a>',
        "utf-8",
    )
    assert found(body.encode("utf-8")) == [f"{SITE}/files/a.pdf"]
    # the text path parsed it (it tests "zoom" as a substring); the bytes path did not
    assert len(no_parse) == 1


def test_trs_editor_body_images(no_parse: list[str]) -> None:
    body = html_page(
        '<img src="/images/logo.gif">'
        '<div class="view TRS_Editor"><p><img src="/images/W020240627.jpg"></p>'
        '<p><img data-src="/images/W020240628.png" src="/images/loading.gif"></p></div>'
        '<div id="zoom"><IMG SRC="./W020240629.jpeg"></div>'
        '<div class="footer"><img src="/images/police.png"></div>',
        "gb2312",
    )
    assert found(body.encode("gbk")) == [
        f"{SITE}/images/W020240627.jpg",
        f"{SITE}/images/W020240628.png",
        f"{SITE}/col/art/2024/06/W020240629.jpeg",
    ]
    assert len(no_parse) == 2  # the text path, and the bytes path: a real container, images after it


def test_body_container_without_images_after_it_is_not_parsed(no_parse: list[str]) -> None:
    body = html_page('<img src="/logo.png"><div id="UCAP-CONTENT"><p>正文</p></div>', "utf-8")
    assert found(body.encode("utf-8")) == []
    assert len(no_parse) == 1  # the text path only


class _Spider(ArchivingSpider):
    name = "links-bytes-test"


class _UndecodedResponse(HtmlResponse):
    """A response whose text and charset must not be asked for: decoding, and guessing."""

    @property
    def text(self) -> str:
        raise AssertionError("the page was decoded as a whole")

    @property
    def encoding(self) -> str:
        raise AssertionError("the page's charset was looked for")


def _requests(response: HtmlResponse) -> list[Any]:
    spider = _Spider()
    settings = Settings()
    settings.setmodule(default_settings)
    spider.settings = settings
    found = asyncio.run(spider.attachment_links(response))
    return list(spider.attachment_requests(response, 0, found))


@pytest.mark.parametrize("charset", ["gb2312", None])
def test_the_spider_requests_attachments_without_decoding_the_page(charset: str | None) -> None:
    body = html_page(
        '<div class="TRS_Editor"><p><a href="/files/通知.pdf">通知</a></p></div>'
        '<a href="/files/form.doc">表</a><a href="/more.html">更多</a><a href="/files/form.doc">表</a>',
        charset,
    ).encode("gbk")
    # as the crawl hands it over: tied to the request that fetched it (its meta carries the seed)
    response = _UndecodedResponse(
        BASE, body=body, headers={"Content-Type": "text/html"}, request=scrapy.Request(BASE)
    )
    requests = _requests(response)
    assert [r.url for r in requests] == [
        f"{SITE}/files/%E9%80%9A%E7%9F%A5.pdf",
        f"{SITE}/files/form.doc",
    ]
    assert all(r.meta["archive_hop"] == 1 and r.meta["archive_parent"] == BASE for r in requests)


def test_wechat_template_is_found_in_the_bytes() -> None:
    url = "https://mirror.example.com/article/1.html"
    article = html_page('<div class="rich_media_content" id="js_content"><p>正文</p></div>', "utf-8")
    script = html_page("<script>var msg_title\u3000= '标题';</script>", "gbk")
    assert wechat_urls.is_article_page(url, article.encode("utf-8"))
    assert wechat_urls.is_article_page(url, script.encode("gbk"))
    assert wechat_urls.is_article_page(url, script)
    lookalike = html_page('<div id="main_content">var page_title = 1</div>')
    assert not wechat_urls.is_article_page(url, lookalike.encode())
    assert not wechat_urls.is_article_page(url, b" " * 200_000 + b'<div id="js_content">')
    assert wechat_urls.is_article_page("https://mp.weixin.qq.com/s/abc", b"")


def test_a_charset_the_bytes_cannot_be_scanned_in_is_decoded() -> None:
    body = html_page('<a href="/files/通知.pdf">通知</a>').encode("utf-16")
    assert found(body) == [f"{SITE}/files/通知.pdf"]


@pytest.mark.corpus
def test_corpus_pages_give_the_links_of_their_text() -> None:
    pages = sorted(CORPUS.glob("*.html"))
    if not pages:
        pytest.skip(f"corpus not found at {CORPUS}")
    more = [*EXTENSIONS, "html", "htm", "shtml", "asp", "php", "jsp", "js", "css", "swf"]
    compared = 0
    for path in pages:
        body = path.read_bytes()
        given = re.search(rb'<text id="(https?://[^"]+)"', body[:2000])
        url = given.group(1).decode("latin-1") if given else f"{SITE}/cms/{path.name}"
        text = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}).text
        encoding = declared_encoding(body, "text/html")
        for extensions in (EXTENSIONS, more):
            expected = attachment_links(text, url, extensions)
            assert attachment_links_bytes(body, url, extensions, encoding) == expected, path.name
            compared += len(expected)
        assert wechat_urls.is_article_page(url, body) == wechat_urls.is_article_page(url, text)
    assert compared > 1000
