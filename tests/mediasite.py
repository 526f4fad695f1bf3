"""The media test site: pages that carry video and audio, the media files (made by
media_fixtures.py into $MEDIA_FIXTURE_DIR), a WeChat-style article, and the bad cases.

Served with `ServedSite("tests/mediasite.py:routes")`.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from sourcekeeper.demo.rawsite import RawReply, RawRequest, Routes, Send, SiteState, Stall, page, status_head

MIB = 1 << 20
HUGE_BYTES = 5 * 1024 * MIB  # 5 GiB announced and streamed until the client hangs up
MANY_SEGMENTS = 100_000
WECHAT_REFERER = b"https://mp.weixin.qq.com/"
PLACEHOLDER = "placeholder: 此图片来自微信公众平台 未经允许不可引用".encode()
WECHAT_VIDEO_LOW = b"LOWRES-MP4" * 300
WECHAT_VIDEO_HIGH = b"HIGHRES-MP4" * 700
WECHAT_VOICE = b"#!AMR\n" + bytes(range(256)) * 20
OG_BYTES = b"og-video-bytes" * 200
LD_BYTES = b"json-ld-video-bytes" * 150
_TYPES = {
    "mp4": b"video/mp4",
    "m4a": b"audio/mp4",
    "png": b"image/png",
    "vtt": b"text/vtt; charset=utf-8",
    "m3u8": b"application/vnd.apple.mpegurl",
    "ts": b"video/mp2t",
    "bin": b"application/octet-stream",
    "mpd": b"application/dash+xml",
    "m4s": b"video/iso.segment",
}

PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Video notice</title>
<meta property="og:video" content="/og/clip.mp4">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "video": {"@type": "VideoObject", "name": "clip", "contentUrl": "/ld/clip.mp4"}}</script>
</head><body><div class="TRS_Editor"><p>\xe8\xa7\x86\xe9\xa2\x91\xe9\x80\x9a\xe6\x8a\xa5</p>
<video controls src="/media/video.mp4" poster="/media/poster.png">
  <track kind="subtitles" src="/media/subs.vtt" srclang="zh"></video>
<video class="lazy" src="data:video/mp4;base64," data-src="/media/lazy.mp4"></video>
<audio controls><source src="/media/audio.m4a" type="audio/mp4"></audio>
<video controls><source src="/media/hls/master.m3u8" type="application/x-mpegURL"></video>
<video controls><source src="/media/dash/manifest.mpd" type="application/dash+xml"></video>
</div></body></html>"""

# for the replay test: the state of each <video> element, written into the page as it plays
PLAY_PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>play</title></head><body>
<video id="mp4" src="/media/video.mp4" preload="auto" muted></video>
<video id="hls" src="/media/hls/master.m3u8" preload="auto" muted></video>
<pre id="state"></pre>
<script>
function show() {
  var lines = [];
  ["mp4", "hls"].forEach(function (id) {
    var v = document.getElementById(id);
    var error = v.error ? v.error.code : "none";
    lines.push(id + " readyState=" + v.readyState + " duration=" + v.duration + " error=" + error);
  });
  document.getElementById("state").textContent = lines.join("\\n");
}
setInterval(show, 100);
</script></body></html>"""

# a page embedding two "platform" players: one yt-dlp's generic extractor resolves, one it cannot
EMBED_PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>embeds</title></head><body>
<iframe src="/embed/player.html" width="640" height="360"></iframe>
<iframe src="/embed/empty.html" width="640" height="360"></iframe>
</body></html>"""
PLAYER_PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>player</title></head><body>
<video controls src="/media/lazy.mp4"></video></body></html>"""
EMPTY_PLAYER = (
    b"""<!DOCTYPE html><html><head><title>player</title></head><body><p>no video</p></body></html>"""
)

BAD_PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bad media</title></head><body>
<video src="/bad/huge.mp4"></video>
<video src="/bad/partial.mp4"></video>
<video src="/bad/stalled.mp4"></video>
<video><source src="/bad/loop.m3u8" type="application/x-mpegURL"></video>
<video><source src="/bad/many.m3u8" type="application/x-mpegURL"></video>
<video><source src="/bad/live.m3u8" type="application/x-mpegURL"></video>
<video><source src="/bad/nokey.m3u8" type="application/x-mpegURL"></video>
</body></html>"""


def media_dir() -> Path:
    return Path(os.environ["MEDIA_FIXTURE_DIR"])


def media_file(req: RawRequest, site: SiteState) -> RawReply:
    relative = req.path.removeprefix("/media/")
    path = (media_dir() / relative).resolve()
    if media_dir().resolve() not in path.parents or not path.is_file():
        return page(b"not found", status=404, content_type=b"text/plain")
    content_type = _TYPES.get(path.suffix.lstrip("."), b"application/octet-stream")
    return page(path.read_bytes(), content_type=content_type)


def host_base(req: RawRequest) -> bytes:
    return b"http://" + (req.header(b"Host") or b"127.0.0.1")


