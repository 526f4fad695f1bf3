"""The bundled sample site for `sourcekeeper demo`: a fictional county public-security bureau.

It looks like a TRS-built Chinese government site (GBK, gov meta tags, `div.TRS_Editor`,
`createPageHTML` pagination, `./P0….doc` attachments) plus one WeChat-style article. Mode "after"
takes parts of it down in the ways real sources disappear. Serve it with
`python -m sourcekeeper.demo.rawsite sourcekeeper.demo.site:DEMO_ROUTES`.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import parse_qsl

from sourcekeeper.demo.rawsite import Handler, RawReply, RawRequest, SiteState, http_response, page
from sourcekeeper.demo.rawsite import redirect as redirect_reply

SITE_NAME = "示例县公安局"
DISCLAIMER = "本网站为 sourcekeeper 演示用虚构站点，机构、人物、事件均为虚构。 Fictional demo site."
GBK_HTML = b"text/html; charset=GBK"
COLUMN = "/xxgk/tzgg/"
PER_PAGE = 3
WECHAT_PATH = "/s?__biz=MzA5ODEyMzQ1Ng==&mid=2650000001&idx=1&sn=abcdef"
WECHAT_QUERY = dict(parse_qsl(WECHAT_PATH.partition("?")[2]))
MISSING_NOTICE = "/xxgk/tzgg/202402/t20240220_0999.html"
OLD_URL = "/old/notice1.html"  # moved to notice 1001


@dataclass(frozen=True)
class Notice:
    id: int
    published: str  # "YYYY-MM-DD HH:MM", Beijing time
    title: str
    text: list[str]
    after: str = ""
    edited: tuple[str, ...] = ()
    attachment: str = ""
    attachment_title: str = ""

    @property
    def path(self) -> str:
        day = self.published[:10].replace("-", "")
        return f"{COLUMN}{day[:6]}/t{day}_{self.id}.html"


def load_notices() -> list[Notice]:
    data = tomllib.loads(Path(__file__).with_name("notices.toml").read_text("utf-8"))
    notices = [Notice(**{**n, "edited": tuple(n.get("edited", ()))}) for n in data["notice"]]
    return sorted(notices, key=lambda n: n.published, reverse=True)  # columns list newest first


NOTICES = load_notices()
PAGE_COUNT = -(-len(NOTICES) // PER_PAGE)


def layout(title: str, body: str, meta: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html><head>\n<meta http-equiv="Content-Type" content="text/html; '
        f'charset=gbk">\n<title>{escape(title)}</title>\n<meta name="SiteName" '
        f'content="{SITE_NAME}">\n<meta name="SiteDomain" content="gaj.example-county.invalid">\n'
        f'<meta name="SiteIDCode" content="0000000000">\n{meta}</head>\n<body>\n'
        f'<div class="header"><a href="/">{SITE_NAME}</a> | '
        f'<a href="{COLUMN}index.html">通知公告</a></div>\n{body}\n'
        f'<div class="footer">版权所有：{SITE_NAME} 政府网站标识码：0000000000<br>'
        f"{DISCLAIMER}</div>\n</body></html>\n"
    )


def gbk_reply(req: RawRequest, html: str, status: int = 200) -> RawReply:
    """GBK page with an ETag; a matching If-None-Match gets 304, for conditional re-checks."""
    body = html.encode("gbk")
    etag = b'"%s"' % hashlib.sha1(body).hexdigest()[:16].encode()
    if status == 200 and req.header(b"if-none-match") == etag:
        return http_response(304, b"Not Modified", [(b"ETag", etag)], content_length=None)
    return page(body, status=status, content_type=GBK_HTML, headers=[(b"ETag", etag)])


def not_found(req: RawRequest, site: SiteState) -> RawReply:
    body = '<div class="error"><h1>404</h1><p>您访问的页面不存在或已被删除。</p></div>'
    return gbk_reply(req, layout("404 页面不存在", body), status=404)


def soft_404(req: RawRequest) -> RawReply:
    body = '<div class="error"><p>页面不存在</p><p>您访问的页面不存在，请返回首页。</p></div>'
    return gbk_reply(req, layout(f"页面不存在 - {SITE_NAME}", body))


def ruishu_challenge() -> RawReply:
    script = (
        b"<script r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
        b'$_ts.nsd=41327;$_ts.cd="rGQqrrAlcsWqErA9qGWqcsQqrqEqrqAqrq";</script>'
        b'<script charset="utf-8" src="/zGk5YWQqgDjB/c.FxJzG50F.3b2c1e9.js" r="m"></script>'
    )
    headers = [
        (b"Content-Type", b"text/html"),
        (b"Set-Cookie", b"NfBCSins2OywO=60aXg3KjvGQbMZ0sHpq7Y1N; Path=/; HttpOnly"),
    ]
    body = b"<!DOCTYPE html><html><head>%s</head><body></body></html>" % script
    return http_response(412, b"Precondition Failed", headers, body)


def item(notice: Notice) -> str:
    href = "./" + notice.path.removeprefix(COLUMN)
    return (
        f'<li><a href="{href}" target="_blank" title="{escape(notice.title)}">'
        f"{escape(notice.title)}</a><span>{notice.published[:10]}</span></li>"
    )


def column_page(number: int) -> Handler:
    """TRS list page: index.html is page 0, then index_1.html … with createPageHTML(count, n)."""
    shown = NOTICES[number * PER_PAGE : (number + 1) * PER_PAGE]
    pager = (
        "<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){"
        "for(var i=0;i<_nPageCount;i++){var n=i==0?_sPageName:_sPageName+'_'+i;"
        "document.write('<a href=\"'+n+'.'+_sPageExt+'\">'+(i+1)+'</a> ');}}\n"
        f'createPageHTML({PAGE_COUNT}, {number}, "index", "html");</script>'
    )
    items = "\n".join(item(n) for n in shown)
    meta = '<meta name="ColumnName" content="通知公告">\n<meta name="ColumnType" content="通知公告">\n'
    html = layout(f"通知公告_{SITE_NAME}", f'<ul class="list">\n{items}\n</ul>\n{pager}', meta)
    return lambda req, site: gbk_reply(req, html)


def notice_html(notice: Notice, text: list[str] | tuple[str, ...]) -> str:
    meta = (
        f'<meta name="ArticleTitle" content="{escape(notice.title)}">\n'
        f'<meta name="PubDate" content="{notice.published}">\n'
        f'<meta name="ContentSource" content="{SITE_NAME}">\n'
        '<meta name="ColumnName" content="通知公告">\n'
    )
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in text)
    if notice.attachment:
        paragraphs += (
            f'\n<p><a href="./{notice.attachment}" download="{notice.attachment_title}">'
            f"{notice.attachment_title}</a></p>"
        )
    body = (
        f'<div class="article"><h1>{escape(notice.title)}</h1>\n'
        f'<div class="fb"><span>来源：{SITE_NAME}</span> '
        f"<span>发布时间：{notice.published}</span></div>\n"
        f'<div class="TRS_Editor">\n{paragraphs}\n</div></div>'
    )
    return layout(f"{notice.title}_{SITE_NAME}", body, meta)


def notice_route(notice: Notice) -> Handler:
    def handle(req: RawRequest, site: SiteState) -> RawReply:
        change = notice.after if site.mode == "after" else ""
        if change == "gone":
            return not_found(req, site)
        if change == "soft404":
            return soft_404(req)
        if change == "home":
            return redirect_reply(b"/", 302)
        if change == "challenge":
            return ruishu_challenge()
        text = notice.edited if change == "edited" else notice.text
        return gbk_reply(req, notice_html(notice, text))

    return handle


def home(req: RawRequest, site: SiteState) -> RawReply:
    items = "\n".join(item(n).replace('href="./', f'href="{COLUMN}') for n in NOTICES[:5])
    body = (
        f'<div class="banner"><h1>{SITE_NAME}</h1></div>\n<h2>通知公告</h2>\n'
        f'<ul class="list">\n{items}\n</ul>\n<p><a href="{COLUMN}index.html">更多</a></p>\n'
        f'<p>官方微信：<a href="{escape(WECHAT_PATH)}">示例县公安</a></p>'
    )
    return gbk_reply(req, layout(SITE_NAME, body))


WECHAT_TITLE = "“春雷2024”再传捷报：我县成功劝返一名境外在逃人员"
WECHAT_TEXT = [
    "近日，在县局“春雷2024”专项劝返行动中，境外在逃人员张某某回国投案。",
    "张某某于2019年出境，长期滞留海外。专班民警多次走访其在县内的父母，讲明政策、释法明理。",
    "在亲属的规劝下，张某某最终认识到错误，于4月20日回国投案自首。",
]


def wechat(req: RawRequest, site: SiteState) -> RawReply:
    """WeChat-style article (UTF-8, like mp.weixin.qq.com); deleted by its author in "after"."""
    if req.query != WECHAT_QUERY:
        return not_found(req, site)
    if site.mode == "after":
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>\n'
            '<div class="weui-msg"><div class="weui-msg__text-area">'
            '<h2 class="weui-msg__title">该内容已被发布者删除</h2></div></div>\n</body></html>\n'
        )
        return page(body.encode())
    paragraphs = "\n".join(f"<p>{p}</p>" for p in WECHAT_TEXT)
    body = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{WECHAT_TITLE}</title>\n'
        f'<meta property="og:title" content="{WECHAT_TITLE}"></head>\n<body id="activity-detail">\n'
        f'<h2 class="rich_media_title" id="activity-name">{WECHAT_TITLE}</h2>\n'
        '<div id="meta_content"><a id="js_name">示例县公安</a><em id="publish_time"></em></div>\n'
        f'<div class="rich_media_content" id="js_content" style="visibility: hidden;">\n'
        f"{paragraphs}\n</div>\n<p>{DISCLAIMER}</p>\n<script>\n"
        'var biz = "MzA5ODEyMzQ1Ng==" || "";\nvar mid = "2650000001" || "";\n'
        'var idx = "1" || "";\nvar sn = "abcdef" || "";\n'
        f'var msg_title = "{WECHAT_TITLE}";\nvar nickname = "示例县公安";\n'
        'var user_name = "gh_0000000000ab";\nvar ct = "1713578400";\n'
        'var publish_time = "2024-04-20" || "";\n</script>\n</body></html>\n'
    )
    return page(body.encode())


ATTACHMENTS = {
    "doc": (b"application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
    "pdf": (b"application/pdf", b"%PDF-1.4\n% sourcekeeper demo attachment\ntrailer<<>>\n%%EOF\n"),
}


def attachment(content_type: bytes, body: bytes) -> Handler:
    return lambda req, site: page(body, content_type=content_type)


def build_routes() -> dict[str, Handler]:
    moved_to = next(n.path for n in NOTICES if n.id == 1001)
    routes: dict[str, Handler] = {
        "/": home,
        "/robots.txt": lambda req, site: page(b"User-agent: *\nDisallow:\n", content_type=b"text/plain"),
        OLD_URL: lambda req, site: redirect_reply(moved_to.encode(), 301),
        "/s": wechat,
        "*": not_found,
    }
    for number in range(PAGE_COUNT):
        routes[f"{COLUMN}index{f'_{number}' if number else ''}.html"] = column_page(number)
    for notice in NOTICES:
        routes[notice.path] = notice_route(notice)
        if notice.attachment:  # relative ./P0….ext links resolve next to the notice
            content_type, body = ATTACHMENTS[notice.attachment.rpartition(".")[2]]
            folder = notice.path.rpartition("/")[0]
            routes[f"{folder}/{notice.attachment}"] = attachment(content_type, body)
    return routes


DEMO_ROUTES = build_routes()
COLUMN_PATHS = [f"{COLUMN}index.html"] + [f"{COLUMN}index_{n}.html" for n in range(1, PAGE_COUNT)]
SEED_PATHS = [*COLUMN_PATHS, *(n.path for n in NOTICES), OLD_URL, MISSING_NOTICE, WECHAT_PATH]
# what mode "after" does to a seed, and the re-check state it should produce
TAKEDOWNS: dict[str, tuple[str, str]] = {
    **{
        n.path: {
            "gone": ("404", "removed"),
            "soft404": ("soft-404 (200, 页面不存在)", "removed"),
            "home": ("302 redirect to the home page", "removed"),
            "challenge": ("Ruishu-like 412 challenge", "blocked"),
            "edited": ("text edited", "changed"),
        }[n.after]
        for n in NOTICES
        if n.after
    },
    WECHAT_PATH: ("WeChat 该内容已被发布者删除", "removed"),
}


def describe() -> str:
    """A short bilingual summary for `sourcekeeper demo` to print."""
    lines = [
        f"{SITE_NAME} (虚构演示站点 / fictional sample site), GBK, TRS-style:",
        f"  通知公告 column: {PAGE_COUNT} list pages, {len(NOTICES)} notices, a .doc and a .pdf",
        f"  {OLD_URL} -> 301 to a notice; {MISSING_NOTICE} -> 404; one WeChat-style article",
        '  mode "after" (takedown / 下线演示):',
        *(f"    {path}  {change} -> {state}" for path, (change, state) in TAKEDOWNS.items()),
    ]
    return "\n".join(lines)
