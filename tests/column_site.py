"""Test site for site profiles, WeChat articles and bad input (fictional hosts' pages on 127.0.0.1).

- TRS column ``/trs/tzgg/index.html``, ``index_1.html`` … (``createPageHTML``); mode "after" puts two
  new notices on top, as a column looks a week later.
- Hanweb column ``/col/col1234/index.html`` whose list comes from ``/module/web/jpage/dataproxy.jsp``
  (POST, XML ``<datastore>`` with CDATA records, ``<totalrecord>``).
- ``?page=N`` column ``/news/list.jsp`` with query-string article URLs.
- A WeChat-like article (``/s?__biz=…``, short link ``/s/<token>``) whose ``data-src`` images on
  ``/mmbiz_png/`` answer a foreign Referer with a placeholder, as mmbiz.qpic.cn does.
- Bad input under ``/bad/``: empty body, no body text, only images, only a PDF link, frameset,
  meta refresh, broken HTML, wrong declared charset, mixed encodings, a 3 MB single-line page.

Serve with ``python -m sourcekeeper.demo.rawsite tests/column_site.py:ROUTES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sourcekeeper.demo.rawsite import Handler, RawReply, RawRequest, SiteState, http_response, page

UTF8 = b"text/html; charset=utf-8"
PER_PAGE = 3
PDF = b"%PDF-1.4\n% column site attachment\ntrailer<<>>\n%%EOF\n"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(248)
PNG_REAL = b"\x89PNG\r\n\x1a\n" + b"real mmbiz image bytes" * 4
PNG_PLACEHOLDER = b"\x89PNG\r\n\x1a\n" + "此图片来自微信公众平台 未经允许不可引用".encode()
WECHAT_REFERER = b"https://mp.weixin.qq.com/"


@dataclass(frozen=True)
class Notice:
    id: int
    day: str  # YYYY-MM-DD
    title: str
    attachment: str = ""

    @property
    def compact(self) -> str:
        return self.day.replace("-", "")

    def text(self) -> str:
        return (
            f"<p>各单位：现将{self.title}的有关事项通知如下。</p>"
            f"<p>一、本通知编号{self.id}，自{self.day}起执行，请各单位认真贯彻落实。</p>"
            "<p>二、工作中遇到的问题，请及时向县局报告。本站为测试用虚构站点。</p>"
        )


def _notices(first_id: int, days: list[str], topic: str) -> list[Notice]:
    return [Notice(first_id + i, day, f"关于{topic}工作的通知（{day}）") for i, day in enumerate(days)]


TRS_DAYS = ["2024-06-20", "2024-05-11", "2024-04-02", "2023-12-01", "2023-06-15", "2022-03-03"]
TRS_DAYS += ["2021-01-05", "2020-02-02", "2019-03-03", "2018-06-06", "2018-01-01"]
TRS_NOTICES = _notices(2001, TRS_DAYS, "在外人员摸排")
TRS_NOTICES[0] = Notice(2001, "2024-06-20", TRS_NOTICES[0].title, "P020240620001.pdf")
TRS_NOTICES[4] = Notice(2005, "2023-06-15", TRS_NOTICES[4].title, "P020230615001.doc")
TRS_NEW = _notices(2101, ["2024-07-12", "2024-07-05"], "新近发布")
TRS_COLUMN = "/trs/tzgg/"
HANWEB_NOTICES = _notices(
    3001,
    ["2024-06-01", "2024-05-01", "2024-04-01", "2024-03-01", "2024-02-01", "2023-02-01", "2022-02-01"],
    "亲属劝返",
)
HANWEB_COLUMN = "/col/col1234/index.html"
HANWEB_IDS = {"columnid": "1234", "unitid": "5678", "webid": "9"}
QUERY_NOTICES = _notices(
    4001,
    ["2024-06-02", "2024-05-02", "2024-04-02", "2024-03-02", "2024-02-02", "2024-01-02", "2023-12-02"],
    "海外联络",
)


def trs_path(notice: Notice) -> str:
    return f"{TRS_COLUMN}{notice.compact[:6]}/t{notice.compact}_{notice.id}.html"


def hanweb_path(notice: Notice) -> str:
    year, month, day = (int(x) for x in notice.day.split("-"))
    return f"/art/{year}/{month}/{day}/art_1234_{notice.id}.html"


def query_path(notice: Notice) -> str:
    return f"/news/detail.jsp?id={notice.id}"


def html_page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>{head}</head>'
        f'<body><div class="nav"><a href="/">首页</a></div>{body}'
        '<div class="footer">测试站点 版权所有</div></body></html>'
    ).encode()


def article(notice: Notice) -> Handler:
    attachment = (
        f'<p><a href="./{notice.attachment}">附件：{notice.attachment}</a></p>' if notice.attachment else ""
    )
    body = (
        f"<h1>{escape(notice.title)}</h1><div class='fb'><span>发布时间：{notice.day} 09:00</span></div>"
        f"<div class='TRS_Editor'>{notice.text()}{attachment}</div>"
    )
    data = html_page(notice.title, body)
    return lambda req, site: page(data, content_type=UTF8)


def list_items(notices: list[Notice], path_of: object) -> str:
    return "".join(
        f'<li><a href="{escape(path_of(n))}" title="{escape(n.title)}">{escape(n.title)}</a>'  # type: ignore[operator]
        f"<span>{n.day}</span></li>"
        for n in notices
    )


# TRS ------------------------------------------------------------------------------------------
def trs_notices(site: SiteState) -> list[Notice]:
    return TRS_NEW + TRS_NOTICES if site.mode == "after" else TRS_NOTICES


def trs_list(number: int) -> Handler:
    def handle(req: RawRequest, site: SiteState) -> RawReply:
        notices = trs_notices(site)
        count = -(-len(notices) // PER_PAGE)
        if number >= count:
            return page(html_page("404", "<h1>页面不存在</h1>"), status=404)
        shown = notices[number * PER_PAGE : (number + 1) * PER_PAGE]
        items = list_items(shown, lambda n: "./" + trs_path(n).removeprefix(TRS_COLUMN))
        pager = (
            "<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\n"
            f'createPageHTML({count}, {number}, "index", "html");</script>'
        )
        return page(html_page("通知公告", f'<ul class="list">{items}</ul>{pager}'), content_type=UTF8)

    return handle


# Hanweb ---------------------------------------------------------------------------------------
def hanweb_column(req: RawRequest, site: SiteState) -> RawReply:
    script = '<div id="1234"><script type="text/javascript" src="/module/web/jpage/jpage.js"></script></div>'
    return page(html_page("亲属劝返 专栏", script), content_type=UTF8)


def dataproxy(req: RawRequest, site: SiteState) -> RawReply:
    """Records startrecord..endrecord when the form names our column, else an empty datastore."""
    form = dict(pair.split("=", 1) for pair in req.body.decode("latin-1").split("&") if "=" in pair)
    params = {**req.query, **form}
    matches = all(params.get(k) == v for k, v in HANWEB_IDS.items())
    notices = HANWEB_NOTICES if matches and req.method == "POST" else []
    first, last = int(params.get("startrecord", "1")), int(params.get("endrecord", "3"))
    records = "".join(
        f"<record><![CDATA[\n<li><a href='{hanweb_path(n)}' target='_blank'>{escape(n.title)}</a>"
        f"<span>[{n.day}]</span></li>\n]]></record>\n"
        for n in notices[first - 1 : last]
    )
    pages = -(-len(notices) // PER_PAGE)
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<datastore>\n'
        f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1"></a>]]></nextgroup>\n'
        f"<recordset>\n{records}</recordset>\n<totalrecord>{len(notices)}</totalrecord>\n"
        f"<totalpage>{pages}</totalpage>\n</datastore>\n"
    )
    return page(xml.encode(), content_type=b"text/xml;charset=utf-8")


# ?page=N --------------------------------------------------------------------------------------
def query_list(req: RawRequest, site: SiteState) -> RawReply:
    number = int(req.query.get("page", "1") or "1")
    shown = QUERY_NOTICES[(number - 1) * PER_PAGE : number * PER_PAGE]
    items = list_items(shown, query_path)
    return page(
        html_page("海外联络", f'<ul class="news">{items}</ul><a href="?page={number + 1}">下一页</a>')
    )


def query_detail(req: RawRequest, site: SiteState) -> RawReply:
    wanted = req.query.get("id", "")
    notice = next((n for n in QUERY_NOTICES if str(n.id) == wanted), None)
    if notice is None:
        return page(html_page("404", "<h1>页面不存在</h1>"), status=404)
    return article(notice)(req, site)


# WeChat ---------------------------------------------------------------------------------------
WECHAT_KEYS = {
    "__biz": "MzI0NTExMjM0NQ==",
    "mid": "2247483650",
    "idx": "1",
    "sn": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
}
WECHAT_CANONICAL = "/s?" + "&".join(f"{k}={v}" for k, v in WECHAT_KEYS.items())
WECHAT_SHARED = WECHAT_CANONICAL + "&chksm=ab12cd34ef56&scene=21#rd"
WECHAT_SHORT = "/s/Xy9aBcDeFgHiJkLmNoPqRs"
WECHAT_IMAGES = ["/mmbiz_png/AbC123/640?wx_fmt=png", "/mmbiz_jpg/DeF456/640?wx_fmt=jpeg"]
WECHAT_TITLE = "县局召开在外人员亲属座谈会"


def wechat_article(req: RawRequest, site: SiteState) -> RawReply:
    if req.path == "/s" and any(req.query.get(k) != v for k, v in WECHAT_KEYS.items()):
        return page("<html><body><h2 class='weui-msg__title'>参数错误</h2></body></html>".encode())
    images = "".join(
        f'<p><img class="rich_pages" data-src="{src}" src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E"></p>'
        for src in WECHAT_IMAGES
    )
    variables = "".join(f'var {k.strip("_")} = "{v}" || "";\n' for k, v in WECHAT_KEYS.items())
    body = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{WECHAT_TITLE}</title></head><body>'
        f'<h2 class="rich_media_title" id="activity-name">{WECHAT_TITLE}</h2>'
        '<div id="meta_content"><a id="js_name">测试县公安</a></div>'
        '<div class="rich_media_content" id="js_content" style="visibility: hidden;">'
        "<p>近日，县局召开在外人员亲属座谈会，向亲属宣讲政策，动员其规劝在外人员回国。</p>"
        f"{images}<p>会上，民警逐一登记了在外人员的联系方式。本文为测试用虚构内容。</p></div>"
        f'<script>{variables}var msg_title = "{WECHAT_TITLE}";\nvar nickname = "测试县公安";\n'
        'var ct = "1718841600";\n</script></body></html>'
    )
    return page(body.encode())


def mmbiz_image(req: RawRequest, site: SiteState) -> RawReply:
    """mmbiz.qpic.cn's rule: a foreign Referer gets the placeholder image."""
    referer = req.header(b"referer")
    foreign = referer is not None and not referer.startswith(WECHAT_REFERER)
    return page(PNG_PLACEHOLDER if foreign else PNG_REAL, content_type=b"image/png")


