"""Which answers need a browser (`--render auto`): the JavaScript challenges of anti-bot vendors.

The classifier (pipelines/classify.py) already names a challenge page's vendor; this module only
decides what that means for rendering: a JS challenge (Ruishu, Jiasule, WZWS, Aliyun, or the
generic shape — a small page whose script sets a cookie and reloads, whatever the status) is
rendered; a CAPTCHA never is (nothing here solves one); anything else needs no browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.classify import classify, evidence, sets_cookie_and_moves
from pipelines.decode import decode_body

# vendors whose challenge a browser passes by running the page's own script
JS_CHALLENGE_VENDORS = frozenset({"ruishu", "jiasule", "wzws", "aliyun", "js-challenge", "yunsuo"})
# what a person must solve: never rendered, never solved (blocked:captcha)
CAPTCHA_RE = re.compile(
    r"验证码|滑块|拖动.{0,8}滑|向右滑动|访问过于频繁|人机验证|captcha|geetest|nc_iconfont|slider-?verify",
    re.IGNORECASE,
)
_SMALL_PAGE_CHARS = 600
_SCAN_BYTES = 262_144
_CAPTCHA_WORDS = ("验证码", "滑块", "访问过于频繁", "人机验证", "向右滑动")
# What no challenge or CAPTCHA page can do without, as bytes (UTF-8 and GB18030 spellings): a page
# without any of them is not decoded and classified at all, so `auto` costs ~nothing on articles.
_MARKERS_RE = re.compile(
    rb"document\.cookie|\$_ts|\br=['\"]m['\"]|wzws|\barg1\b|acw_sc|__jsl|yunsuo|security_verify"
    rb"|captcha|geetest|slider|nc_iconfont|"
    + b"|".join(re.escape(w.encode(c)) for w in _CAPTCHA_WORDS for c in ("utf-8", "gb18030")),
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Challenge:
    """A response that is not the page: `vendor` ("ruishu", …, "js-challenge", "captcha")."""

    vendor: str
    reason: str

    @property
    def is_captcha(self) -> bool:
        return self.vendor == "captcha"


def _text(headers: list[tuple[str, str]], body: bytes) -> str | None:
    content_type = next((v for n, v in headers if n.lower() == "content-type"), "")
    if content_type and "html" not in content_type.lower() and "text/plain" not in content_type.lower():
        return None
    try:
        return decode_body(body[:_SCAN_BYTES], content_type).text
    except (LookupError, ValueError):
        return body[:_SCAN_BYTES].decode("utf-8", "replace")


def challenge_of(url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> Challenge | None:
    """The challenge this answer is, or None when it is a page (or anything a browser cannot fix)."""
    if 300 <= status < 400:
        return None  # a redirect hop: the browser follows it, the next answer is judged
    if not _MARKERS_RE.search(body, 0, _SCAN_BYTES):
        return None
    text = _text(headers, body)
    if text is None:
        return None
    ev = evidence(status, headers, text)
    if len(ev.visible) < _SMALL_PAGE_CHARS and CAPTCHA_RE.search(ev.title + ev.visible + ev.raw[:4096]):
        return Challenge("captcha", f"HTTP {status} page asking for a CAPTCHA (never solved)")
    found = classify(url=url, status=status, headers=headers, text=text)
    vendor = found.state.partition(":")[2] if found.state.startswith("blocked:") else ""
    if found.state == "blocked:captcha":
        return Challenge("captcha", found.reason)
    if vendor in JS_CHALLENGE_VENDORS:
        return Challenge(vendor, found.reason)
    if sets_cookie_and_moves(ev):  # the generic shape behind any status (403, 503, 200 …)
        return Challenge(
            vendor or "js-challenge", f"HTTP {status} page whose script sets a cookie and reloads"
        )
    return None
