"""Pages that fight the renderer (issue 24): each must end, named, while the normal pages beside
them are captured. Serve with `python -m sourcekeeper.demo.rawsite tests/hostile_render_site.py:ROUTES`.

- `/busy/load`: `while(true){}` on the `load` event; `/busy/timer`: the same 300 ms after it;
  `/gate/busy`: a JavaScript challenge whose answer is the `/busy/load` page
- `/nav/N`: navigates itself to `/nav/N+1`, for ever
- `/chain/N`: a script navigates to `/chain/N/js`, whose meta refresh (3 s) leads to `/chain/N+1`:
  each render ends after one navigation, the spider follows the refresh, for ever
- `/loop/T`: a script navigates to `/loop/Tj` and a meta refresh (0 s) to `/loop/Tr`, for ever
- `/popup`: opens windows in a loop (window.open); `/popup/link`: clicks a link with target=_blank
- `/hog`: allocates 16 MB typed arrays, `/hog/heap` objects, in a loop that never ends
- `/webrtc?port=P&host=H`: an RTCPeerConnection whose ICE servers are a STUN/TURN listener on H:P
  (127.0.0.1 by default)
- `/docs`: a notice linking 30 PDF files (`/docs/f<i>.pdf`)
- `/ok/<n>`: a notice (the normal pages)
"""

from __future__ import annotations

from sourcekeeper.demo.rawsite import Handler, RawReply, RawRequest, SiteState, Sleep, page

TEXT = "各县（市、区）公安局：为进一步规范工作流程，现将有关事项通知如下。" * 4


def notice(title: str, script: str = "", body: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><div class='TRS_Editor'><p>{title}：{TEXT}</p>"
        f"</div>{body}<script>{script}</script></body></html>"
    ).encode()


def fixed(title: str, script: str = "", body: str = "") -> Handler:
    return lambda req, site: page(notice(title, script, body))


def navigating(req: RawRequest, site: SiteState) -> RawReply:
    step = int(req.path.rsplit("/", 1)[-1] or 0)
    return page(notice(f"跳转{step}", f"setTimeout(function(){{location.href='/nav/{step + 1}'}},10)"))


def chain(req: RawRequest, site: SiteState) -> RawReply:
    parts = req.path.split("/")  # ["", "chain", N] or ["", "chain", N, "js"]
    step = int(parts[2])
    if len(parts) > 3:
        refresh = f'<meta http-equiv="refresh" content="3;url=/chain/{step + 1}">'
        return page(notice(f"链{step}跳转后").replace(b"<title>", refresh.encode() + b"<title>"))
    return page(notice(f"链{step}", f"setTimeout(function(){{location.href='/chain/{step}/js'}},10)"))


def looping(req: RawRequest, site: SiteState) -> RawReply:
    token = req.path.rsplit("/", 1)[-1]
    refresh = f'<meta http-equiv="refresh" content="0;url=/loop/{token}r">'
    script = f"setTimeout(function(){{location.href='/loop/{token}j'}},10)"
    return page(notice(f"循环{token}", script).replace(b"<title>", refresh.encode() + b"<title>"))


def gate(req: RawRequest, site: SiteState) -> RawReply:
    """A challenge (a cookie set by script, then a reload) in front of the load-event busy loop."""
    if b"gate=1" in (req.header(b"Cookie") or b""):
        return page(notice("验证后死循环", BUSY_LOAD))
    return page(b"<script>document.cookie='gate=1;path=/';location.reload();</script>", status=202)


def webrtc(req: RawRequest, site: SiteState) -> RawReply:
    port = int(req.query.get("port", "9"))
    host = req.query.get("host", "127.0.0.1")
    script = (
        "var out=document.getElementById('out');"
        "try{var pc=new RTCPeerConnection({iceServers:[{urls:'stun:HOST:PORT'},"
        "{urls:'turn:HOST:PORT?transport=udp',username:'u',credential:'c'}]});"
        "pc.createDataChannel('x');pc.createOffer().then(function(o){return pc.setLocalDescription(o)});"
        "out.textContent='opened'}catch(e){out.textContent='refused: '+e.name}"
        "try{new WebTransport('https://HOST:PORT/wt')}catch(e){}"
    ).replace("PORT", str(port))
    script = script.replace("HOST", host if all(c.isalnum() or c in ".:-" for c in host) else "127.0.0.1")
    return page(notice("实时通信页", script, "<p id='out'>?</p>"))


def pdf(req: RawRequest, site: SiteState) -> RawReply:
    return page(b"%PDF-1.4\n% " + req.path.encode() + b"\n%%EOF\n", content_type=b"application/pdf")


BUSY_LOAD = "addEventListener('load',function(){while(true){}})"
# a request still in flight keeps the render from being done before the loop starts (else a quick
# renderer can finish, snapshots and all, inside those 300 ms: a page busy only afterwards is fine)
BUSY_TIMER = "addEventListener('load',function(){fetch('/slow');setTimeout(function(){while(true){}},300)})"
POPUPS = "for(var i=0;i<50;i++){window.open('/ok/1?w='+i)}"
LINK_POPUP = (
    "var a=document.createElement('a');a.href='/ok/2?from=popup';a.target='_blank';"
    "document.body.appendChild(a);a.click()"
)
HOG = "var keep=[];while(true){var b=new Uint8Array(16<<20);b.fill(7);keep.push(b)}"
HEAP_HOG = "var k=[];while(true){k.push({n:k.length,s:'x'+k.length})}"
DOCS = "".join(f"<a href='/docs/f{i}.pdf'>附件{i}</a>" for i in range(30))

ROUTES: dict[str, Handler] = {
    "/ok/": lambda req, site: page(notice("正常通知" + req.path.rsplit("/", 1)[-1])),
    "/busy/load": fixed("加载后死循环", BUSY_LOAD),
    "/busy/timer": fixed("定时死循环", BUSY_TIMER),
    "/gate/busy": gate,
    "/nav/": navigating,
    "/chain/": chain,
    "/loop/": looping,
    "/popup": fixed("弹窗页", POPUPS),
    "/popup/link": fixed("链接弹窗页", LINK_POPUP),
    "/hog": fixed("内存页", HOG),
    "/hog/heap": fixed("堆内存页", HEAP_HOG),
    "/webrtc": webrtc,
    "/docs": fixed("附件通知", body=DOCS),
    "/docs/": pdf,
    "/slow": lambda req, site: [Sleep(3), *page(notice("慢"))],
}
