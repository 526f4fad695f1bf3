"""Chinese date parsing and the choice of a page's publication date."""

from __future__ import annotations

import pytest

from pipelines.extraction.dates import (
    first_date,
    from_unix,
    labelled_dates,
    parse_date,
    stamp_date,
    url_date,
)
from pipelines.extraction.extract import extract_page


@pytest.mark.parametrize(
    ("text", "iso", "time"),
    [
        ("2020年1月14日", "2020-01-14", None),
        ("2020年01月14日", "2020-01-14", None),  # htmldate says 2020-01-01 here
        ("发布时间：2024-06-27 16:18", "2024-06-27", "16:18"),
        ("2020-1-14", "2020-01-14", None),
        ("2020/01/14", "2020-01-14", None),
        ("2020.01.14", "2020-01-14", None),
        ("2022年01月27", "2022-01-27", None),
        ("2004年7月16日08:19", "2004-07-16", "08:19"),
        ("二〇二〇年一月十四日", "2020-01-14", None),
        ("二〇二三年十二月三十一日", "2023-12-31", None),
        ("2024-06-27T16:18:03+08:00", "2024-06-27", "16:18:03"),
        ("7/5/2005 9:23:57 PM", "2005-07-05", "21:23:57"),  # .NET en-US stamp: month first
        ("06/02/2022 08:12", "2022-02-06", "08:12"),  # no AM/PM: day first
    ],
)
def test_formats(text: str, iso: str, time: str | None) -> None:
    found = parse_date(text)
    assert found is not None
    assert (found.iso, found.time) == (iso, time)


@pytest.mark.parametrize(
    "text", ["2020-13-45", "2020年2月30日", "1850-01-01", "版本 v1.2020.01.14", "", "无日期"]
)
def test_rejects_impossible_or_absent_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("url", "iso"),
    [
        ("http://www.kaili.gov.cn/xwzx/tzgg/202406/t20240627_84922242.html", "2024-06-27"),
        ("http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml", "2019-09-18"),
        ("http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", "2016-11-22"),
        ("http://news.xinhuanet.com/newscenter/2005-08/22/content_3387640.htm", "2005-08-22"),
        ("http://www.example.com/about/contact.html", None),
    ],
)
def test_url_dates(url: str, iso: str | None) -> None:
    found = url_date(url)
    assert (found.iso if found else None) == iso


def test_labelled_written_and_published_dates() -> None:
    lines = [
        "索引号：11220000/2022-00123",
        "成文日期：",
        "2022年01月27日",
        "发布日期：2022年01月28日",
    ]
    found = labelled_dates(lines)
    assert found.written is not None and found.written.iso == "2022-01-27"
    assert found.published is not None and found.published.iso == "2022-01-28"


def test_neighbour_and_copyright_lines_are_ignored() -> None:
    lines = [
        "上一篇：某某通知 发布时间：2019-01-01",
        "版权所有 2003-2024 某某县",
        "时间：2021-03-04",
    ]
    found = labelled_dates(lines)
    assert found.published is None and found.weak is not None and found.weak.iso == "2021-03-04"
    assert first_date(lines[:2]) is None


def test_wechat_ct_is_china_time() -> None:
    found = from_unix("1522968980")  # 2018-04-05 22:56:20 UTC
    assert found is not None
    assert found.iso == "2018-04-06"
    assert found.iso_datetime() == "2018-04-06T06:56:20+08:00"
    assert from_unix("") is None and from_unix("abc") is None


def _page(header: str, body: str, footer: str = "") -> str:
    paragraphs = "".join(f"<p>{body}第{i}段内容，说明有关事项。</p>" for i in range(6))
    return (
        "<html><head><title>关于公布2020年度名单的通知_某某县人民政府</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
        f"<h1>关于公布2020年度名单的通知</h1><div class='info'>{header}</div>"
        f"<div class='content'>{paragraphs}</div>{footer}</body></html>"
    )


def test_label_beats_body_and_neighbour_dates() -> None:
    html = _page(
        "发布时间：2020年01月14日 10:05 来源：县政府办",
        "根据2019年12月3日会议精神，",
        "<div>上一篇：<a href='t20200101_1.html'>另一通知（2020-01-01）</a></div>",
    )
    page = extract_page(html, "http://www.example.gov.cn/a/202001/t20200115_9.html")
    assert page.date == "2020-01-14"
    assert page.date_published == "2020-01-14"
    assert page.published_at == "2020-01-14T10:05:00+08:00"
    assert page.source == "县政府办"


def test_date_under_title_beats_url_and_body() -> None:
    html = _page("2019年3月8日", "2018年5月6日印发的文件中提到，")
    assert extract_page(html, "http://www.example.gov.cn/a/t20190309_1.html").date == "2019-03-08"


def test_url_date_when_the_page_shows_none() -> None:
    html = _page("", "有关单位，")
    assert extract_page(html, "http://www.example.gov.cn/art/2020/1/14/art_1_2.html").date == "2020-01-14"
    assert extract_page(html, "http://www.example.gov.cn/a/b.html").date is None


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("本贴由某某于2005年8月12日16:12:21在〖心理咨询〗发表.", "2005-08-12"),
        ("由某某张贴 @ 2005-03-21 01:20:44 (359)", "2005-03-21"),
        ("该文于2020年1月14日发布", "2020-01-14"),
        ("他于2020年1月14日回国，并于次日发表声明。", None),  # a sentence, not a stamp
        ("我于2019年3月出境", None),
    ],
)
def test_posting_stamps(line: str, iso: str | None) -> None:
    found = stamp_date([line])
    assert (found.iso if found else None) == iso


def test_forum_post_stamp_in_the_body_dates_the_page_but_reply_stamps_below_do_not() -> None:
    body = "<div class='content'>" + "".join(
        f"<p>帖子正文第{i}段，讲述亲子关系的道理。</p>" for i in range(6)
    )
    body += "<p>本贴由某某于2005年8月12日16:12:21在〖论坛〗发表.</p></div>"
    replies = "<ul><li>回复 某甲 于2006年1月31日发表</li><li>回复 某乙 于2006年2月1日发表</li></ul>"
    html = f"<html><head><title>演讲精选</title></head><body><h1>演讲精选</h1>{body}{replies}</body></html>"
    assert extract_page(html, "http://bbs.example.cn/read.php?id=1").date == "2005-08-12"