# bad input ------------------------------------------------------------------------------------
ARTICLE_TEXT = "<p>关于做好境外人员信息核查工作的通知。各单位要按照要求，认真开展核查，按时上报结果。</p>" * 3


def _static(body: bytes, content_type: bytes = UTF8) -> Handler:
    return lambda req, site: page(body, content_type=content_type)


def _mixed_encodings() -> bytes:
    head = (
        '<html><head><meta charset="utf-8"><title>混合编码页面</title></head><body><div class="TRS_Editor">'
    )
    utf8_part = "<p>这一段是用UTF-8编码的文字，内容是关于工作安排的通知。</p>" * 3
    gbk_part = "<p>这一段却是用GBK编码的文字，来自旧系统的模板。</p>" * 3
    return head.encode() + utf8_part.encode() + gbk_part.encode("gbk") + b"</div></body></html>"


def _long_line() -> bytes:
    sentence = "县局持续开展在外人员信息核查工作，各派出所按要求上报。"
    body = "".join(f"<p>{sentence}第{i}段。</p>" for i in range(40_000))  # ~3 MB, no newline at all
    return _doc("超长单行页面", f'<div class="TRS_Editor">{body}</div>').encode()


def _doc(title: str, body: str, head: str = "") -> str:
    """A bare page without line breaks (the bad pages control every byte)."""
    return f'<html><head><meta charset="utf-8">{head}<title>{title}</title></head><body>{body}</body></html>'