def wechat_article(req: RawRequest, site: SiteState) -> RawReply:
    base = host_base(req)
    body = (
        b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>wechat</title>\n<script>\n'
        b'var msg_title = "\xe8\xa7\x86\xe9\xa2\x91\xe6\x96\x87\xe7\xab\xa0";\nvar ct = "1581517074";\n'
        b"var videoPageInfos = [{\n  video_id: 'wxv_1' || '',\n  mp_video_trans_info: [{\n"
        b"    filesize: '3000' * 1 || 0,\n"
        b"    url: ('" + base + b"/wx/video_low.mp4?vid=wxv_1\\x26amp;format=10002')"
        b".replace(/^http(s?):/, location.protocol)\n  }, {\n"
        b"    filesize: '7700' * 1 || 0,\n"
        b"    url: ('" + base + b"/wx/video_high.mp4?vid=wxv_1\\x26amp;format=10004')"
        b".replace(/^http(s?):/, location.protocol)\n  }]\n}];\n"
        b"window.__videoPageInfos = videoPageInfos;\n</script></head><body>\n"
        b'<div class="rich_media_content" id="js_content"><p>\xe6\xad\xa3\xe6\x96\x87</p>\n'
        b'<iframe class="video_iframe rich_pages" data-mpvid="wxv_1" '
        b'data-src="https://mp.weixin.qq.com/mp/readtemplate?t=pages/video_player_tmpl&amp;vid=wxv_1"></iframe>\n'
        b'<mpvoice class="js_editor_audio audio_iframe" voice_encode_fileid="MzA5NjE2_VOICE%3D" '
        b'name="\xe5\xbd\x95\xe9\x9f\xb3" play_length="3000"></mpvoice>\n</div></body></html>'
    )
    return page(body)


def wechat_media(req: RawRequest, site: SiteState) -> RawReply:
    """mpvideo/voice answer a foreign or missing Referer with a placeholder, as mmbiz does."""
    if req.header(b"Referer") != WECHAT_REFERER:
        return page(PLACEHOLDER, content_type=b"image/png")
    if req.path.startswith("/voice/"):
        return page(WECHAT_VOICE, content_type=b"audio/amr")
    body = WECHAT_VIDEO_HIGH if "high" in req.path else WECHAT_VIDEO_LOW
    return page(body, content_type=b"video/mp4")


@cache
def mib_block() -> bytes:
    return b"".join(b"%07d media body line\n" % i for i in range(MIB // 24)).ljust(MIB, b".")


def huge(req: RawRequest, site: SiteState) -> RawReply:
    head = status_head(200, b"OK", [(b"Content-Type", b"video/mp4"), (b"Content-Length", b"%d" % HUGE_BYTES)])
    return [Send(head), *[Send(mib_block())] * (HUGE_BYTES // MIB)]


def partial(req: RawRequest, site: SiteState) -> RawReply:
    body = b"first part of a longer file" * 10
    headers = [
        (b"Content-Type", b"video/mp4"),
        (b"Content-Range", b"bytes 0-%d/1000000" % (len(body) - 1)),
        (b"Content-Length", b"%d" % len(body)),
    ]
    return [Send(status_head(206, b"Partial Content", headers) + body)]


STALLED_PART = b"the first 64 KB of a video that never finishes." * 1400


def stalled(req: RawRequest, site: SiteState) -> RawReply:
    """Part of a body, then silence: the client's time limit ends it."""
    head = status_head(200, b"OK", [(b"Content-Type", b"video/mp4"), (b"Content-Length", b"10000000")])
    return [Send(head + STALLED_PART), Stall()]


def playlist(text: str) -> RawReply:
    return page(text.encode(), content_type=b"application/vnd.apple.mpegurl")


def loop(req: RawRequest, site: SiteState) -> RawReply:
    # a master naming itself and a variant that names the master again
    return playlist(
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n/bad/loop.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=2000\n/bad/loop-b.m3u8\n"
    )


def loop_b(req: RawRequest, site: SiteState) -> RawReply:
    return playlist("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n/bad/loop.m3u8\n")


@cache
def many_text() -> str:
    lines = [f"#EXTINF:1.0,\n/bad/seg/{n}.ts\n" for n in range(MANY_SEGMENTS)]
    return "#EXTM3U\n#EXT-X-TARGETDURATION:1\n" + "".join(lines) + "#EXT-X-ENDLIST\n"


def many(req: RawRequest, site: SiteState) -> RawReply:
    return playlist(many_text())


def live(req: RawRequest, site: SiteState) -> RawReply:
    """A live playlist: no EXT-X-ENDLIST, one more segment at every fetch."""
    n = site.hits.get("/bad/live.m3u8", 1)
    segments = "".join(f"#EXTINF:1.0,\n/bad/live/{i}.ts\n" for i in range(n, n + 2))
    return playlist(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:{n}\n{segments}")


def nokey(req: RawRequest, site: SiteState) -> RawReply:
    return playlist(
        '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-KEY:METHOD=AES-128,URI="/bad/missing.key"\n'
        "#EXTINF:1.0,\n/bad/seg/enc0.ts\n#EXT-X-ENDLIST\n"
    )


def segment(req: RawRequest, site: SiteState) -> RawReply:
    return page(b"TS" + req.path.encode() * 20, content_type=b"video/mp2t")


def routes() -> Routes:
    return {
        "/page.html": lambda req, site: page(PAGE),
        "/play.html": lambda req, site: page(PLAY_PAGE),
        "/embeds.html": lambda req, site: page(EMBED_PAGE),
        "/embed/player.html": lambda req, site: page(PLAYER_PAGE),
        "/embed/empty.html": lambda req, site: page(EMPTY_PLAYER),
        "/media/": media_file,
        "/og/clip.mp4": lambda req, site: page(OG_BYTES, content_type=b"video/mp4"),
        "/ld/clip.mp4": lambda req, site: page(LD_BYTES, content_type=b"video/mp4"),
        "/s": wechat_article,
        "/wx/": wechat_media,
        "/voice/": wechat_media,
        "/bad.html": lambda req, site: page(BAD_PAGE),
        "/bad/huge.mp4": huge,
        "/bad/partial.mp4": partial,
        "/bad/stalled.mp4": stalled,
        "/bad/loop.m3u8": loop,
        "/bad/loop-b.m3u8": loop_b,
        "/bad/many.m3u8": many,
        "/bad/live.m3u8": live,
        "/bad/nokey.m3u8": nokey,
        "/bad/seg/": segment,
        "/bad/live/": segment,
    }
