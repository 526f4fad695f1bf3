"""Pages without a usable declaration: UTF-8, GB18030 or Big5, chosen by how Chinese the text reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval.devset import declare, strip_declarations
from bench.eval.evaluate import load_cases
from pipelines.extraction.decode import decode_body

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TEXT = "凯里市教育系统2024年公开招聘事业单位工作人员实施方案，经研究决定，现将有关事项公告如下。" * 4


def _page(text: str = TEXT, head: str = "") -> str:
    return f"<html><head>{head}<title>通知</title></head><body><p>{text}</p></body></html>"


def test_undeclared_gb_page_with_a_stray_bad_byte_is_gb18030_not_cyrillic() -> None:
    """The held-out failure: a strict GB18030 decode fails on one byte, and a free detector then
    named ptcp154. The candidates are only UTF-8, GB18030 and Big5: one U+FFFD, the rest right."""
    body = _page().encode("gb18030")
    body = body.replace(b"<p>", b"<p>\x81\x20", 1)  # an invalid GB18030 pair
    doc = decode_body(body, None)
    assert doc.used_charset == "gb18030" and doc.replacements >= 1
    assert TEXT in doc.text
    assert "gb18030" in doc.evidence and "big5" in doc.evidence  # the candidates and their scores


def test_gbk_bytes_served_as_utf8() -> None:
    doc = decode_body(_page().encode("gb18030"), "text/html; charset=utf-8")
    assert doc.used_charset == "gb18030" and TEXT in doc.text


def test_utf8_declared_gbk() -> None:
    doc = decode_body(_page(head='<meta charset="gbk">').encode("utf-8"), "text/html; charset=gbk")
    assert doc.used_charset == "utf-8" and TEXT in doc.text


def test_cyrillic_declaration_on_a_gb_page_is_ignored() -> None:
    body = _page(head='<meta charset="windows-1251">').encode("gb18030")
    doc = decode_body(body, "text/html; charset=windows-1251")
    assert doc.used_charset == "gb18030" and TEXT in doc.text
    assert "ignored" in doc.evidence


def test_lang_zh_rejects_a_single_byte_declaration() -> None:
    body = (
        b'<html lang="zh-CN"><head><meta charset="koi8-r"></head><body><p>'
        + "通知".encode("gb18030")
        + b"</p>"
    )
    doc = decode_body(body, None)
    assert doc.used_charset != "koi8_r"


def test_undeclared_big5_page_is_big5() -> None:
    text = "臺灣地區的民眾對於這項政策的看法，經過調查之後發現，多數人表示支持。" * 4
    doc = decode_body(_page(text).encode("big5"), None)
    assert doc.used_charset.startswith("big5") and text in doc.text


def test_undeclared_utf8_page() -> None:
    doc = decode_body(_page().encode("utf-8"), None)
    assert doc.used_charset == "utf-8" and TEXT in doc.text


@pytest.mark.skipif(not (CORPUS / "cwced").is_dir(), reason=f"corpus absent at {CORPUS}")
def test_corpus_pages_decode_the_same_whatever_they_declare() -> None:
    """Every corpus page, with its declaration removed or replaced by a wrong one, decodes to the
    same text as with its own declaration (visible text compared; the <meta> itself differs)."""
    wrong = []
    for case in load_cases(CORPUS):
        if case.body.isascii():
            continue
        right = decode_body(case.body, "text/html")
        variants = {
            "none": (strip_declarations(case.body), None),
            "utf-8": (declare(case.body, "utf-8"), "text/html; charset=utf-8"),
            "gbk": (declare(case.body, "gbk"), "text/html; charset=gbk"),
            "windows-1251": (declare(case.body, "windows-1251"), "text/html; charset=windows-1251"),
        }
        for label, (body, content_type) in variants.items():
            doc = decode_body(body, content_type)
            if doc.used_charset != right.used_charset or doc.replacements > right.replacements:
                wrong.append((case.name, label, doc.used_charset, right.used_charset))
    assert wrong == []
