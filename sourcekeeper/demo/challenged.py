"""A notice of the demo site behind a Ruishu-like JavaScript challenge that a browser passes.

A plain HTTP client gets HTTP 412 with `$_ts`, `<meta … r="m">` and an external script; the
script (which needs the HttpOnly seed cookie the 412 set) sets a cookie and reloads, and with both
cookies the notice is served. `sourcekeeper demo` archives it to show rendering:
blocked for a plain client, captured by rendering.
"""

from __future__ import annotations

from typing import Any

from archive_store.layout import WARCS_DIR
from sourcekeeper.demo.rawsite import Handler, RawReply, RawRequest, SiteState, http_response, page
from sourcekeeper.demo.site import DEMO_ROUTES, Notice, gbk_reply, notice_html
from sourcekeeper.urltext import shown

JS_NOTICE = Notice(
    id=1010,
    published="2024-06-03 09:30",
    title="关于开展海外侨胞联络服务站回访工作的通知",
    text=[
        "各派出所、各服务站：为进一步做好海外侨胞联络服务工作，县局决定于6月开展服务站回访工作。",
        "回访内容包括服务站日常运行、咨询接待登记、与在外人员家属的联系情况等。",
        "各单位要高度重视，按时报送回访材料。（本通知为演示用虚构内容。）",
    ],
)
JS_NOTICE_PATH = JS_NOTICE.path
SCRIPT_PATH = "/xxgk/js/Wq7Hb2.c1e9.js"
_SEED = b"SKseed=60aXg3Kjv"
_CLEARED = b"SKcleared=1"


def _has(req: RawRequest, cookie: bytes) -> bool:
    return any(name.lower() == b"cookie" and cookie in value for name, value in req.headers)


def challenged_notice(req: RawRequest, site: SiteState) -> RawReply:
    if _has(req, _SEED) and _has(req, _CLEARED):
        return gbk_reply(req, notice_html(JS_NOTICE, JS_NOTICE.text))
    body = (
        b'<!DOCTYPE html><html><head><meta id="FxJzG50F" content="rGQqrrAlcsWqErA9" r="m">'
        b"<script r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=41327;</script>"
        b'<script charset="utf-8" src="'
        + SCRIPT_PATH.encode()
        + b'" r="m"></script></head><body></body></html>'
    )
    headers = [(b"Content-Type", b"text/html"), (b"Set-Cookie", _SEED + b"; Path=/; HttpOnly")]
    return http_response(412, b"Precondition Failed", headers, body)


def challenge_script(req: RawRequest, site: SiteState) -> RawReply:
    if not _has(req, _SEED):
        return page(b"", status=403, content_type=b"text/plain")
    script = b'document.cookie="' + _CLEARED + b'; path=/";location.reload();'
    return page(script, content_type=b"application/javascript")


ROUTES: dict[str, Handler] = {**DEMO_ROUTES, JS_NOTICE_PATH: challenged_notice, SCRIPT_PATH: challenge_script}


def describe_render(archive_dir: Any, url: str, say: Any) -> None:
    """Print what became of the challenged notice, and write its screenshot next to the archive."""
    from archive_store.crawl.render.records import rendered_block, rendered_for  # noqa: PLC0415
    from archive_store.index.database import ArchiveIndex, default_db_url  # noqa: PLC0415
    from archive_store.index.lookup import find_capture  # noqa: PLC0415

    index = ArchiveIndex(default_db_url(archive_dir), create=False)
    try:
        capture = find_capture(index, url, None)
        if capture is None:
            say(f"  not captured: {shown(url)}")
            return
        page_row = index.page_for(capture.id)
        found = rendered_for(index, capture.id)
        say(f"  {shown(url)}")
        say("  a plain client gets HTTP 412 and a Ruishu-like script (blocked for a plain client);")
        if capture.state != "ok" or "screenshot" not in found:
            say(f"  not captured by rendering: {capture.state} — {capture.state_reason or ''}")
            return
        # a copy to look at, beside the archive: inside it, screenshots are WARC records only
        shot = archive_dir.parent / f"{archive_dir.name}-challenged-notice.png"
        shot.write_bytes(rendered_block(index, archive_dir / WARCS_DIR, found["screenshot"]))
        title = page_row.title if page_row else ""
        say(f"  captured by rendering: HTTP {capture.http_status}, state {capture.state}, “{title}”")
        say(f"  screenshot: {shot}")
    finally:
        index.close()
