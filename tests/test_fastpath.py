"""The fast path for recognised CMS templates: same body and fields as the general path, the path
recorded, a fallback when the container fails its sanity checks, and one parse per page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lxml.etree
import lxml.html
import pytest

from pipelines.extraction.analyse import analyse
from pipelines.extraction.extract import ExtractedPage, extract_page
from pipelines.extraction.facts import ResponseFacts
from pipelines.extraction.fastpath import FAST_PATH, GENERAL, general_path_only

TITLE = "关于做好2024年春季农业生产工作的通知"
PARAGRAPHS = [
    "各乡镇人民政府，县直有关单位：为切实抓好今年春季农业生产，确保粮食稳产增产，现将有关事项通知如下。",
    "一、提高思想认识。各地要把春耕生产摆上重要议事日程，层层压实责任，确保各项措施落到实处。",
    "二、强化农资保障。加强种子、化肥、农药等农资市场监管，严厉打击坑农害农行为，保障供应充足。",
    "三、做好技术服务。组织农技人员深入田间地头，开展技术指导和培训，提高科学种田水平。",
]
NAV = "".join(f"<li><a href='/col/{n}/'>栏目{n}</a></li>" for n in range(12))
FOOTER = "<div class='footer'><a href='/map'>网站地图</a> | <a href='/about'>联系我们</a></div>"
META = (
    f"<meta name='ArticleTitle' content='{TITLE}'><meta name='PubDate' content='2024-03-05 09:30'>"
    "<meta name='ContentSource' content='示例县农业农村局'>"
)


def _page(container: str, url_meta: bool = True, byline: str = "") -> str:
    """A government article page whose body sits in `container` ("{body}" marks the place)."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f"<html><head><meta charset='utf-8'>{META if url_meta else ''}<title>{TITLE}_示例县人民政府</title>"
        f"</head><body><ul class='nav'>{NAV}</ul><h1>{TITLE}</h1>"
        f"<div class='info'>来源：示例县农业农村局 发布时间：2024-03-05 09:30</div>{byline}"
        f"{container.format(body=body)}{FOOTER}</body></html>"
    )


TEMPLATES = {
    "trs": ("http://www.example.gov.cn/xxgk/202403/t20240305_1.html", "<div class='TRS_Editor'>{body}</div>"),
    "hanweb": ("http://www.example.gov.cn/art/2024/3/5/art_12_345.html", "<div id='zoom'>{body}</div>"),
    "ucap": ("http://www.example.gov.cn/zhengce/content_1.htm", "<div id='UCAP-CONTENT'>{body}</div>"),
    "founder": (
        "http://paper.example.cn/html/2024-03/05/content_1.htm",
        "<div id='ozoom'><founder-content>{body}</founder-content></div>",
    ),
}
FIELDS = ("title", "date", "source", "author", "site", "text", "doc_number", "document_date")


def _fields(page: ExtractedPage) -> dict[str, Any]:
    return {name: getattr(page, name) for name in FIELDS}


@pytest.mark.parametrize("platform", sorted(TEMPLATES))
def test_a_recognised_template_takes_the_fast_path_with_the_general_paths_result(platform: str) -> None:
    url, container = TEMPLATES[platform]
    markup = _page(container)
    fast = extract_page(markup, url)
    with general_path_only():
        general = extract_page(markup, url)
    assert (fast.platform, fast.extraction_path, fast.extractor) == (
        platform,
        FAST_PATH,
        f"platform:{platform}",
    )
    assert general.extraction_path == GENERAL
    assert _fields(fast) == _fields(general)
    assert fast.text.endswith(PARAGRAPHS[-1])
    assert PARAGRAPHS[0] in fast.text and fast.title == TITLE and fast.date == "2024-03-05"