_PDF_LINK = '<a href="/bad/files/P020240101000000000001.pdf">附件.pdf</a>'
_FRAMES = (
    '<frameset cols="20%,80%"><frame src="/bad/frame-menu.html"><frame src="/bad/frame-main.html"></frameset>'
)
_REFRESH = '<meta http-equiv="refresh" content="0; url=/bad/refresh-target.html">'
_SCANS = '<div class="TRS_Editor"><img src="/bad/img/scan1.png"><img src="/bad/img/scan2.png"></div>'
_BROKEN = (
    f"<html><body><div class='TRS_Editor'><p>未闭合的段落{ARTICLE_TEXT}<table><tr><td>表格<<>>< /div></p>"
)

BAD_PAGES: dict[str, Handler] = {
    "/bad/empty.html": lambda req, site: http_response(200, b"OK", [(b"Content-Type", UTF8)], b""),
    "/bad/no-body.html": _static("<html><head><title>页面</title></head><body></body></html>".encode()),
    "/bad/only-images.html": _static(html_page("图片公告", _SCANS)),
    "/bad/only-pdf.html": _static(f"<html><body>{_PDF_LINK}</body></html>".encode()),
    "/bad/frameset.html": _static(f"<html>{_FRAMES}</html>".encode()),
    "/bad/frame-menu.html": _static(html_page("菜单", "<ul><li><a href='/'>首页</a></li></ul>")),
    "/bad/frame-main.html": _static(html_page("框架正文", f"<div class='TRS_Editor'>{ARTICLE_TEXT}</div>")),
    "/bad/refresh.html": _static(f"<html><head>{_REFRESH}</head><body></body></html>".encode()),
    "/bad/refresh-target.html": _static(
        html_page("跳转后的正文", f"<div class='TRS_Editor'>{ARTICLE_TEXT}</div>")
    ),
    "/bad/broken.html": _static(_BROKEN.encode()),
    # declares UTF-8 (in the header and the page), sends GBK
    "/bad/wrong-charset.html": _static(
        _doc("错误声明的编码", f'<div class="TRS_Editor">{ARTICLE_TEXT}</div>').encode("gbk")
    ),
    "/bad/mixed.html": _static(_mixed_encodings()),
    "/bad/long-line.html": _static(_long_line()),
    "/bad/img/": _static(PNG_REAL, b"image/png"),
    "/bad/files/": _static(PDF, b"application/pdf"),
}


def build_routes() -> dict[str, Handler]:
    routes: dict[str, Handler] = {
        HANWEB_COLUMN: hanweb_column,
        "/module/web/jpage/dataproxy.jsp": dataproxy,
        "/news/list.jsp": query_list,
        "/news/detail.jsp": query_detail,
        "/s": wechat_article,
        "/s/": wechat_article,
        "/mmbiz_png/": mmbiz_image,
        "/mmbiz_jpg/": mmbiz_image,
        **BAD_PAGES,
    }
    for number in range(6):
        routes[f"{TRS_COLUMN}index{f'_{number}' if number else ''}.html"] = trs_list(number)
    for notice in TRS_NOTICES + TRS_NEW:
        routes[trs_path(notice)] = article(notice)
        if notice.attachment:
            folder = trs_path(notice).rpartition("/")[0]
            kind = (
                (b"application/pdf", PDF)
                if notice.attachment.endswith(".pdf")
                else (b"application/msword", DOC)
            )
            routes[f"{folder}/{notice.attachment}"] = _static(kind[1], kind[0])
    for notice in HANWEB_NOTICES:
        routes[hanweb_path(notice)] = article(notice)
    return routes


ROUTES = build_routes()
