"""Charset labels are read as browsers read them (WHATWG), by the project's own table, not w3lib's.

A page labelled GBK or GB2312 is decoded with the GB18030 decoder, so a character only GB18030
encodes (a four-byte sequence: 𠮷, U+20BB7, and the rare hanzi of personal names) survives.
"""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from pipelines.extraction.charsets import codec_for_label
from pipelines.extraction.decode import decode_body
from scrapers.common import as_browsers_read_it
from scrapers.links import declared_encoding

ONLY_IN_GB18030 = "𠮷"  # U+20BB7: GB18030 encodes it in four bytes, GBK not at all


def _page(label: str) -> bytes:
    html = f'<html><head><meta charset="{label}"><title>通知</title></head><body><p>吉{ONLY_IN_GB18030}祥</p>'
    html += f'<a href="/upload/{ONLY_IN_GB18030}名单.xls">名单</a></body></html>'
    return html.encode("gb18030")


def test_the_character_cannot_be_written_in_gbk() -> None:
    with pytest.raises(UnicodeEncodeError):
        ONLY_IN_GB18030.encode("gbk")


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gbk", "gb18030"),
        ("GBK", "gb18030"),
        ("gb2312", "gb18030"),
        (" x-gbk ", "gb18030"),
        ("cp936", "gb18030"),
        ('"GB2312"', "gb18030"),
        ("gb18030", "gb18030"),
        ("big5", "big5hkscs"),
        ("big5-hkscs", "big5hkscs"),
        ("utf8", "utf-8"),
        ("latin1", "cp1252"),  # WHATWG: iso-8859-1 is windows-1252
        ("iso-8859-1", "cp1252"),
        ("shift_jis", "cp932"),
        ("hz-gb-2312", None),  # WHATWG's "replacement": decodes as nothing
        ("nonsense", None),
        ("", None),
    ],
)
def test_labels_follow_the_whatwg_table_with_the_gb_family_as_gb18030(label: str, codec: str | None) -> None:
    assert codec_for_label(label) == codec


@pytest.mark.parametrize(
    "content_type", [b"text/html; charset=GBK", b"text/html; charset=gb2312", b"text/html"]
)
def test_a_gb18030_only_character_survives_a_gbk_label_everywhere(content_type: bytes) -> None:
    body = _page("gbk")
    # the links scan's declared encoding
    assert declared_encoding(body, content_type) == "gb18030"
    # the extraction's decoding
    decoded = decode_body(body, content_type.decode())
    assert f"吉{ONLY_IN_GB18030}祥" in decoded.text
    assert decoded.replacements == 0
    # the spider's own reading of the page (Scrapy's response.text goes through w3lib)
    response = HtmlResponse("http://gov.example/a.html", body=body, headers={"Content-Type": content_type})
    read = as_browsers_read_it(response)
    assert f"吉{ONLY_IN_GB18030}祥" in read.text
    assert read.xpath("//a/@href").get() == f"/upload/{ONLY_IN_GB18030}名单.xls"


def test_a_response_already_read_right_is_not_copied() -> None:
    response = HtmlResponse(
        "http://gov.example/a.html",
        body="<p>通知</p>".encode(),
        headers={"Content-Type": b"text/html; charset=utf-8"},
    )
    assert as_browsers_read_it(response) is response
