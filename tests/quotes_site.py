"""Pages whose quoted passages change between mode "before" and "after" (tests/test_quotes_crawl.py).

Serve with `ServedSite("tests/quotes_site.py:ROUTES")`.
"""

from __future__ import annotations

from sourcekeeper.demo.rawsite import Handler, RawReply, RawRequest, SiteState, page

UTF8 = b"text/html; charset=utf-8"
BEFORE = [
    "为切实做好本县在外人员劝返工作，现将有关事项通知如下。",
    "一、各单位要在２０２４年３月底前完成ＡＢＣ核查。",
    "二、加强亲属联系，对在外人员亲属开展政策宣讲。",
    "三、严格工作纪律，按时报送工作进展情况！",
]
# one character of the first sentence changed (劝返 → 劝归), the third sentence gone
AFTER = [
    "为切实做好本县在外人员劝归工作，现将有关事项通知如下。",
    BEFORE[1],
    BEFORE[3],
]


def article(title: str, sentences: list[str], links: str = "") -> bytes:
    paragraphs = "\n".join(f"<p>{s}</p>" for s in sentences)
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>\n'
        f'<meta name="ArticleTitle" content="{title}"></head>\n<body>\n'
        f'<div class="article"><h1>{title}</h1>\n<div class="TRS_Editor">\n{paragraphs}\n</div>'
        f"{links}</div>\n"
        "</body></html>\n"
    ).encode()


def notice(req: RawRequest, site: SiteState) -> RawReply:
    sentences = AFTER if site.mode == "after" else BEFORE
    return page(article("关于在外人员有关事项的通知", sentences), content_type=UTF8)


def steady(req: RawRequest, site: SiteState) -> RawReply:
    return page(
        article("关于政策宣讲的通知", ["各乡镇要开展政策宣讲活动。", "请各单位认真落实。"]), content_type=UTF8
    )


ROUTES: dict[str, Handler] = {"/notice.html": notice, "/steady.html": steady}
