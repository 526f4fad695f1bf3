"""extract_page(): platform rules, metadata fields, attachments, and inputs that must not break it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.extraction.decode import decode_body
from pipelines.extraction.extract import ExtractedPage, extract_page

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KAILI_URL = "http://www.kaili.gov.cn/xwzx/tzgg/202406/t20240627_84922242.html"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def corpus_text(relative: str) -> str:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"corpus page {relative} not found under {CORPUS}")
    return decode_body(path.read_bytes(), None).text


@pytest.mark.corpus
def test_kaili_trs_notice() -> None:
    page = extract_page(corpus_text("gov/kaili-trs-2024.html"), KAILI_URL)
    assert page.platform == "trs"
    assert page.title == "凯里市教育系统2024年公开招聘事业单位工作人员实施方案"
    assert (page.date, page.published_at) == ("2024-06-27", "2024-06-27T16:18:00+08:00")
    assert page.source == "凯里市人力资源和社会保障局"
    assert page.text.startswith("根据《贵州省事业单位新增人员公开招聘暂行办法》")
    for boilerplate in ("上一篇", "返回顶部", "政府网站标识码", "网站首页"):
        assert boilerplate not in page.text
    base = "http://www.kaili.gov.cn/xwzx/tzgg/202406/"
    assert [a["url"] for a in page.attachments] == [
        base + "P020240627596367566427.xlsx",
        base + "P020240627596367590820.doc",
        base + "P020240627596367636869.doc",
        base + "P020240627596367669374.doc",
    ]
    assert page.attachments[0]["name"].startswith("附件1：") and page.attachments[0]["name"].endswith(".xlsx")


@pytest.mark.corpus
def test_wechat_article_as_served() -> None:
    page = extract_page(corpus_text("wechat/huashang-2018.html"), "https://mp.weixin.qq.com/s/abc")
    assert page.platform == "wechat"
    assert page.title == "4月6日周五【新闻速览一分钟】"
    assert (page.author, page.site) == ("华商报", "华商报")
    assert page.date == "2018-04-06"
    assert page.published_at == "2018-04-06T06:56:20+08:00"
    assert "戊戌（2018）年清明公祭轩辕黄帝典礼" in page.text
    assert "var msg_title" not in page.text
    assert page.images and all(url.startswith("http") and "mmbiz.qpic.cn" in url for url in page.images)


def test_wechat_canonical_url_from_variables() -> None:
    html = (
        '<html><body><h2 class="rich_media_title">标题</h2><div id="js_content"><p>正文。</p>'
        '<img data-src="https://mmbiz.qpic.cn/a/640?wx_fmt=png" src="data:image/gif;base64,AAAA"></div>'
        '<script>var biz = "" || "MzA4ODUzNjAxOA==";var sn = "" || "abc123";var mid = "" || "2671068104";'
        'var idx = "" || "7";var msg_title = "标题\\x26更多";var nickname = htmlDecode("某某发布");'
        'var ct = "1581517074";</script></body></html>'
    )
    page = extract_page(html, "https://mp.weixin.qq.com/s/shortlink")
    assert page.canonical_url == (
        # as WeChat itself spells it (msg_link), and as the spider fetches the canonical form
        "https://mp.weixin.qq.com/s?__biz=MzA4ODUzNjAxOA==&mid=2671068104&idx=7&sn=abc123"
    )
    assert (page.title, page.author, page.date) == ("标题&更多", "某某发布", "2020-02-12")
    assert page.images == ["https://mmbiz.qpic.cn/a/640?wx_fmt=png"]


def test_hanweb_notice() -> None:
    url = "http://www.example.gov.cn/art/2023/5/8/art_1229_101.html"
    page = extract_page(fixture("hanweb-article.html"), url)
    assert page.platform == "hanweb"
    assert page.title == "关于开展2023年度反诈宣传月活动的通知"
    assert (page.date, page.source, page.site) == ("2023-05-08", "县公安局宣传科", "某某县公安局")
    assert page.text.startswith("各派出所、各警种部门：")
    assert "上一篇" not in page.text and "大汉网络" not in page.text
    assert page.attachments == [
        {
            "url": "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=2305081.pdf",
            "name": "宣传月活动安排表.pdf",
        }
    ]


def test_ucap_page_uses_gov_meta_and_ucap_body() -> None:
    page = extract_page(fixture("ucap-article.html"), "https://www.gov.cn/xinwen/2020-01/14/content_1.htm")
    assert page.platform == "ucap"
    assert page.title == "全国人民代表大会常务委员会关于某某事项的决定"
    assert (page.date, page.published_at) == ("2020-01-14", "2020-01-14T18:30:00+08:00")
    assert (page.source, page.site) == ("新华社", "中国政府网")
    assert "二、本决定自公布之日起施行。" in page.text
    assert "首页" not in page.text and "版权所有" not in page.text


def test_disclosure_page_keeps_both_dates_and_numbers() -> None:
    page = extract_page(fixture("xxgk-disclosure.html"), "http://xxgk.example.gov.cn/zcwj/a.html")
    assert (page.date, page.date_published, page.date_written) == ("2022-01-28", "2022-01-28", "2022-01-27")
    assert page.index_number == "11220000013544357T/2022-00123"
    assert page.doc_number == "某政办发〔2022〕3号"
    assert page.source == "某省人民政府办公厅"
    assert "现印发给你们" in page.text and "索引号" not in page.text


def test_iframe_pdf_viewer_and_relative_links() -> None:
    html = (
        "<html><body><div class='TRS_Editor'><p>详见附件。</p>"
        "<iframe src='/pdfjs/web/viewer.html?file=/protect/P0202001/P020200114.pdf'></iframe>"
        "<a href='./P020200114_2.ofd'>附件2</a><a href='../doc/a.wps' download='附件3.wps'>下载</a>"
        "<a href='javascript:void(0)' onclick=\"window.open('/files/a.zip')\">附件4</a></div></body></html>"
    )
    page = extract_page(html, "http://www.example.gov.cn/xxgk/202001/t20200114_1.html")
    assert [(a["url"], a["name"]) for a in page.attachments] == [
        ("http://www.example.gov.cn/protect/P0202001/P020200114.pdf", "P020200114.pdf"),
        ("http://www.example.gov.cn/xxgk/202001/P020200114_2.ofd", "附件2"),
        ("http://www.example.gov.cn/xxgk/doc/a.wps", "附件3.wps"),
        ("http://www.example.gov.cn/files/a.zip", "附件4"),
    ]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "\x00\x01<html>",
        fixture("frameset.html"),
        fixture("meta-refresh.html"),
        "<?xml version='1.0' encoding='gb2312'?><html><body></body></html>",
        "<html><body><script>var a = '<p>not text</p>';</script><style>p{}</style></body></html>",
    ],
)
def test_bad_input_gives_empty_page(html: str) -> None:
    page = extract_page(html, "http://www.example.gov.cn/a.html")
    assert isinstance(page, ExtractedPage)
    assert page.text == ""
    json.dumps(page.to_json(), ensure_ascii=False)


@pytest.mark.parametrize("html", ["<<<>>>< /div></p></html>", "<html><body><p>未闭合", "</html><html>"])
def test_garbage_markup_does_not_raise(html: str) -> None:
    page = extract_page(html, "not a url")
    assert isinstance(page.to_json()["text"], str)


def test_only_images_and_only_a_pdf_link() -> None:
    images = extract_page(fixture("only-images.html"), "http://www.example.gov.cn/a/b.html")
    assert images.text == ""
    pdf = extract_page(fixture("only-pdf-link.html"), "http://www.example.gov.cn/a/b.html")
    assert pdf.attachments == [
        {"url": "http://www.example.gov.cn/a/P020240101000000000001.pdf", "name": "附件：名单.pdf"}
    ]


def test_truncated_html_keeps_what_is_there() -> None:
    page = extract_page(fixture("truncated.html"), "http://www.example.gov.cn/a/b.html")
    assert page.title == "关于公布第一批名单的公告"
    assert "现将第一批名单予以公布" in page.text


def test_three_megabyte_single_line_page_completes() -> None:
    paragraph = "<p>" + "县公安局通报案件情况，提醒群众提高警惕，谨防电信网络诈骗。" * 50 + "</p>"
    html = "<html><head><title>通报</title></head><body><div>" + paragraph * 1100 + "</div></body></html>"
    assert len(html.encode("utf-8")) > 3_000_000 and "\n" not in html
    page = extract_page(html, "http://www.example.gov.cn/a/b.html")
    assert "谨防电信网络诈骗" in page.text


def test_deeply_nested_broken_markup_does_not_recurse_out() -> None:
    html = (
        "<html><body>" + "<div><font>" * 5000 + "<p>深层嵌套的正文内容，依然可以提取出来。</p></body></html>"
    )
    page = extract_page(html, "http://www.example.gov.cn/a/b.html")
    assert isinstance(page.text, str)


def test_to_json_has_every_field() -> None:
    data = extract_page(fixture("hanweb-article.html"), "http://www.example.gov.cn/a.html").to_json()
    assert set(data) >= {"title", "date", "date_written", "date_published", "published_at", "source"}
    assert set(data) >= {"author", "site", "text", "index_number", "doc_number", "platform"}
    assert set(data) >= {"canonical_url", "attachments", "images"}


def test_rendered_wechat_dom_without_variables() -> None:
    html = (
        '<html><body><h1 class="rich_media_title" id="activity-name">县公安局发布防诈提醒</h1>'
        '<a id="js_name">某某县公安局</a><em id="publish_time">{}</em>'
        '<div id="js_content"><p>近期电信诈骗案件多发，请广大群众提高警惕。</p></div></body></html>'
    )
    url = "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp"
    page = extract_page(html.format("2020-02-12 22:31"), url)
    assert (page.title, page.author, page.date) == ("县公安局发布防诈提醒", "某某县公安局", "2020-02-12")
    assert page.text == "近期电信诈骗案件多发，请广大群众提高警惕。"
    assert extract_page(html.format("昨天"), url).date is None  # relative dates are never guessed


def test_trs_page_with_a_second_small_editor_div() -> None:
    body = "".join(f"<p>第{i}条，县公安局依法办理有关案件，现将情况通报如下。</p>" for i in range(5))
    html = (
        "<html><head><title>通报_某某县公安局</title></head><body>"
        "<div class='TRS_Editor'><p>摘要：情况通报。</p></div>"
        f"<div class='TRS_Editor'><div class='TRS_Editor'>{body}</div></div></body></html>"
    )
    page = extract_page(html, "http://gaj.example.gov.cn/jwgk/202001/t20200114_1.html")
    assert page.platform == "trs"
    assert page.text.count("县公安局依法办理有关案件") == 5 and "摘要" not in page.text
    assert page.date == "2020-01-14"
