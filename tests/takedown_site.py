"""A site that switches from "before" to "after" in every way a cited source goes away.

Serve with `ServedSite("tests/takedown_site.py:ROUTES")`, archive in mode "before", `set_mode("after")`,
recheck. EXPECTED maps each path to the re-check state it must get (and the detail, where fixed).
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections import Counter
from email.utils import formatdate
from pathlib import Path
from types import ModuleType

from sourcekeeper.demo.rawsite import (
    Handler,
    RawReply,
    RawRequest,
    Reset,
    SiteState,
    http_response,
    page,
    redirect,
)


def _load_sibling(name: str) -> ModuleType:
    """tests/<name>.py by path (pywb's `tests` package hides `tests.<name>`)."""
    spec = importlib.util.spec_from_file_location(f"_takedown_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MOCK = _load_sibling("mocksite")
UTF8 = b"text/html; charset=utf-8"
COLUMN = "/news/"
SENTENCES = [
    "为切实做好本县在外人员劝返工作，现将有关事项通知如下。",
    "一、提高思想认识，各单位要充分认识此项工作的重要性。",
    "二、加强亲属联系，对在外人员亲属开展政策宣讲。",
    "三、严格工作纪律，按时报送工作进展情况！",
    "联系电话：0000-1234567；联系人：王某。",
]
EDITED = [
    SENTENCES[0],
    "二、依法依规开展工作，保障当事人合法权益。",
    *SENTENCES[2:4],
    "本通知自发布之日起施行。",
]
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True).encode()


def article_html(title: str, sentences: list[str]) -> bytes:
    paragraphs = "\n".join(f"<p>{s}</p>" for s in sentences)
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}_测试县公安局</title>\n'
        f'<meta name="ArticleTitle" content="{title}">\n<meta name="PubDate" content="2024-01-05 10:00">\n'
        f'<meta name="ContentSource" content="测试县公安局"></head>\n<body>\n'
        f'<div class="nav"><a href="/">首页</a> <a href="{COLUMN}index.html">通知公告</a></div>\n'
        f'<div class="article"><h1>{title}</h1>\n<div class="TRS_Editor">\n{paragraphs}\n</div></div>\n'
        "</body></html>\n"
    ).encode()


def etag_page(req: RawRequest, body: bytes) -> RawReply:
    """200 with an ETag; 304 when If-None-Match matches (conditional re-check)."""
    etag = b'"%s"' % hashlib.sha1(body).hexdigest()[:16].encode()
    if req.header(b"if-none-match") == etag:
        return http_response(304, b"Not Modified", [(b"ETag", etag)], content_length=None)
    return page(body, content_type=UTF8, headers=[(b"ETag", etag)])


def lastmod_page(req: RawRequest, body: bytes) -> RawReply:
    """200 with Last-Modified only; 304 when If-Modified-Since is that date."""
    if req.header(b"if-modified-since") == LAST_MODIFIED:
        return http_response(304, b"Not Modified", [(b"Last-Modified", LAST_MODIFIED)], content_length=None)
    return page(body, content_type=UTF8, headers=[(b"Last-Modified", LAST_MODIFIED)])


def notice(
    number: int, title: str, after: Handler | None = None, sentences: list[str] | None = None
) -> Handler:
    """An article; in mode "after" `after` answers instead (None: the same article)."""
    body = article_html(title, sentences or SENTENCES)

    def handle(req: RawRequest, site: SiteState) -> RawReply:
        if site.mode == "after" and after is not None:
            return after(req, site)
        return etag_page(req, body)

    return handle


def status_page(status: int, text: str) -> Handler:
    body = f"<html><head><title>{status}</title></head><body><h1>{status}</h1><p>{text}</p></body></html>"
    return lambda req, site: page(body.encode(), status=status, content_type=UTF8)


def soft_404(req: RawRequest, site: SiteState) -> RawReply:
    body = (
        "<html><head><title>页面不存在</title></head>"
        "<body><p>您访问的页面不存在，请返回首页。</p></body></html>"
    )
    return page(body.encode(), content_type=UTF8)


def huawei_418(req: RawRequest, site: SiteState) -> RawReply:
    body = "<html><body><p>您的访问被拦截，请稍后再试。</p></body></html>".encode()
    return http_response(418, b"", [(b"Server", b"HWWAF"), (b"Content-Type", UTF8)], body)


