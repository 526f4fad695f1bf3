"""decode_body: charset provenance, GB18030 mapping, wrong declarations, lossy input, speed-sized input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipelines.extraction.decode import decode_body, http_charset, normalize_label

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TEXT = "凯里市教育系统公开招聘实施方案，发布时间：2024年6月27日。"
# Characters outside GBK: strict gbk/gb2312 decoding of their GB18030 bytes fails.
GB18030_ONLY = "䶮𠮷"


def page(charset_meta: str | None, text: str = TEXT) -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">'
        if charset_meta
        else ""
    )
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


def test_bom_wins_over_declarations() -> None:
    body = codecs.BOM_UTF8 + page("gb2312").encode("utf-8")
    doc = decode_body(body, "text/html; charset=gbk")
    assert (doc.charset_source, doc.used_charset, doc.replacements) == ("bom", "utf-8", 0)
    assert TEXT in doc.text


def test_http_gbk_label_is_decoded_as_gb18030() -> None:
    doc = decode_body(page(None).encode("gb18030"), 'text/html; charset="GBK"')
    assert doc.declared_charset == "gbk"
    assert (doc.charset_source, doc.used_charset) == ("http", "gb18030")
    assert TEXT in doc.text


def test_meta_gb2312_with_gb18030_only_characters() -> None:
    body = page("gb2312", TEXT + GB18030_ONLY).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gbk")
    doc = decode_body(body, None)
    assert (doc.declared_charset, doc.charset_source, doc.used_charset) == (
        "gb2312",
        "meta",
        "gb18030",
    )
    assert GB18030_ONLY in doc.text and doc.replacements == 0


def test_declared_gb2312_but_utf8_bytes_uses_utf8() -> None:
    doc = decode_body(page("GB2312").encode("utf-8"), None)
    assert doc.declared_charset == "gb2312"
    assert (doc.charset_source, doc.used_charset) == ("detected", "utf-8")
    assert TEXT in doc.text


def test_http_utf8_but_gb_bytes_falls_back_to_meta_then_detection() -> None:
    doc = decode_body(page("gbk").encode("gb18030"), "text/html; charset=utf-8")
    assert (doc.charset_source, doc.used_charset) == ("meta", "gb18030")
    doc = decode_body(page(None).encode("gb18030"), "text/html; charset=utf-8")
    assert (doc.charset_source, doc.used_charset) == ("detected", "gb18030")
    assert TEXT in doc.text


def test_server_default_latin1_does_not_hide_meta() -> None:
    doc = decode_body(page("gb2312").encode("gb18030"), "text/html; charset=ISO-8859-1")
    assert (doc.declared_charset, doc.charset_source, doc.used_charset) == (
        "iso-8859-1",
        "meta",
        "gb18030",
    )


def test_undeclared_gb_page_is_detected() -> None:
    doc = decode_body(page(None, TEXT * 5).encode("gb18030"), None)
    assert (doc.declared_charset, doc.charset_source, doc.used_charset) == (
        None,
        "detected",
        "gb18030",
    )
    assert TEXT in doc.text


def test_mixed_encodings_lose_only_the_bad_bytes() -> None:
    body = page("gbk").encode("gb18030").replace(b"<title>t", b"<title>\xff\xfe")
    doc = decode_body(body, None)
    assert doc.used_charset == "gb18030"
    assert 1 <= doc.replacements <= 2
    assert TEXT in doc.text


def test_empty_and_ascii_bodies() -> None:
    assert decode_body(b"", None) == decode_body(b"", None)
    empty = decode_body(b"", None)
    assert (empty.text, empty.charset_source, empty.used_charset, empty.replacements) == (
        "",
        "default",
        "utf-8",
        0,
    )
    ascii_doc = decode_body(b"<html><body>plain</body></html>", "text/html; charset=gbk")
    assert (ascii_doc.text, ascii_doc.charset_source) == ("<html><body>plain</body></html>", "http")


def test_multi_megabyte_body_decodes() -> None:
    body = page("gb2312", TEXT * 60_000).encode("gb18030")
    assert len(body) > 3_000_000
    doc = decode_body(body, None)
    assert doc.used_charset == "gb18030" and doc.replacements == 0
    assert doc.text.count(TEXT) == 60_000


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("x-gbk", "gb18030"),
        ("cp936", "gb18030"),
        ("utf8", "utf-8"),
        ("nonsense", None),
    ],
)
def test_normalize_label(label: str, codec: str | None) -> None:
    assert normalize_label(label) == codec


def test_http_charset_parsing() -> None:
    assert http_charset("text/html; Charset='GB2312'") == "gb2312"
    assert http_charset("text/html") is None
    assert http_charset(None) is None


@pytest.mark.corpus
def test_corpus_pages_decode_cleanly() -> None:
    pages = sorted((CORPUS / "cwced" / "original").glob("*.html"))
    if not pages:
        pytest.skip(f"corpus not found at {CORPUS}")
    used = set()
    for path in pages:
        doc = decode_body(path.read_bytes(), None)
        assert doc.replacements == 0 and "\ufffd" not in doc.text, path.name
        used.add(doc.used_charset)
    assert used == {"utf-8", "gb18030"}
