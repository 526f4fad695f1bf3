"""Verification, CAPTCHA, rate-limit and JS-check pages are ``blocked:<kind>``, never articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval.blockpages import BlockPage, article_controls, block_pages
from bench.eval.evaluate import load_cases
from pipelines.extraction.analyse import analyse
from pipelines.extraction.classify import classify
from pipelines.extraction.decode import decode_body
from pipelines.extraction.facts import ResponseFacts

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HTML = [("Content-Type", "text/html; charset=utf-8")]


@pytest.mark.parametrize("page", block_pages() + article_controls(), ids=lambda p: p.name)
def test_written_vendor_pages(page: BlockPage) -> None:
    verdict = classify(url="http://example.invalid/a/1.html", status=200, headers=HTML, text=page.html)
    assert verdict.state == page.state, verdict.reason


def test_every_kind_is_covered() -> None:
    kinds = {p.state for p in block_pages()}
    generic = {"blocked:captcha", "blocked:rate-limit", "blocked:verification", "blocked:waf-js"}
    # JS challenges of a known vendor keep the vendor's name (rendered by issue 14's path)
    assert generic <= kinds and kinds - generic == {"blocked:aliyun", "blocked:wzws"}


def test_sogou_page_gets_no_page_row_through_analyse() -> None:
    """The whole path (decode → classify → extract): a blocked page has no text and no date."""
    page = next(p for p in block_pages() if p.name == "sogou-rate-limit")
    url = "https://www.sogou.com/web?query=x"
    result = analyse(ResponseFacts(url, url, 200, HTML, page.html.encode("utf-8")))
    assert result["state"] == "blocked:rate-limit" and result["page"] is None
    # on Sogou's WeChat search the existing WeChat state is kept (other code relies on its name)
    url = "https://weixin.sogou.com/weixin?query=x"
    result = analyse(ResponseFacts(url, url, 200, HTML, page.html.encode("utf-8")))
    assert result["state"] == "blocked:wechat-verify" and result["page"] is None


def test_gbk_verification_page_is_recognised() -> None:
    page = next(p for p in block_pages() if p.name == "generic-captcha-form")
    body = page.html.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    text = decode_body(body, "text/html").text
    assert classify(url="http://x.invalid/", status=200, headers=HTML, text=text).state == "blocked:captcha"


def test_existing_vendor_states_unchanged() -> None:
    """#14 relies on these names: a Jiasule / Ruishu challenge keeps its vendor state."""
    jsl = "<script>document.cookie=('__jsl_clearance_s=1');location.href=location.pathname</script>"
    verdict = classify(url="http://x.invalid/", status=521, headers=[("X-Via-JSL", "1")], text=jsl)
    assert verdict.state == "blocked:jiasule"
    ruishu = "<html><head><meta content='" + "a" * 100 + "' r='m'><script r='m'>$_ts=window['$_ts'];</script>"
    assert classify(url="http://x.invalid/", status=412, headers=[], text=ruishu).state == "blocked:ruishu"


@pytest.mark.skipif(not (CORPUS / "cwced").is_dir(), reason=f"corpus absent at {CORPUS}")
def test_no_corpus_article_is_taken_for_a_verification_page() -> None:
    wrong = []
    for case in load_cases(CORPUS):
        text = decode_body(case.body, "text/html").text
        state = classify(url=case.url, status=200, headers=[("Content-Type", "text/html")], text=text).state
        if case.is_article and state.startswith("blocked:"):
            wrong.append((case.name, state))
    assert wrong == []
