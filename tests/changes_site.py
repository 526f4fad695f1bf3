"""A site whose notice changes between two crawls (mode "before", then "after"), for `diff`,
the report's diffs and the stealth-edit flag.

/notice.html (after): one sentence moved, one edited, one removed, one added; its title turns
hostile (markup and a control character); its attachment a.pdf is replaced (same URL, other
bytes), old.pdf is no longer linked, new.pdf is; the link to /about.html gives way to /contact.html.
/stealth.html (after): the same text, only its date (meta and signing line) moved back.
/quoted.html (after): the same text but for one word of the sentence a report quotes (QUOTE).
"""

from __future__ import annotations

from sourcekeeper.demo.rawsite import RawReply, RawRequest, SiteState, page

UTF8 = b"text/html; charset=utf-8"
SENTENCES = [
    "为切实做好本县在外人员劝返工作，现将有关事项通知如下。",
    "一、提高思想认识，各单位要充分认识此项工作的重要性。",
    "二、加强亲属联系，对在外人员亲属开展政策宣讲。",
    "三、严格工作纪律，按时报送工作进展情况！",
    "联系电话：0000-1234567。",
]
EDITED = "二、加强亲属联系，对在外人员亲属开展法律宣讲。"
ADDED = "四、本通知自发布之日起施行。"
AFTER = [SENTENCES[0], EDITED, SENTENCES[4], SENTENCES[1], ADDED]
TITLE = "关于做好劝返工作的通知"
HOSTILE_TITLE = '关于做好劝返工作的通知<script>alert("x")</script>\x1b[2J'


def _html(title: str, body: str, date: str, links: str) -> bytes:
    safe = title.replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{safe}</title>\n'
        f'<meta name="ArticleTitle" content="{safe.replace(chr(34), "&quot;")}">\n'
        f'<meta name="PubDate" content="{date} 10:00">\n'
        '<meta name="ContentSource" content="测试县公安局"></head>\n<body>\n'
        f'<div class="nav"><a href="/">首页</a> {links}</div>\n'
        f'<div class="article"><h1>{safe}</h1>\n<div class="TRS_Editor">\n{body}\n</div></div>\n'
        "</body></html>\n"
    ).encode()


def notice(req: RawRequest, site: SiteState) -> RawReply:
    if site.mode == "after":
        body = "\n".join(f"<p>{s}</p>" for s in AFTER)
        body += '\n<p>附件：<a href="/files/a.pdf">名单.pdf</a> <a href="/files/new.pdf">补充名单.pdf</a></p>'
        return page(
            _html(HOSTILE_TITLE, body, "2024-01-05", '<a href="/contact.html">联系我们</a>'),
            content_type=UTF8,
        )
    body = "\n".join(f"<p>{s}</p>" for s in SENTENCES)
    body += '\n<p>附件：<a href="/files/a.pdf">名单.pdf</a> <a href="/files/old.pdf">旧名单.pdf</a></p>'
    return page(_html(TITLE, body, "2024-01-05", '<a href="/about.html">关于我们</a>'), content_type=UTF8)


def stealth(req: RawRequest, site: SiteState) -> RawReply:
    date, line = ("2023-12-01", "2023年12月1日") if site.mode == "after" else ("2024-01-05", "2024年1月5日")
    body = (
        "<p>测公通〔2024〕1号</p>\n"
        + "\n".join(f"<p>{s}</p>" for s in SENTENCES)
        + f"\n<p>测试县公安局</p>\n<p>{line}</p>"
    )
    return page(_html("关于开展专项行动的通知", body, date, ""), content_type=UTF8)


QUOTE = "对在外人员亲属开展政策宣讲"


def quoted(req: RawRequest, site: SiteState) -> RawReply:
    sentences = [EDITED if s == SENTENCES[2] and site.mode == "after" else s for s in SENTENCES]
    body = "\n".join(f"<p>{s}</p>" for s in sentences)
    return page(_html("关于开展宣讲活动的通知", body, "2024-01-05", ""), content_type=UTF8)


def pdf(name: str) -> object:
    def handle(req: RawRequest, site: SiteState) -> RawReply:
        version = b"2" if site.mode == "after" and name == "a" else b"1"
        body = b"%PDF-1.4\n% " + name.encode() + b" version " + version + b"\n%%EOF\n"
        return page(body, content_type=b"application/pdf")

    return handle


def plain(req: RawRequest, site: SiteState) -> RawReply:
    return page(
        "<html><head><title>页面</title></head><body><p>页面。</p></body></html>".encode(), content_type=UTF8
    )


ROUTES = {
    "/notice.html": notice,
    "/stealth.html": stealth,
    "/quoted.html": quoted,
    "/files/a.pdf": pdf("a"),
    "/files/old.pdf": pdf("old"),
    "/files/new.pdf": pdf("new"),
    "/about.html": plain,
    "/contact.html": plain,
}
