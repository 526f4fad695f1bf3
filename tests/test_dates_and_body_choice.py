"""Both dates of an official page with their sources; US-style stamps; which extractor won and why."""

from __future__ import annotations

from datetime import date

import pytest

from bench.eval.devset import dated_page
from pipelines.extraction.decode import decode_body
from pipelines.extraction.extract import extract_page

TEXT = "\n".join(
    [
        "为进一步规范政府信息公开工作，根据有关规定，结合我市实际，制定本办法。",
        "第一条 本办法适用于市政府各部门、各直属机构的政府信息公开工作，包括主动公开和依申请公开。",
        "第二条 各单位应当建立健全政府信息公开工作制度，明确工作机构，落实工作人员和经费保障。",
    ]
)
FORMS = ["trs-line", "nianyueri", "xxgk-two-dates", "us-ampm", "gov-meta", "slash"]


@pytest.mark.parametrize("index", range(len(FORMS)), ids=FORMS)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_date_line_forms(index: int, encoding: str) -> None:
    day = date(2022, 1, 28)
    body, written, form = dated_page("示例市政府信息公开办法", TEXT, day, index, encoding)
    assert form == FORMS[index]
    page = extract_page(decode_body(body, None).text, "http://dev.invalid/a/1.html")
    assert page.date == "2022-01-28", (form, page.date_source)
    assert page.title == "示例市政府信息公开办法"
    assert page.text == TEXT
    assert page.document_date == written


def test_written_and_published_dates_with_their_sources() -> None:
    body, _, _ = dated_page(
        "示例市政府信息公开办法", TEXT, date(2022, 1, 28), FORMS.index("xxgk-two-dates"), "utf-8"
    )
    page = extract_page(decode_body(body, None).text, "http://dev.invalid/a/1.html")
    assert (page.date, page.date_source) == ("2022-01-28", "label:published")
    assert (page.document_date, page.document_date_source) == ("2022-01-27", "label:written")


def test_us_stamp_with_pm_is_month_first_and_keeps_the_china_calendar_day() -> None:
    html = (
        "<html><head><title>关于开展安全检查的通知</title></head><body><h1>关于开展安全检查的通知</h1>"
        "<p>更新时间：7/5/2005 11:23:57 PM</p>"
        f"<div>{''.join(f'<p>{line}</p>' for line in TEXT.split(chr(10)))}</div></body></html>"
    )
    page = extract_page(html, "http://old-asp.invalid/news/show.asp?id=12")
    assert page.date == "2005-07-05"  # 11 PM China time is still 5 July: never shifted through UTC
    assert page.published_at == "2005-07-05T23:23:57+08:00"


def test_meta_date_with_utc_offset_is_converted_to_china_time() -> None:
    html = (
        "<html><head><title>通知</title>"
        '<meta property="article:published_time" content="2024-06-26T20:30:00Z">'
        f"</head><body><div>{''.join(f'<p>{line}</p>' for line in TEXT.split(chr(10)))}</div></body></html>"
    )
    page = extract_page(html, "http://x.invalid/a.html")
    assert (page.date, page.date_source) == ("2024-06-27", "meta")


def test_signing_date_is_the_document_date() -> None:
    lines = [*TEXT.split("\n"), "示例市人民政府办公室", "2021年12月30日"]
    html = (
        "<html><head><title>办法</title></head><body><h1>办法</h1><p>发布时间：2022-01-05</p><div class='c'>"
        + "".join(f"<p>{line}</p>" for line in lines)
        + "</div></body></html>"
    )
    page = extract_page(html, "http://x.invalid/a.html")
    assert page.text.split("\n")[-2:] == ["示例市人民政府办公室", "2021年12月30日"]
    assert (page.date, page.document_date, page.document_date_source) == (
        "2022-01-05",
        "2021-12-30",
        "body:signing-date",
    )


def _trs_page(trs_body: str) -> str:
    article = "".join(f"<p>（{n}）{line}</p>" for n in range(3) for line in TEXT.split("\n"))
    return (
        "<html><head><title>通知</title></head><body><h1>通知</h1>"
        f"<div class='main'>{article}</div><div class='TRS_Editor'>{trs_body}</div></body></html>"
    )


def test_platform_body_made_of_link_text_falls_back_to_the_main_block() -> None:
    page = extract_page(
        _trs_page("<a href='/x.html'>点击查看原文链接</a>"), "http://x.invalid/t20240101_1.html"
    )
    assert page.extractor == "density" and "mostly link text" in (page.extractor_reason or "")
    assert TEXT.split("\n")[0] in page.text


def test_platform_body_far_shorter_than_the_main_block_falls_back() -> None:
    page = extract_page(_trs_page("<p>附件下载。</p>"), "http://x.invalid/t20240101_1.html")
    assert page.extractor == "density" and "main text block" in (page.extractor_reason or "")


def test_platform_body_that_holds_the_text_wins() -> None:
    body = "".join(f"<p>{line}</p>" for line in TEXT.split("\n"))
    html = (
        "<html><head><title>通知</title></head><body><h1>通知</h1>"
        f"<div class='TRS_Editor'>{body}</div></body></html>"
    )
    page = extract_page(html, "http://x.invalid/t20240101_1.html")
    assert (page.extractor, page.text) == ("platform:trs", TEXT)


def test_ucap_page_keeps_heading_and_adoption_note() -> None:
    """www.gov.cn (UCAP): heading and adoption note sit outside #UCAP-CONTENT; both are the document's."""
    heading = "全国人民代表大会常务委员会关于修改《中华人民共和国示例法》的决定"
    note = "（2021年4月29日第十三届全国人民代表大会常务委员会第二十八次会议通过）"
    paragraphs = [
        "第十三届全国人民代表大会常务委员会第二十八次会议决定对《中华人民共和国示例法》作如下修改：",
        "一、将第二条修改为：“本法适用于中华人民共和国境内的示例活动。”",
        "本决定自公布之日起施行。",
    ]
    html = (
        f"<html><head><title>{heading}_中国政府网</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/zhengce/'>政策</a></div>"
        f"<div class='article'><h1>{heading}</h1><div class='pages-date'>2021-04-30 08:00 来源：新华社</div>"
        f"<p class='note'>{note}</p><div id='UCAP-CONTENT'>"
        + "".join(f"<p>{line}</p>" for line in paragraphs)
        + "</div></div><div class='footer'>版权所有：中国政府网</div></body></html>"
    )
    page = extract_page(html, "https://www.gov.cn/xinwen/2021-04/30/content_5604152.htm")
    assert page.platform == "ucap" and page.extractor == "platform:ucap"
    assert page.text.split("\n") == [heading, note, *paragraphs]
    assert page.date == "2021-04-30"
