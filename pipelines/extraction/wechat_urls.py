"""WeChat public-account articles: canonical article URLs and how their images must be fetched.

An article URL is ``/s?__biz=…&mid=…&idx=…&sn=…`` plus tracking parameters (``chksm``, ``scene``,
``#rd`` …) that differ per share; the four identify the article. Short links ``/s/<token>`` have no
canonical form here (the page's own ``var biz/mid/idx/sn`` give it; extraction records that).

Body images are lazy ``data-src`` URLs on mmbiz.qpic.cn, which answers a foreign ``Referer`` with a
"此图片来自微信公众平台 未经允许不可引用" placeholder: they are fetched with WeChat's own origin as
Referer (or none), never with the archived page's origin when that is not WeChat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlsplit

WECHAT_HOST = "mp.weixin.qq.com"
ARTICLE_KEYS = ("__biz", "mid", "idx", "sn")
# the article template, in a page's text or in its bytes, where a separator is also \x1c-\x1f
# (str's \s has them) or what a wide space (U+3000, NBSP: \s in the text) may end in: a
# non-ASCII byte, "@" (Big5, Shift_JIS) or a digit (4-byte GB18030)
_PAGE_MARKER = r"""var{s}+msg_title{s}*=|id{s}*={s}*["']js_content["']"""
_PAGE_MARKER_RE = re.compile(_PAGE_MARKER.format(s=r"\s"))
_PAGE_MARKER_BYTES_RE = re.compile(_PAGE_MARKER.format(s=r"[\s\x1c-\x1f\x80-\xff0-9@]").encode())
# "msg_title" or "js_content": one scan for a literal "_" finds both, or neither
_MARKER_HINT = re.compile(rb"_(?:(?<=msg_)title|(?<=js_)content)")
_MARKER_SCAN_CHARS = 200_000  # of the text, or bytes of a body


def canonical_article_url(url: str) -> str | None:
    """``<scheme>://<host>/s?__biz=…&mid=…&idx=…&sn=…`` for an article URL, else None.

    Any host is accepted when the path and the four keys have WeChat's shape (mirrors and test
    sites use them too); mp.weixin.qq.com itself is always https.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.path.rstrip("/") != "/s" or not parts.netloc:
        return None
    values: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in ARTICLE_KEYS and key not in values:
            values[key] = unquote(value)
    if any(not values.get(key) for key in ARTICLE_KEYS):
        return None
    query = "&".join(f"{key}={quote(values[key], safe='=')}" for key in ARTICLE_KEYS)
    scheme = "https" if parts.hostname == WECHAT_HOST else parts.scheme
    return f"{scheme}://{parts.netloc}/s?{query}"


def is_short_link(url: str) -> bool:
    """``https://mp.weixin.qq.com/s/<token>``: archived exactly as given."""
    parts = urlsplit(url)
    return parts.hostname == WECHAT_HOST and parts.path.startswith("/s/") and len(parts.path) > 3


def is_article_page(url: str, page: bytes | str) -> bool:
    """A WeChat article: its host or URL shape, or the article template in the head of the page.

    `page` is the body as fetched (scanned as bytes, never decoded) or its text.
    """
    host = urlsplit(url).hostname or ""
    if host == WECHAT_HOST or canonical_article_url(url) is not None:
        return True
    if isinstance(page, str):
        return bool(_PAGE_MARKER_RE.search(page, 0, _MARKER_SCAN_CHARS))
    # most pages have neither word, and the pattern (no literal prefix, so slow) never runs
    if not _MARKER_HINT.search(page, 0, _MARKER_SCAN_CHARS):
        return False
    return bool(_PAGE_MARKER_BYTES_RE.search(page, 0, _MARKER_SCAN_CHARS))


def is_wechat_image_host(url: str, hosts: Iterable[str]) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in hosts)


def image_request_headers(referer: str) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, meta) for an image request: WeChat's origin as Referer, or none at all.

    An explicit Referer header wins over Scrapy's RefererMiddleware (it only sets a default);
    "no-referrer" keeps the middleware from adding the archived page's URL.
    """
    if referer:
        return {"Referer": referer}, {}
    return {}, {"referrer_policy": "no-referrer"}
