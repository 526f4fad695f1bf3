"""Seeds with every verdict `archive` gives: captured, redirected, gone (404/410, a soft-404 page),
failed (HTTP 500, a reset connection). `/flip.html` is a notice in mode "before", 404 in mode
"removed" and the notice again in mode "back" (a removal and a restoration).

Serve with `ServedSite("tests/verdict_site.py:ROUTES")`.
"""

from __future__ import annotations

from sourcekeeper.demo.rawsite import Handler, RawReply, RawRequest, Reset, SiteState, page, redirect

UTF8 = b"text/html; charset=utf-8"


def notice(title: str) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><p>为切实做好本县在外人员劝返工作，现将有关事项通知如下。</p>"
        "<p>各单位要充分认识此项工作的重要性，按时报送工作进展情况。</p></body></html>"
    ).encode()


def article(title: str) -> Handler:
    return lambda req, site: page(notice(title), content_type=UTF8)


def status(code: int) -> Handler:
    body = f"<html><head><title>{code}</title></head><body><h1>{code}</h1></body></html>".encode()
    return lambda req, site: page(body, status=code, content_type=UTF8)


def soft_404(req: RawRequest, site: SiteState) -> RawReply:
    body = "<html><head><title>页面不存在</title></head><body><p>您访问的页面不存在，请返回首页。</p>"
    return page(f"{body}</body></html>".encode(), content_type=UTF8)


def flip(req: RawRequest, site: SiteState) -> RawReply:
    if site.mode == "removed":
        return status(404)(req, site)
    return page(notice("时有时无的通知"), content_type=UTF8)


ROUTES = {
    "/ok.html": article("关于做好劝返工作的通知"),
    "/moved.html": lambda req, site: redirect(b"/new.html", 302),
    "/new.html": article("搬了家的通知"),
    "/missing.html": status(404),
    "/gone.html": status(410),
    "/soft404.html": soft_404,
    "/broken.html": status(500),
    "/reset.html": lambda req, site: [Reset()],
    "/flip.html": flip,
    "/robots.txt": lambda req, site: page(b"User-agent: *\nDisallow:\n", content_type=b"text/plain"),
}
