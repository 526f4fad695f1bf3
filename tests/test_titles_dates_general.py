"""Titles and dates on pages no rule was tuned to: one row per kind of failure seen on real pages.

Each page is built here from the parts real article pages have (a logo, a menu, a breadcrumb, the
headline, a date line, the body, lists of other articles, a footer); the site, column and portal
names are made up, so a rule can only pass by reading the page, never by knowing the name.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from pipelines.extraction.extract import extract_page
from pipelines.extraction.sitenames import learned_site_names

BODY = (
    "近日，示例区召开专题会议，研究部署下一阶段重点工作，要求各部门压实责任、细化措施。",
    "会议指出，要坚持问题导向，聚焦群众关心的热点难点问题，逐项制定整改方案，确保按期完成。",
    "会议强调，各单位要加强协调配合，形成工作合力，以实际成效回应群众期待，推动各项任务落地见效。",
)
MENU = ("首页", "新闻动态", "通知公告", "政策文件", "专题专栏", "互动交流")


def page(
    *,
    title: str,
    headline: str | None = None,
    headline_tag: str = "h1",
    column: str | None = None,
    site: str = "",
    date_line: str = "",
    after_body: str = "",
    head_extra: str = "",
    related_above: str = "",
    related_below: str = "",
    top_bar: str = "",
    footer: str = "",
    paragraphs: int = 3,
) -> str:
    """An article page in the usual order; every part is optional."""
    menu = "".join(f"<li><a href='/c/{i}/'>{name}</a></li>" for i, name in enumerate(MENU))
    crumb = f"<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/c/1/'>{column}</a></div>"
    column_head = f"<h2 class='column'>{column}</h2>" if column else ""
    logo = f"<div class='logo'><img src='/img/logo.png' alt='{site}'></div>" if site else ""
    head = f"<{headline_tag}>{html.escape(headline)}</{headline_tag}>" if headline else ""
    body = "".join(f"<p>{BODY[n % len(BODY)]}</p>" for n in range(paragraphs))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{head_extra}</head><body>"
        f"{top_bar}{logo}<ul class='nav'>{menu}</ul>{crumb if column else ''}{column_head}"
        f"{related_above}<div class='article'>{head}{date_line}"
        f"<div class='content'>{body}</div>{after_body}</div>{related_below}"
        f"<div class='footer'>{footer}</div></body></html>"
    )


def related(dates: list[str], label: str = "") -> str:
    items = "".join(
        f"<li><a href='/a/{n}.html'>另一篇文章的标题第{n}条新闻</a><span>{label}{day}</span></li>"
        for n, day in enumerate(dates)
    )
    return f"<div class='side'><h3>相关文章</h3><ul>{items}</ul></div>"


HEADLINE = "示例区召开专题会议部署重点工作"

TITLE_CASES = {
    # the site's name after a hyphen without spaces, the site named by og:site_name; no heading tag
    "site-after-hyphen": (
        page(
            title=f"「清朗」{HEADLINE}座谈会-示例科普网",
            headline=f"「清朗」{HEADLINE}座谈会",
            headline_tag="p",
            head_extra=f"<meta property='og:title' content='「清朗」{HEADLINE}座谈会-示例科普网'>"
            "<meta property='og:site_name' content='示例科普网'>",
        ),
        f"「清朗」{HEADLINE}座谈会",
    ),
    # after "！-", the site named by its logo's alt text
    "site-after-exclamation-hyphen": (
        page(
            title="英雄的城！-示例新闻网",
            headline="英雄的城！",
            headline_tag="p",
            site="示例新闻网",
            head_extra="<meta property='og:title' content='英雄的城！-示例新闻网'>",
        ),
        "英雄的城！",
    ),
    # joined by a space only, the name learned from the footer's copyright line
    "site-after-space": (
        page(
            title=f"{HEADLINE} 东区办事处",
            headline=f"{HEADLINE} 东区办事处",
            footer="版权所有：示例市示例区东区办事处 备案号：示ICP备00000000号",
        ),
        HEADLINE,
    ),
    # a portal's name after "-", learned from og:site_name
    "portal-after-hyphen": (
        page(
            title=f"{HEADLINE}-今日示例",
            headline=f"{HEADLINE}-今日示例",
            head_extra="<meta property='og:site_name' content='今日示例'>",
        ),
        HEADLINE,
    ),
    # a column's name after "-": the <title> part standing as a line of its own wins
    "column-after-hyphen": (
        page(
            title="中华人民共和国示例法-纪检",
            headline="中华人民共和国示例法",
            headline_tag="p",
            head_extra="<meta property='og:title' content='中华人民共和国示例法-纪检'>",
        ),
        "中华人民共和国示例法",
    ),
    # the <title> names only the site and the column; the article's heading is by the body
    "column-for-headline": (
        page(
            title="示例科普-辟谣文章",
            column="辟谣文章",
            headline="吃隔夜菜真的会致癌吗？专家这样说",
            headline_tag="h3",
            site="示例科普",
        ),
        "吃隔夜菜真的会致癌吗？专家这样说",
    ),
}


@pytest.mark.parametrize("kind", list(TITLE_CASES))
def test_the_title_is_the_articles_own_headline(kind: str) -> None:
    markup, expected = TITLE_CASES[kind]
    assert extract_page(markup, "http://example.invalid/a/1.html").title == expected


DATE_LINE = "<div class='info'><span>2024-01-14 09:30</span> <span>来源：示例日报</span></div>"
DATE_CASES = {
    # sidebars above the article list other articles with labelled, older dates
    "labelled-sidebar-above": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            related_above=related(["2019-05-06", "2019-04-30"], label="发布时间："),
            date_line="<p>发布时间：2024-01-14 09:30 来源：示例日报</p>",
        ),
        "2024-01-14",
    ),
    # the date printed below a long body; a list of older articles above it
    "date-below-body": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            paragraphs=9,
            related_above=related(["2021-03-02", "2021-02-27"]),
            after_body="<p class='time'>2024-01-14</p>",
        ),
        "2024-01-14",
    ),
    # the date only in a portal's script variable; other articles' dates on the page
    "script-publish-time": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            head_extra="<script>var info = {title: 'x', publish_time: '2024-01-14 09:30:00'};</script>",
            related_below=related(["2023-11-02", "2023-10-30"]),
        ),
        "2024-01-14",
    ),
    # a mirror of an account article: WeChat's `var ct` (Unix seconds) without the template
    "script-unix-ct": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            head_extra='<script>var ct = "1705195800";</script>',
            related_below=related(["2023-11-02"]),
        ),
        "2024-01-14",
    ),
    # JSON-LD datePublished, with an offset (converted to China time: still the 14th there)
    "json-ld": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            head_extra='<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2024-01-13T17:30:00Z"}</script>',
            related_below=related(["2023-11-02"]),
        ),
        "2024-01-14",
    ),
    # 年月日 in full-width digits under the headline; a bar with today's date above everything
    "full-width-digits": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            top_bar="<div class='top'>今天是2024年3月1日 星期五</div>",
            date_line="<p>发布日期：２０２４年１月１４日</p>",
        ),
        "2024-01-14",
    ),
    # a US-style stamp, month first, "a.m." written with dots (day-first would be May 1)
    "us-month-first-am": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            related_above=related(["2023-12-30"]),
            date_line="<p>1/5/2024 9:23 a.m.</p>",
        ),
        "2024-01-05",
    ),
    # an English-language date line
    "english-month": (
        page(
            title=HEADLINE,
            headline=HEADLINE,
            related_above=related(["2022-06-01"]),
            date_line="<p class='byline'>Updated: January 14, 2024</p>",
        ),
        "2024-01-14",
    ),
    # the byline under the headline is mostly short links (the source, font sizes, print, comments):
    # still the byline, not an item of a list of other articles
    "byline-of-short-links": (
        page(
            title=HEADLINE,
            related_above=f"<div class='topic'>{HEADLINE}</div><div class='sth'><span>2011年01月01日 23:11"
            "</span><a href='/s'>中新网</a>【<a href='#'>大</a> <a href='#'>中</a> <a href='#'>小</a>】 "
            "【<a href='#'>打印</a>】 <a href='#c'>共有评论0条</a></div>",
            related_below=related(["2023-11-02"]),
        ),
        "2011-01-01",
    ),
}

# the date only in the URL, between dashes; the page shows a day without its year
URL_DATE_CASES = {
    "url-dashed-yyyymmdd": (
        page(title=HEADLINE, headline=HEADLINE, top_bar="<div class='site'>3月29日(三)</div>"),
        "https://news.example.invalid/content/odn-20230329-0329_00174_002/",
        "2023-03-29",
    ),
}


@pytest.mark.parametrize("kind", list(DATE_CASES))
def test_the_date_is_the_articles_own(kind: str) -> None:
    markup, expected = DATE_CASES[kind]
    assert extract_page(markup, "http://example.invalid/a/1.html").date == expected


@pytest.mark.parametrize("kind", list(URL_DATE_CASES))
def test_a_date_only_in_the_url_is_read_from_it(kind: str) -> None:
    markup, url, expected = URL_DATE_CASES[kind]
    assert extract_page(markup, url).date == expected


def test_a_relative_date_counts_back_from_the_capture_time() -> None:
    markup = page(title=HEADLINE, headline=HEADLINE, date_line="<p>示例日报 3小时前</p>")
    captured = datetime(2024, 1, 14, 17, 30, tzinfo=UTC)  # 01:30 on the 15th in China
    found = extract_page(markup, "http://example.invalid/a/1.html", captured)
    assert (found.date, found.published_at) == ("2024-01-14", "2024-01-14T22:30:00+08:00")


def test_written_and_published_dates_are_both_kept() -> None:
    table = (
        "<table class='xxgk'><tr><td>成文日期：</td><td>2024年01月10日</td>"
        "<td>发布日期：</td><td>2024年01月14日</td></tr></table>"
    )
    found = extract_page(page(title=HEADLINE, headline=HEADLINE, date_line=table), "http://example.invalid/a")
    assert (found.document_date, found.date) == ("2024-01-10", "2024-01-14")


# the site's name learned from the <title>s of the host's other pages -------------------------
TITLES = ["全国科普工作座谈会在京召开", "科普示范基地名单公布", "青少年科学营开营", "科技周活动启动仪式举行"]


def test_the_end_part_the_titles_share_is_the_sites_name_not_the_column_inside() -> None:
    titles = [f"{t}-新闻动态-示例网" for t in TITLES[:3]] + [f"{TITLES[3]}-通知公告-示例网"]
    assert learned_site_names(titles, []) == ["示例网"]
    assert learned_site_names([f"新华网_{t}" for t in TITLES], []) == ["新华网"]


def test_a_column_a_minority_shares_or_too_few_pages_teach_no_name() -> None:
    columns = [
        f"{TITLES[0]}_工作动态",
        f"{TITLES[1]}_工作动态",
        f"{TITLES[2]}_通知公告",
        f"{TITLES[3]}_图片新闻",
    ]
    assert learned_site_names(columns, []) == []
    assert learned_site_names([f"{t}-示例科普网" for t in TITLES[:2]], []) == []  # two pages: too few
    assert learned_site_names([f"{TITLES[0]}-示例科普网"] * 4, []) == []  # the same page four times


def test_site_names_recorded_by_several_pages_are_learned() -> None:
    assert learned_site_names([], ["示例科普网", "示例科普网", ""]) == ["示例科普网"]
    assert learned_site_names([], ["示例科普网"]) == []


def test_a_learned_name_is_cut_from_the_heading_that_carries_it() -> None:
    page = (
        "<html><head><title>全国科普工作座谈会在京召开-示例科普网</title></head><body>"
        "<div class='article'><h2 class='title'>全国科普工作座谈会在京召开-示例科普网</h2>"
        "<p>发布时间：2024-01-14</p><p>"
        + "会议指出，要把科学普及放在与科技创新同等重要的位置。" * 3
        + "</p></div></body></html>"
    )
    url = "http://kp.example.cn/a/1.html"
    assert extract_page(page, url).title == "全国科普工作座谈会在京召开-示例科普网"
    assert extract_page(page, url, known_sites=["示例科普网"]).title == "全国科普工作座谈会在京召开"