def wechat(req: RawRequest, site: SiteState) -> RawReply:
    if site.mode == "after":
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>\n'
            '<div class="weui-msg"><div class="weui-msg__text-area">'
            '<h2 class="weui-msg__title">该内容已被发布者删除</h2></div></div>\n</body></html>\n'
        )
        return page(body.encode(), content_type=UTF8)
    return etag_page(req, article_html("劝返工作动员会召开", SENTENCES))


def flapping() -> Handler:
    """Removed on the first fetch in mode "after", back on every fetch after that."""
    after_hits: Counter[str] = Counter()
    body = article_html("一时打不开的通知", SENTENCES)

    def handle(req: RawRequest, site: SiteState) -> RawReply:
        if site.mode == "after":
            after_hits["n"] += 1
            if after_hits["n"] == 1:
                return status_page(404, "页面不存在")(req, site)
        return etag_page(req, body)

    return handle


def reset(req: RawRequest, site: SiteState) -> RawReply:
    return [Reset()]


def home(req: RawRequest, site: SiteState) -> RawReply:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in EXPECTED)
    return page(
        f"<html><head><title>测试县公安局</title></head><body><ul>{links}</ul></body></html>".encode()
    )


def column(req: RawRequest, site: SiteState) -> RawReply:
    return page("<html><head><title>通知公告</title></head><body><ul></ul></body></html>".encode())


def report(req: RawRequest, site: SiteState) -> RawReply:
    """The HTML report of tests/report_files.py, citing this site (for `--from-report URL`)."""
    host = (req.header(b"host") or b"127.0.0.1").decode("ascii", "replace")
    body = _load_sibling("report_files").html_report(f"http://{host}")
    return page(body, content_type=UTF8)


def p(n: int) -> str:
    return f"{COLUMN}202401/t202401{n:02d}_{n}.html"


WECHAT = "/s?__biz=MzA5ODEyMzQ1Ng==&mid=2650000002&idx=1&sn=fedcba"
ROUTES: dict[str, Handler] = {
    "/": home,
    f"{COLUMN}index.html": column,
    p(1): notice(
        1,
        "关于做好劝返工作的通知",
        after=lambda r, s: etag_page(r, article_html("关于做好劝返工作的通知", EDITED)),
    ),
    p(2): notice(2, "不变的通知（ETag）"),
    p(3): lambda req, site: lastmod_page(req, article_html("不变的通知（Last-Modified）", SENTENCES)),
    p(4): notice(4, "将被删除的通知", after=status_page(404, "Not Found")),
    p(5): notice(5, "永久删除的通知", after=status_page(410, "Gone")),
    p(6): notice(6, "软404的通知", after=soft_404),
    p(7): notice(7, "跳转首页的通知", after=lambda r, s: redirect(b"/", 302)),
    p(8): notice(8, "跳转栏目页的通知", after=lambda r, s: redirect(f"{COLUMN}index.html".encode(), 302)),
    p(9): notice(9, "治安管理的通知", after=MOCK.challenge_ruishu),
    p(10): notice(10, "交通管理的通知", after=MOCK.challenge_jiasule),
    p(11): notice(11, "户籍管理的通知", after=huawei_418),
    p(12): flapping(),
    p(13): notice(13, "连接被重置的通知", after=reset),
    "/s": wechat,
    "/reports/report.html": report,
}
# path -> (re-check state, detail)
EXPECTED: dict[str, tuple[str, str]] = {
    p(1): ("changed", "ok"),
    p(2): ("unchanged", "not-modified"),
    p(3): ("unchanged", "not-modified"),
    p(4): ("removed", "removed:http-404"),
    p(5): ("removed", "removed:http-410"),
    p(6): ("removed", "removed:soft-404"),
    p(7): ("removed", "removed:redirect-home"),
    p(8): ("removed", "removed:redirect-home"),
    p(9): ("blocked", "blocked:ruishu"),
    p(10): ("blocked", "blocked:jiasule"),
    p(11): ("blocked", "blocked:huawei-waf"),
    p(12): ("unchanged", "ok"),  # flapped: back, byte for byte, on the confirmation fetch
    p(13): ("unreachable", "network"),
    WECHAT: ("removed", "removed:wechat-deleted"),
}
