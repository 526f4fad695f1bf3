"""Pages whose archived strings carry terminal escapes, and HTML nested 3,000 levels deep.
Serve with `ServedSite("tests/hostile_text_site.py:ROUTES")`."""

from __future__ import annotations

from sourcekeeper.demo.rawsite import RawReply, RawRequest, SiteState, page

# clear the screen, set the terminal's title (OSC 0 ... BEL), a C1 CSI, a carriage return
ESCAPES = "\x1b[2J\x1b]0;owned\x07\u009b31m\r"
TITLE = f"劝返通知{ESCAPES}公告"
SENTENCE = "为切实做好本县在外人员劝返工作，现将有关事项通知如下，请各单位认真贯彻落实。"
DEEP_SENTENCE = "深层嵌套页面的正文：各派出所要加强对在外人员亲属的联系工作，按时报送进展情况。"
DEPTH = 3000


def escapes(req: RawRequest, site: SiteState) -> RawReply:
    body = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>'
        f'<div class="TRS_Editor"><h1>{TITLE}</h1>{"".join(f"<p>{SENTENCE}</p>" for _ in range(4))}</div>'
        "</body></html>"
    )
    return page(body.encode("utf-8"))


def deep(req: RawRequest, site: SiteState) -> RawReply:
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>深层嵌套的通知</title></head><body>'
        + "<div>" * DEPTH
        + "".join(f"<p>{DEEP_SENTENCE}</p>" for _ in range(4))
        + "</div>" * DEPTH
        + "</body></html>"
    )
    return page(body.encode("utf-8"))


ROUTES = {"/escapes": escapes, "/deep": deep}
