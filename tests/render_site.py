"""A site behind JavaScript challenges, one flow per vendor, written byte for byte by rawsite.

Each flow is what a browser must run to get the page (issue 14): the server checks the cookies the
scripts set (and the HttpOnly seed cookies it set itself), so a capture of the article proves the
browser's cookie jar reached Scrapy's requests. Serve with
`python -m sourcekeeper.demo.rawsite tests/render_site.py:ROUTES`.
"""

from __future__ import annotations

import gzip
import zlib

from sourcekeeper.demo.rawsite import (
    Handler,
    Header,
    RawReply,
    RawRequest,
    SiteState,
    Stall,
    http_response,
    page,
    reason_for,
)

HTML = b"text/html; charset=utf-8"
ARTICLE_TEXT = (
    "关于进一步做好海外侨胞服务工作的通知。各县（市、区）公安局：为进一步规范工作流程，现将有关事项通知如下。"
    * 4
)


def article(title: str, extra: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-03-05 10:00">'
        f'</head><body><h1>{title}</h1><div class="TRS_Editor"><p>{ARTICLE_TEXT}</p></div>{extra}'
        f"</body></html>"
    ).encode()


def cookies(req: RawRequest) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in req.headers:
        if name.lower() == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                found[key] = val
    return found


def puzzle_hash(text: str) -> int:
    """The Jiasule-like hash puzzle, the same function as the page's script."""
    h = 0
    for ch in text:
        h = (h * 31 + ord(ch)) % 4294967296
    return h


# --- Ruishu-like: 412 (or 202), meta r="m", $_ts, an external script at a random path ------------
def ruishu_page(script: str) -> bytes:
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<meta id="9DhefwqGPrzGxEp9" content="PKdhtXMmr18n2L9K88eMlGn7Cc" r="m">'
        "<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
        '$_ts.nsd=68263;$_ts.cd="qbrmrrAlDGWYcGlqEa3lcsAq";</script>'
        f'<script type="text/javascript" charset="utf-8" src="{script}" r="m"></script>'
        "</head><body></body></html>"
    ).encode()


def ruishu(status: int, prefix: str) -> Handler:
    def handler(req: RawRequest, site: SiteState) -> RawReply:
        jar = cookies(req)
        if jar.get(f"{prefix}T") == "cleared" and jar.get(f"{prefix}S") == "seed":
            return page(article(f"瑞数{status}通知"))
        seed = f"{prefix}S=seed; Path=/; HttpOnly".encode()
        headers: list[Header] = [(b"Content-Type", b"text/html"), (b"Set-Cookie", seed)]
        return http_response(
            status, reason_for(status), headers, ruishu_page(f"/rs{status}/Xk3aB9.{prefix}.js")
        )

    return handler


def ruishu_script(prefix: str) -> Handler:
    def handler(req: RawRequest, site: SiteState) -> RawReply:
        if cookies(req).get(f"{prefix}S") != "seed":  # the HttpOnly seed must come along
            return page(b"forbidden", status=403, content_type=b"text/plain")
        js = f'document.cookie="{prefix}T=cleared; path=/";location.reload();'.encode()
        return page(js, content_type=b"application/javascript")

    return handler


# --- Jiasule-like: two 521 rounds, __jsluid_s by Set-Cookie, then a hash puzzle -------------------
JSL_ROUND1 = (
    b"<script>document.cookie='__jsl_clearance_s=1|0;path=/';"
    b"location.href=location.pathname+location.search</script>"
)
JSL_SALT = "sk2024"


def jsl_round2() -> bytes:
    return (
        "<script>var salt='" + JSL_SALT + "';function h(s){var x=0;for(var i=0;i<s.length;i++)"
        "{x=(x*31+s.charCodeAt(i))%4294967296;}return x;}"
        "var n=0;while(h(salt+n)%1000!==7){n++;}"
        "document.cookie='__jsl_clearance_s=2|'+n+';path=/';location.href=location.pathname+location.search</script>"
    ).encode()


def jiasule(req: RawRequest, site: SiteState) -> RawReply:
    jar = cookies(req)
    clearance = jar.get("__jsl_clearance_s", "")
    headers: list[Header] = [(b"Content-Type", b"text/html"), (b"X-Via-JSL", b"3f2e6d1,-")]
    if jar.get("__jsluid_s") != "6b8e4d0c":
        headers.append((b"Set-Cookie", b"__jsluid_s=6b8e4d0c; max-age=31536000; path=/; HttpOnly"))
        return http_response(521, b"", headers, JSL_ROUND1)
    if clearance.startswith("2|") and puzzle_hash(JSL_SALT + clearance[2:]) % 1000 == 7:
        return page(article("市场监管通知"))
    return http_response(521, b"", headers, jsl_round2())


# --- WZWS-like: 200 "请开启JavaScript并刷新该页", a JS navigation to /WZWSRE…, 302 with a cookie ----
WZWS_PAGE = (
    "<html><head><title>安全验证</title></head><body><noscript>请开启JavaScript并刷新该页.</noscript>"
    "<script>var a=7,b=6;location.href='/WZWSREL3d6d3MvcGFnZQ==?wzwschallenge='+(a*b);</script></body></html>"
).encode()


def wzws(req: RawRequest, site: SiteState) -> RawReply:
    if cookies(req).get("wzws_cid") == "ok42":
        return page(article("网站卫士通知"))
    return page(WZWS_PAGE, headers=[(b"WZWS-RAY", b"1234-1700000000.1-abcdef")])


