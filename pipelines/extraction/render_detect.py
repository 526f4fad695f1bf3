"""Which answers need a browser (`--render auto`): the JavaScript challenges of anti-bot vendors.

The classifier (pipelines/extraction/classify.py) already names a challenge page's vendor; this module only
decides what that means for rendering: a JS challenge (a vendor whose row in the registry,
pipelines/extraction/signatures.py, says so — Ruishu, Jiasule, WZWS, Aliyun, Yunsuo — or the
generic shape — a small page whose script sets a cookie and reloads, whatever the status) is
rendered; a CAPTCHA never is (nothing here solves one); anything else needs no browser. Its cheap
pre-tests (the markers, the vendor header names) are derived from the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.extraction.classify import classify, evidence, sets_cookie_and_moves
from pipelines.extraction.decode import http_charset, meta_charset, normalize_label
from pipelines.extraction.signatures import VENDORS

# the challenges a browser passes by running the page's own script: each vendor so marked in the
# registry (pipelines/extraction/signatures.py), and the generic shapes no vendor names
GENERIC_JS_CHALLENGES = ("js-challenge", "waf-js")
JS_CHALLENGE_VENDORS = frozenset((*(v.name for v in VENDORS if v.js_challenge), *GENERIC_JS_CHALLENGES))
# what a person must do (issue 15's verification states among them): never rendered, never solved
NEVER_SOLVED = frozenset({"captcha", "rate-limit"})
# what a person must solve: never rendered, never solved (blocked:captcha)
CAPTCHA_RE = re.compile(
    r"验证码|滑块|拖动.{0,8}滑|向右滑动|访问过于频繁|人机验证|captcha|geetest|nc_iconfont|slider-?verify",
    re.IGNORECASE,
)
_SMALL_PAGE_CHARS = 600
_SCAN_BYTES = 262_144
# a 2xx answer larger than this is judged further only with a vendor's header (challenge and
# CAPTCHA pages are small; judging a large article cost up to 90 ms under load)
_LARGE_PAGE_BYTES = 65_536
_VENDOR_HEADERS = frozenset(n.lower() for v in VENDORS if v.js_challenge for n in v.header_names)
# What no challenge or CAPTCHA page can do without, as bytes (UTF-8 and GB18030 spellings): a page
# without any of them is not decoded and classified at all, so `auto` costs ~nothing on articles.
# Plain substring tests: one regular expression with these alternatives cost 5-70 ms a page.
# The generic shape's and the CAPTCHAs', then each JavaScript challenge vendor's (its row's markers).
_GENERIC_MARKERS = (
    b"document.cookie",
    b"captcha",
    b"geetest",
    *(w.encode(c) for w in ("验证码", "访问过于频繁") for c in ("utf-8", "gb18030")),
)
_MARKERS = tuple(
    dict.fromkeys((*_GENERIC_MARKERS, *(m for v in VENDORS if v.js_challenge for m in v.markers)))
)


# The shape of a challenge no marker names (an obfuscated script, `document['cookie']`, an alias of
# `document`, the script at an external path): a small page that shows (next to) nothing without
# JavaScript and holds a script that works on cookies, decodes or evaluates code, or is loaded from
# elsewhere. Small pages only: a challenge shell is a few kB.
_SHELL_MAX_BYTES = 16_384
_SHELL_VISIBLE_CHARS = 80
_SHELL_MAX_NON_ASCII = 400  # bytes: a "please enable JavaScript" line, not a notice
_NON_ASCII = bytes(range(128, 256))
_SHELL_SCRIPT_RE = re.compile(
    r"cookie|\beval\s*\(|\batob\s*\(|\bFunction\s*\(|fromCharCode|unescape\s*\(|"
    r"<script[^>]*\bsrc\s*=",
    re.IGNORECASE,
)
# a page that is gone stays gone: its script is not a reason to render it
_GONE_STATUSES = frozenset({404, 410, 451})


@dataclass(frozen=True)
class Challenge:
    """A response that is not the page: `vendor` ("ruishu", …, "js-challenge", "captcha")."""

    vendor: str
    reason: str

    @property
    def is_captcha(self) -> bool:
        return self.vendor in NEVER_SOLVED


def _text(headers: list[tuple[str, str]], window: bytes) -> str | None:
    """The window decoded by its declared charset, else UTF-8, else GB18030: no charset detection
    here (a challenge's markers are ASCII; detection cost up to 80 ms on a large page)."""
    content_type = next((v for n, v in headers if n.lower() == "content-type"), "")
    if content_type and "html" not in content_type.lower() and "text/plain" not in content_type.lower():
        return None
    declared = normalize_label(http_charset(content_type) or meta_charset(window) or "")
    for codec in (declared, "utf-8"):
        if codec:
            try:
                return window.decode(codec)
            except (LookupError, UnicodeDecodeError):
                continue
    return window.decode("gb18030", "replace")


def challenge_of(url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> Challenge | None:
    """The challenge this answer is, or None when it is a page (or anything a browser cannot fix)."""
    if 300 <= status < 400:
        return None  # a redirect hop: the browser follows it, the next answer is judged
    vendor_header = any(n.lower() in _VENDOR_HEADERS for n, _ in headers)
    if 200 <= status < 300 and len(body) > _LARGE_PAGE_BYTES and not vendor_header:
        return None  # a large page is an article (challenge and CAPTCHA pages are small)
    window = body[:_SCAN_BYTES]
    if not any(marker in window for marker in _MARKERS) and not _may_be_shell(status, body):
        return None
    text = _text(headers, window)
    if text is None:
        return None
    ev = evidence(status, headers, text)
    if len(ev.visible) >= _SMALL_PAGE_CHARS:
        return None  # the page has text of its own: no challenge, and nothing more to pay for
    if len(ev.visible) < _SMALL_PAGE_CHARS and CAPTCHA_RE.search(ev.title + ev.visible + ev.raw[:4096]):
        return Challenge("captcha", f"HTTP {status} page asking for a CAPTCHA (never solved)")
    found = classify(url=url, status=status, headers=headers, text=text)
    vendor = found.state.partition(":")[2] if found.state.startswith("blocked:") else ""
    if vendor in NEVER_SOLVED:
        return Challenge(vendor, found.reason)
    if vendor in JS_CHALLENGE_VENDORS:
        return Challenge(vendor, found.reason)
    if sets_cookie_and_moves(ev):  # the generic shape behind any status (403, 503, 200 …)
        return Challenge(
            vendor or "js-challenge", f"HTTP {status} page whose script sets a cookie and reloads"
        )
    if (
        status not in _GONE_STATUSES
        and len(ev.visible) < _SHELL_VISIBLE_CHARS
        and _SHELL_SCRIPT_RE.search(ev.raw)
    ):
        return Challenge(
            vendor or "js-challenge", f"HTTP {status} page that shows nothing without its script"
        )
    return None


def _may_be_shell(status: int, body: bytes) -> bool:
    """Worth judging without a marker: a small page with a script and next to no Chinese text.
    C-speed tests only (it runs on the reactor thread for every small page): the bytes above
    ASCII count the page's CJK text, which a notice has thousands of and a shell none."""
    return (
        len(body) <= _SHELL_MAX_BYTES
        and status not in _GONE_STATUSES
        and (b"<script" in body or b"<SCRIPT" in body)
        and len(body) - len(body.translate(None, _NON_ASCII)) <= _SHELL_MAX_NON_ASCII
    )
