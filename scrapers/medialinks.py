"""The video and audio a page carries: what a reader's browser would play, as absolute URLs.

`<video>`/`<audio>` and their `<source>` (src and the lazy attributes CMSs use), `poster`,
`<track>` subtitles, `<embed>`/`<object>`/`<a>` pointing at a media file, OpenGraph video/audio,
JSON-LD `VideoObject`/`AudioObject` `contentUrl`, and in a WeChat article its voice messages
(`<mpvoice voice_encode_fileid>` → `res.wx.qq.com/voice/getvoice?mediaid=`) and videos (the
`mp_video_trans_info` URLs of the page data, the best format of each video unless all are wanted).

Most pages have none of these: a bytes test on the body decides whether the page is parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import quote, unquote, urljoin, urlsplit

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from archive_store.index.pagemedia import media_kind
from scrapers.links import declared_encoding

_LAZY_ATTRS = (
    "src",
    "data-src",
    "data-original",
    "data-lazy-src",
    "data-url",
    "data-video",
    "data-video-src",
)
_POSTER_ATTRS = ("poster", "data-poster")
_OG_PROPERTIES = {
    "og:video": "video",
    "og:video:url": "video",
    "og:video:secure_url": "video",
    "og:audio": "audio",
    "og:audio:url": "audio",
    "og:audio:secure_url": "audio",
    "twitter:player:stream": "video",
}
_LD_TYPES = {"videoobject": "video", "audioobject": "audio", "mediaobject": "video"}
# Whether a page may carry media at all. Every alternative starts with punctuation ("<", ":", "+",
# "_", "."), so the regex engine skips to those characters: 20 ms over a 2 MB page, where an
# alternation of words took 1.3 s. ":video" (og:video), "+json" (JSON-LD), "_encode_fileid" (WeChat
# voice), "_video_trans_info" (WeChat video); a false hint only costs a parse.
_HINTS = re.compile(
    rb"<(?:video|audio|source|mpvoice|mp-common-mpaudio)|:(?:video|audio|stream)|\+json"
    rb"|_(?:encode_fileid|video_trans_info)|\.(?:m3u8|mpd|mp4|m4v|webm|flv|mp3|m4a|aac|ogg|wav|amr)\b",
    re.I,
)
_FRAME_TAG = re.compile(rb"<(?:iframe|embed|object)\b", re.I)
WECHAT_VOICE_URL = "https://res.wx.qq.com/voice/getvoice?mediaid="
_TRANS_INFO = re.compile(r"mp_video_trans_info\s*[:=]\s*\[(.*?)\]\s*[,;}]", re.S)
_TRANS_ENTRY = re.compile(r"\{(.*?)\}", re.S)
_TRANS_URL = re.compile(r"""url\s*:\s*(?:JsDecode\()?\(?\s*['"]([^'"]+)['"]""")
_TRANS_SIZE = re.compile(r"""filesize\s*:\s*['"]?(\d+)""")
_JS_ESCAPES = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\/")


@dataclass(frozen=True)
class MediaLink:
    url: str
    kind: str  # "video" | "audio" | "poster" | "track" | "hls" | "dash"
    wechat: bool = False  # a WeChat article's own media: fetched with WeChat's Referer


def _absolute(base: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if not value or value.startswith(("#", "javascript:", "data:", "blob:", "mailto:")):
        return None
    try:
        url = urljoin(base, value)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


def _first_attr(node: etree._Element, names: tuple[str, ...]) -> str | None:
    # a lazy attribute wins over a src that is a placeholder (a 1px gif, "about:blank")
    values: list[str | None] = [node.get(name) for name in names]
    lazy = [v for v in values[1:] if v and v.strip()]
    return lazy[0] if lazy else values[0]


def _element_links(root: etree._Element, base: str) -> Iterator[MediaLink]:
    for node in root.iter("video", "audio"):
        default = str(node.tag)
        url = _absolute(base, _first_attr(node, _LAZY_ATTRS))
        if url:
            yield MediaLink(url, media_kind(url, node.get("type") or "", default))
        poster = _absolute(base, _first_attr(node, _POSTER_ATTRS))
        if poster:
            yield MediaLink(poster, "poster")
        for child in node.iter("source", "track"):
            url = _absolute(base, _first_attr(child, _LAZY_ATTRS))
            if url:
                kind = "track" if child.tag == "track" else media_kind(url, child.get("type") or "", default)
                yield MediaLink(url, kind)
    for node in root.iter("source"):  # <source> outside a <video> (picture elements aside)
        parent = node.getparent()
        if parent is not None and parent.tag not in ("video", "audio", "picture"):
            url = _absolute(base, _first_attr(node, _LAZY_ATTRS))
            if url and media_kind(url, node.get("type") or "", "") != "":
                yield MediaLink(url, media_kind(url, node.get("type") or ""))
    for tag, attr in (("a", "href"), ("embed", "src"), ("object", "data"), ("iframe", "src")):
        for node in root.iter(tag):
            url = _absolute(base, node.get(attr))
            if url and media_kind(url, node.get("type") or "", "") != "":
                yield MediaLink(url, media_kind(url, node.get("type") or ""))


def _host_matches(url: str, hosts: tuple[str, ...]) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in hosts)


def _embed_links(root: etree._Element, base: str, hosts: tuple[str, ...]) -> Iterator[MediaLink]:
    """Player iframes/embeds of video platforms (resolved later by yt-dlp, see embeds.py)."""
    for tag, attrs in (("iframe", ("src", "data-src")), ("embed", ("src",)), ("object", ("data",))):
        for node in root.iter(tag):
            url = _absolute(base, _first_attr(node, attrs))
            if url and _host_matches(url, hosts) and media_kind(url, "", "") == "":
                yield MediaLink(url, "embed")


def _meta_links(root: etree._Element, base: str) -> Iterator[MediaLink]:
    for node in root.iter("meta"):
        name = (node.get("property") or node.get("name") or "").strip().lower()
        if name in _OG_PROPERTIES:
            url = _absolute(base, node.get("content"))
            if url:
                yield MediaLink(url, media_kind(url, "", _OG_PROPERTIES[name]))


def _ld_objects(value: object) -> Iterator[dict[str, object]]:
    if isinstance(value, list):
        for item in value:
            yield from _ld_objects(item)
    elif isinstance(value, dict):
        yield value
        for item in value.values():
            if isinstance(item, (dict, list)):
                yield from _ld_objects(item)


def _json_ld_links(root: etree._Element, base: str) -> Iterator[MediaLink]:
    for node in root.iter("script"):
        if (node.get("type") or "").strip().lower() != "application/ld+json" or not node.text:
            continue
        try:
            data = json.loads(node.text)
        except ValueError:
            continue
        for obj in _ld_objects(data):
            types = obj.get("@type")
            names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
            kinds = [_LD_TYPES[n.lower()] for n in names if isinstance(n, str) and n.lower() in _LD_TYPES]
            content = obj.get("contentUrl")
            if kinds and isinstance(content, str):
                url = _absolute(base, content)
                if url:
                    yield MediaLink(url, media_kind(url, str(obj.get("encodingFormat") or ""), kinds[0]))


def _js_string(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else "/"

    return unescape(_JS_ESCAPES.sub(replace, value))


def wechat_media(
    root: etree._Element, html: str, base: str, all_formats: bool, voice_url: str = WECHAT_VOICE_URL
) -> Iterator[MediaLink]:
    """A WeChat article's voice messages and videos, by the URLs its page data gives."""
    for node in root.iter("mpvoice", "mp-common-mpaudio"):
        file_id = unquote(unescape(node.get("voice_encode_fileid") or "")).strip()
        if file_id:
            yield MediaLink(voice_url + quote(file_id, safe="=+/"), "audio", wechat=True)
    for block in _TRANS_INFO.finditer(html):
        formats = []
        for entry in _TRANS_ENTRY.finditer(block.group(1)):
            found = _TRANS_URL.search(entry.group(1))
            if found is None:
                continue
            size = _TRANS_SIZE.search(entry.group(1))
            url = _absolute(base, _js_string(found.group(1)))
            if url:
                formats.append((int(size.group(1)) if size else 0, url))
        chosen = formats if all_formats else [max(formats, key=lambda f: f[0])] if formats else []
        for _size, url in chosen:
            yield MediaLink(url, "video", wechat=True)


def media_links(
    html: str,
    base_url: str,
    *,
    wechat: bool = False,
    all_formats: bool = False,
    voice_url: str = WECHAT_VOICE_URL,
    embed_hosts: tuple[str, ...] = (),
) -> list[MediaLink]:
    """Every media link of the page's text, once, in page order."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, etree.ParserError):
        return []
    found: dict[str, MediaLink] = {}
    sources = [_element_links(root, base_url), _meta_links(root, base_url), _json_ld_links(root, base_url)]
    if wechat:
        sources.append(wechat_media(root, html, base_url, all_formats, voice_url))
    if embed_hosts:
        sources.append(_embed_links(root, base_url, embed_hosts))
    for source in sources:
        for link in source:
            if link.url != base_url and link.url not in found:
                found[link.url] = link
    return list(found.values())


def _may_embed(body: bytes, base_url: str, hosts: tuple[str, ...]) -> bool:
    """A player of one of `hosts` may be embedded: a host named in the page, or the page's own
    host is one of them and it has an iframe (a relative src)."""
    if not hosts:
        return False
    if any(host.encode() in body for host in hosts):
        return True
    return _host_matches(base_url, hosts) and _FRAME_TAG.search(body) is not None


def page_media_links(
    body: bytes,
    base_url: str,
    content_type: bytes | None,
    *,
    wechat: bool = False,
    all_formats: bool = False,
    voice_url: str = WECHAT_VOICE_URL,
    embed_hosts: tuple[str, ...] = (),
) -> list[MediaLink]:
    """`media_links` of a fetched page, decoded only when its bytes hint at media at all."""
    if not _HINTS.search(body) and not _may_embed(body, base_url, embed_hosts):
        return []
    encoding = declared_encoding(body, content_type) or "utf-8"
    html = html_to_unicode(f"charset={encoding}", body)[1]
    return media_links(
        html, base_url, wechat=wechat, all_formats=all_formats, voice_url=voice_url, embed_hosts=embed_hosts
    )