def wzws_answer(req: RawRequest, site: SiteState) -> RawReply:
    if req.query.get("wzwschallenge") != "42":
        return page(b"wrong answer", status=403, content_type=b"text/plain")
    headers: list[Header] = [
        (b"Location", b"/wzws/page"),
        (b"Set-Cookie", b"wzws_cid=ok42; path=/; HttpOnly"),
    ]
    return http_response(302, b"Found", headers, b"")


# --- Aliyun-like: 200 with arg1 and a script that sets acw_sc__v2; final page gzip + chunked ------
ARG1 = "3E40CCD6747C0E55B0531DB86380DDA1D08FE247"
ALI_PAGE = (
    f"<html><script>var arg1='{ARG1}';var x=arg1.split('').reverse().join('');"
    "document.cookie='acw_sc__v2='+x+'; path=/';document.location.reload();</script></html>"
).encode()


def aliyun(req: RawRequest, site: SiteState) -> RawReply:
    if cookies(req).get("acw_sc__v2") == ARG1[::-1]:
        body = gzip.compress(article("阿里云通知"), mtime=0)
        headers: list[Header] = [(b"Content-Type", HTML), (b"Content-Encoding", b"gzip")]
        return http_response(200, b"OK", headers, body, chunked=[100, 57, 400])
    return page(ALI_PAGE, headers=[(b"Set-Cookie", b"acw_tc=781bad0a; path=/; HttpOnly")])


# --- an XHR POST: the page fills itself from a POST answer ------------------------------------------
XHR_PAGE = article(
    "XHR通知",
    "<div id='out'></div><script>fetch('/xhr/data',{method:'POST',body:'q=%E9%80%9A%E7%9F%A5&n=1',"
    "headers:{'Content-Type':'application/x-www-form-urlencoded'}}).then(r=>r.text())"
    ".then(t=>{document.getElementById('out').textContent=t;});</script>",
)


def xhr_data(req: RawRequest, site: SiteState) -> RawReply:
    if req.method != "POST":
        return page(b"POST only", status=405, content_type=b"text/plain")
    return page(b"posted:" + req.body, content_type=b"text/plain; charset=utf-8")


# --- a CAPTCHA, a challenge that never clears, a page that never finishes loading --------------------
CAPTCHA_PAGE = (
    "<html><head><title>访问验证</title></head><body><p>访问过于频繁，请输入验证码</p>"
    "<div class='slider'></div></body></html>"
).encode()
LOOP_PAGE = b"<script>document.cookie='loopc='+Math.random()+';path=/';location.reload();</script>"


def hang(req: RawRequest, site: SiteState) -> RawReply:
    if cookies(req).get("hangc") == "1":
        return page(article("不会加载完的通知", "<img src='/hang/never.png'>"))
    return page(b"<script>document.cookie='hangc=1;path=/';location.reload();</script>", status=202)


def stall(req: RawRequest, site: SiteState) -> RawReply:
    return [Stall()]


def redirect_to(location: bytes, status: int) -> Handler:
    return lambda req, site: http_response(status, reason_for(status), [(b"Location", location)], b"")


def deflated(req: RawRequest, site: SiteState) -> RawReply:
    body = zlib.compress(b"body{color:#333}")
    return page(body, content_type=b"text/css", headers=[(b"Content-Encoding", b"deflate")])


# --- shapes no marker names: an aliased `document`, bracket access, the script at another path ----
SHELL_INLINE = (
    b"<html><head><script>var d=window['docu'+'ment'];d['coo'+'kie']='shc=ok; path=/';"
    b"setTimeout(function(){location.reload()},50)</script></head><body></body></html>"
)
SHELL_EXTERNAL = (
    b"<html><head><script src='/shell/guard.js'></script></head><body><noscript>JS</noscript></body></html>"
)


def shell(page_body: bytes, title: str, cookie: str) -> Handler:
    def handler(req: RawRequest, site: SiteState) -> RawReply:
        if cookies(req).get(cookie) == "ok":
            return page(article(title))
        return page(page_body, status=403)

    return handler


ROUTES: dict[str, Handler] = {
    "/shell/inline": shell(SHELL_INLINE, "混淆脚本通知", "shc"),
    "/shell/external": shell(SHELL_EXTERNAL, "外部脚本通知", "she"),
    "/shell/guard.js": lambda req, site: page(
        b"document.cookie='she=ok; path=/';location.replace(location.href)", content_type=b"text/javascript"
    ),
    "/rs412/page": ruishu(412, "rsA"),
    "/rs412/Xk3aB9.rsA.js": ruishu_script("rsA"),
    "/rs202/page": ruishu(202, "rsB"),
    "/rs202/Xk3aB9.rsB.js": ruishu_script("rsB"),
    "/jsl/page": jiasule,
    "/jsl/more/": jiasule,  # more pages behind the same clearance
    "/away": lambda req, site: http_response(302, b"Found", [(b"Location", req.query["to"].encode())], b""),
    "/wzws/page": wzws,
    "/WZWSREL3d6d3MvcGFnZQ==": wzws_answer,
    "/ali/page": aliyun,
    "/xhr/page": lambda req, site: page(XHR_PAGE),
    "/xhr/data": xhr_data,
    "/captcha/page": lambda req, site: page(CAPTCHA_PAGE),
    "/loop/page": lambda req, site: page(LOOP_PAGE, status=412, headers=[(b"Set-Cookie", b"x=1; path=/")]),
    "/hang/page": hang,
    "/hang/never.png": stall,
    "/chain/start": redirect_to(b"/chain/middle", 301),
    "/chain/middle": redirect_to(b"/rs412/page", 302),
    "/plain": lambda req, site: page(article("普通通知")),
    "/style.css": deflated,
}