def test_a_wechat_article_takes_the_fast_path() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    markup = (
        f"<html><head><meta property='og:title' content='{TITLE}'></head><body>"
        f"<h1 class='rich_media_title' id='activity-name'>{TITLE}</h1>"
        "<a id='js_name'>示例县发布</a>"
        f"<div class='rich_media_content' id='js_content'>{body}</div>"
        f"<script>var msg_title = '{TITLE}'; var ct = '1709602200';</script></body></html>"
    )
    page = extract_page(markup, "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp")
    assert (page.platform, page.extraction_path) == ("wechat", FAST_PATH)
    assert page.text == "\n".join(PARAGRAPHS)
    assert page.title == TITLE and page.date == "2024-03-05"


@pytest.mark.parametrize(
    ("case", "container", "refused", "general_choice"),
    [
        # a TRS container holding only a short summary; the article sits beside it
        (
            "too short",
            "<div class='TRS_Editor'><p>春耕通知。</p></div><div>{body}</div>",
            "fewer than",
            "density",
        ),
        (
            "mostly links",
            f"<div class='TRS_Editor'><ul>{NAV * 3}</ul>，</div><div>{{body}}</div>",
            "link text",
            "density",
        ),
        (
            "no prose",
            "<div class='TRS_Editor'><p>"
            + "附件下载 政策解读 图片新闻 " * 12
            + "</p></div><div>{body}</div>",
            "punctuation",
            "density",
        ),
        (
            # the container starts inside a line of the page: its first line is not one of the page's
            "cut short",
            "<div>据悉，<span class='TRS_Editor'>" + "<br>".join(PARAGRAPHS) + "</span></div>",
            "first or last line",
            "platform:trs",  # the general path's own checks still take the container
        ),
    ],
)
def test_a_container_failing_its_sanity_check_falls_back_to_the_general_path(
    case: str, container: str, refused: str, general_choice: str
) -> None:
    url = TEMPLATES["trs"][0]
    page = extract_page(_page(container), url)
    assert page.extraction_path == GENERAL, case
    assert page.extractor == general_choice
    assert "fast path refused" in (page.extractor_reason or "") and refused in (page.extractor_reason or "")
    assert PARAGRAPHS[0] in page.text and page.text.endswith(PARAGRAPHS[-1])


def test_an_unknown_template_takes_the_general_path() -> None:
    page = extract_page(
        _page("<div class='article-body'>{body}</div>", url_meta=False), "http://x.example.cn/a/1"
    )
    assert (page.platform, page.extraction_path, page.extractor) == ("generic", GENERAL, "density")


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every HTML/XML parse lxml is asked for, by any step (ours, trafilatura's, classify's)."""
    calls: list[str] = []
    depth = [0]  # lxml.html.document_fromstring calls etree.fromstring: one parse, counted once

    def wrap(module: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            if not depth[0]:
                calls.append(name)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(module, name, counted)

    for name in ("document_fromstring", "fromstring", "fragment_fromstring", "fragments_fromstring"):
        wrap(lxml.html, name)
    for name in ("fromstring", "HTML", "XML", "parse"):
        wrap(lxml.etree, name)
    return calls


@pytest.mark.parametrize(
    ("url", "markup"),
    [
        (TEMPLATES["trs"][0], _page(TEMPLATES["trs"][1])),
        ("http://x.example.cn/a/1", _page("<div class='article-body'>{body}</div>", url_meta=False)),
        # a page with little text: the general path asks trafilatura too
        (
            "http://x.example.cn/a/2",
            f"<html><body><h1>{TITLE}</h1><div><p>春耕生产要抓早抓实。</p></div></body></html>",
        ),
    ],
)
def test_a_page_is_parsed_once_by_all_of_extraction(
    monkeypatch: pytest.MonkeyPatch, url: str, markup: str
) -> None:
    calls = _counting(monkeypatch)
    facts = ResponseFacts(url, url, 200, [("Content-Type", "text/html; charset=utf-8")], markup.encode())
    result = analyse(facts)
    assert result["state"] == "ok" and result["page"]["extraction_path"] in (FAST_PATH, GENERAL)
    assert calls == ["document_fromstring"]
