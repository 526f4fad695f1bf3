"""classify(): vendors, WeChat states, soft-404s, redirects home, status codes, and real articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extraction.classify import Classification, classify
from pipelines.extraction.decode import decode_body

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HTML = [("Content-Type", "text/html; charset=utf-8")]
GOV_URL = "http://www.example.gov.cn/xwzx/tzgg/202406/t20240627_84922242.html"
WX_URL = "https://mp.weixin.qq.com/s/DThT58pF9VI74i5yJ9b4rQ"
ARTICLE = (
    "<html><head><title>关于开展反诈宣传月活动的通知</title></head><body><div class='TRS_Editor'>"
    + "".join(
        f"<p>第{i}条：为进一步提升群众识骗防骗能力，经研究，决定在全县范围内开展反诈宣传月活动。</p>"
        for i in range(1, 9)
    )
    + "</div></body></html>"
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def run(text: str | None, status: int = 200, headers=HTML, url: str = GOV_URL, **kw) -> Classification:
    return classify(url=url, status=status, headers=headers, text=text, **kw)


@pytest.mark.parametrize(
    ("name", "status", "url", "state"),
    [
        ("ruishu-412.html", 412, GOV_URL, "blocked:ruishu"),
        ("ruishu-412.html", 202, GOV_URL, "blocked:ruishu"),
        ("jiasule-521.html", 521, GOV_URL, "blocked:jiasule"),
        ("huawei-waf-418.html", 418, GOV_URL, "blocked:huawei-waf"),
        ("safedog.html", 200, GOV_URL, "blocked:safedog"),
        ("chuangyudun.html", 200, GOV_URL, "blocked:chuangyudun"),
        ("yunsuo.html", 200, GOV_URL, "blocked:yunsuo"),
        ("wechat-deleted.html", 200, WX_URL, "removed:wechat-deleted"),
        ("wechat-violation.html", 200, WX_URL, "removed:wechat-violation"),
        ("wechat-account-closed.html", 200, WX_URL, "removed:wechat-account-closed"),
        ("wechat-verify.html", 200, WX_URL, "blocked:wechat-verify"),
        ("soft-404.html", 200, GOV_URL, "removed:soft-404"),
        ("article-mentions-404.html", 200, GOV_URL, "ok"),
        ("hanweb-article.html", 200, GOV_URL, "ok"),
        ("ucap-article.html", 200, GOV_URL, "ok"),
    ],
)
def test_fixture_pages(name: str, status: int, url: str, state: str) -> None:
    verdict = run(fixture(name), status=status, url=url)
    assert verdict.state == state, verdict.reason
    assert verdict.is_content is (state == "ok")
    assert verdict.reason


def test_jiasule_by_header_and_cookie_on_403() -> None:
    headers = [*HTML, ("X-Via-JSL", "b7d8d3c,-"), ("Set-Cookie", "__jsluid_s=abc; path=/")]
    assert run("<html><body>403 Forbidden</body></html>", 403, headers).state == "blocked:jiasule"


def test_huawei_waf_cookie_names_vendor_on_403() -> None:
    headers = [*HTML, ("set-cookie", "a=1"), ("SET-COOKIE", "HWWAFSESID=12ab; path=/")]
    assert run("<html><body>denied</body></html>", 403, headers).state == "blocked:huawei-waf"


def test_vendor_cookie_on_a_normal_article_stays_ok() -> None:
    headers = [*HTML, ("Set-Cookie", "__jsluid_h=0123; max-age=31536000")]
    assert run(ARTICLE, 200, headers).state == "ok"


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (404, "removed:http-404"),
        (410, "removed:http-410"),
        (403, "blocked:http-403"),
        (429, "blocked:http-429"),
        (500, "error:http-5xx"),
        (502, "error:http-5xx"),
        (521, "error:http-5xx"),
    ],
)
def test_plain_status_codes(status: int, state: str) -> None:
    assert run("<html><body>error</body></html>", status).state == state


def test_empty_body_and_binary_documents() -> None:
    assert run("", 200).state == "error:empty"
    assert run(None, 200).state == "error:empty"
    assert run("   \n ", 200).state == "error:empty"
    pdf = run(None, 200, [("Content-Type", "application/pdf")], url="http://x.gov.cn/P0.pdf")
    assert pdf.state == "ok" and "application/pdf" in pdf.reason


def test_redirect_to_home_or_column_index() -> None:
    home = run(ARTICLE, 200, url="http://www.example.gov.cn/", requested_url=GOV_URL)
    assert home.state == "removed:redirect-home"
    column = run(ARTICLE, 200, url="http://www.example.gov.cn/xwzx/tzgg/index.html", requested_url=GOV_URL)
    assert column.state == "removed:redirect-home"
    hanweb = "http://www.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"
    col = run(ARTICLE, 200, url="http://www.zj.gov.cn/col/col1229/index.html", requested_url=hanweb)
    assert col.state == "removed:redirect-home"
    # Same URL, or an index page that was itself requested, is not a takedown.
    assert run(ARTICLE, 200, url=GOV_URL, requested_url=GOV_URL).state == "ok"
    index = "http://www.example.gov.cn/xwzx/index.html"
    assert run(ARTICLE, 200, url=index, requested_url="http://www.example.gov.cn/xwzx/").state == "ok"


def test_soft_404_by_title_but_not_an_article_about_404s() -> None:
    title_page = "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
    assert run(title_page).state == "removed:soft-404"
    titled = ARTICLE.replace("关于开展反诈宣传月活动的通知", "页面不存在-某某县人民政府")
    assert run(titled).state == "removed:soft-404"
    about = ARTICLE.replace(
        "关于开展反诈宣传月活动的通知", "关于整治政府网站链接指向页面不存在等问题的情况通报"
    )
    assert run(about).state == "ok"


def test_wechat_antispider_redirect() -> None:
    url = "https://mp.weixin.qq.com/mp/verifycode?cert=123&nonce=abc"
    assert run("<html><body>请输入验证码</body></html>", 200, url=url).state == "blocked:wechat-verify"
    sogou = "https://weixin.sogou.com/antispider/?from=%2Fweixin"
    assert run("<html></html>", 200, url=sogou).state == "blocked:wechat-verify"


@pytest.mark.corpus
def test_corpus_expired_link_and_articles() -> None:
    expired = CORPUS / "wechat" / "expired-link.html"
    if not expired.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    text = decode_body(expired.read_bytes(), "text/html").text
    assert run(text, url=WX_URL).state == "removed:wechat-expired"
    pages = [
        *sorted((CORPUS / "cwced" / "original").glob("*.html")),
        CORPUS / "gov" / "kaili-trs-2024.html",
    ]
    pages += [p for p in sorted((CORPUS / "wechat").glob("*.html")) if p != expired]
    for path in pages:
        url = WX_URL if path.parent.name == "wechat" else GOV_URL
        verdict = run(decode_body(path.read_bytes(), None).text, url=url)
        assert verdict.is_content, (path.name, verdict)


_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40
_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.mark.parametrize("body", [_PDF, _DOCX, _DOC, _PNG])
@pytest.mark.parametrize("headers", [[], [("Content-Type", "text/html; charset=utf-8")]])
def test_document_without_or_with_a_wrong_content_type_is_ok(
    body: bytes, headers: list[tuple[str, str]]
) -> None:
    """A document served with no Content-Type (or as HTML) is a document by its bytes: state ok,
    so search's default state filter shows its indexed text, not error:empty."""
    from pipelines.extraction.analyse import analyse
    from pipelines.extraction.facts import ResponseFacts

    url = "http://127.0.0.1/attach/P020261201.pdf"
    result = analyse(ResponseFacts(url, url, 200, headers, body))
    assert result["state"] == "ok", result
    assert "by its bytes" in result["reason"]
    assert result["page"] is None


def test_empty_body_without_a_type_is_still_empty() -> None:
    from pipelines.extraction.analyse import analyse
    from pipelines.extraction.facts import ResponseFacts

    url = "http://127.0.0.1/a.html"
    assert analyse(ResponseFacts(url, url, 200, [], b""))["state"] == "error:empty"
