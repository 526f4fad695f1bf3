"""Decide whether a fetched response is the article, a block/challenge page, or evidence of removal.

Runs before extraction: challenge pages, WeChat deletion notices and soft-404s are kept in the
WARC but must never be taken as a page's text, nor searched as one. Only
``removed:*`` states are evidence of removal; ``blocked:*`` and ``error:*`` never are.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipelines.extraction import density
from pipelines.extraction.htmltext import parse_html
from pipelines.extraction.magic import document_magic
from pipelines.extraction.navigation import navigation_state
from pipelines.extraction.signatures import (
    CHALLENGE_SCRIPT_RE,
    NAVIGATES_RE,
    SETS_COOKIE_RE,
    SOFT_404_RE,
    VENDORS,
    WECHAT_ERROR_PAGE_RE,
    WECHAT_STATES,
    Vendor,
)
from pipelines.extraction.verification import verification_state

_SCAN_CHARS = 262_144  # block pages are small; never scan megabytes of an article
_SHORT_PAGE_CHARS = 600  # visible characters below which a page's message is its content
_TINY_PAGE_CHARS = 200  # a not-found phrase on a page this small is the whole message
_MIN_ARTICLE_CHARS = 150  # a main text shorter than this is no article
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADING_RE = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.IGNORECASE | re.DOTALL)
_INVISIBLE_RE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_TITLE_PARTS_RE = re.compile(r"\s*(?:[-_|｜—–:：]|\s-\s)\s*")
_WS_RE = re.compile(r"\s+")
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "text/xml", "application/xml")
_INDEX_PATH_RE = re.compile(
    r"^/(?:(?:index|default|home|main)\.\w+)?$|/(?:index|default)(?:_\d+)?\.s?html?$|/col/col\d+/?"
    r"|/$",  # a directory URL is a column listing
    re.IGNORECASE,
)
# the vendors a status names (Vendor.statuses), and the 2xx statuses among them (Ruishu's 202),
# which are judged like error statuses
_BY_STATUS: dict[int, tuple[Vendor, ...]] = {
    status: tuple(v for v in VENDORS if status in v.statuses)
    for status in {s for v in VENDORS for s in v.statuses}
}
_CHALLENGE_2XX = frozenset(s for s in _BY_STATUS if 200 <= s < 300)
_ARTICLE_PATH_RE = re.compile(r"/t\d{8}_\d+|/art/\d{4}/|/content_\d+|\d{5,}\.s?html?$|/s/[\w-]{10,}|/s\?")


@dataclass(frozen=True)
class Classification:
    """``state`` is "ok", "blocked:<vendor>", "removed:<why>", "error:<why>" or "redirect:<how>"."""

    state: str
    reason: str

    @property
    def is_content(self) -> bool:
        """True only for a page that is the article itself."""
        return self.state == "ok"


@dataclass(frozen=True)
class _Evidence:
    status: int
    header_lines: str  # "name: value" per line, lower-case names
    cookies: str  # all Set-Cookie values, newline-joined
    content_type: str
    title: str
    visible: str  # visible text, whitespace removed
    raw: str  # first _SCAN_CHARS of the body


def evidence(status: int, headers: Sequence[tuple[str, str]], text: str | None) -> _Evidence:
    lines = [f"{name.strip().lower()}: {value.strip()}" for name, value in headers]
    cookies = [value for name, value in headers if name.strip().lower() == "set-cookie"]
    content_type = next((v for n, v in headers if n.strip().lower() == "content-type"), "")
    raw = (text or "")[:_SCAN_CHARS]
    title_match = _TITLE_RE.search(raw)
    title = _plain(title_match.group(1)) if title_match else ""
    visible = _WS_RE.sub("", html_lib.unescape(_TAG_RE.sub(" ", _INVISIBLE_RE.sub(" ", raw))))
    return _Evidence(status, "\n".join(lines), "\n".join(cookies), content_type.lower(), title, visible, raw)


def _plain(fragment: str) -> str:
    return _WS_RE.sub(" ", html_lib.unescape(_TAG_RE.sub(" ", fragment))).strip()


def _vendor_hit(ev: _Evidence, body_allowed: bool) -> tuple[Vendor, str] | None:
    """The first vendor with evidence, and that evidence in words."""
    for vendor in VENDORS:
        if vendor.header_re is not None and vendor.header_re.search(ev.header_lines):
            return vendor, "its response header"
        if vendor.cookies is not None and vendor.cookies.search(ev.cookies):
            return vendor, "its cookie"
        if body_allowed and vendor.body is not None and vendor.body.search(ev.raw):
            return vendor, "its challenge/block page"
    return None


def _looks_like_challenge(ev: _Evidence) -> bool:
    """Little visible text and a script that sets cookies or reloads: a JS challenge."""
    return len(ev.visible) < _SHORT_PAGE_CHARS and bool(CHALLENGE_SCRIPT_RE.search(ev.raw))


def sets_cookie_and_moves(ev: _Evidence) -> bool:
    """The generic JS challenge: a small page, no article text, whose script sets a cookie and
    reloads or navigates (whatever the status; see pipelines/extraction/render_detect.py)."""
    return len(ev.visible) < _SHORT_PAGE_CHARS and bool(
        SETS_COOKIE_RE.search(ev.raw) and NAVIGATES_RE.search(ev.raw)
    )


def _blocked(vendor: Vendor, ev: _Evidence, how: str) -> Classification:
    return Classification(f"blocked:{vendor.name}", f"HTTP {ev.status} with {vendor.label} evidence ({how})")


def _status_state(ev: _Evidence) -> Classification | None:
    """States decided by a non-2xx status (with vendor evidence where it names the blocker)."""
    status = ev.status
    if 200 <= status < 300 and status not in _CHALLENGE_2XX:
        return None
    hit = _vendor_hit(ev, body_allowed=True)
    for vendor in _BY_STATUS.get(status, ()):
        if vendor.js_challenge and (hit is None or hit[0] is vendor) and _looks_like_challenge(ev):
            return Classification(
                f"blocked:{vendor.name}", f"HTTP {status} with a {vendor.label} JS challenge page"
            )
    if hit is not None and status >= 400:
        return _blocked(hit[0], ev, hit[1])
    for vendor in _BY_STATUS.get(status, ()):
        if not vendor.js_challenge:
            return Classification(f"blocked:{vendor.name}", f"HTTP {status}, the {vendor.label} block status")
    if status in (404, 410):
        return Classification(f"removed:http-{status}", f"HTTP {status}: the server says the page is gone")
    if status in (403, 429, 412, 451):
        return Classification(f"blocked:http-{status}", f"HTTP {status} without a recognisable vendor")
    if status >= 500:
        return Classification("error:http-5xx", f"HTTP {status} server error")
    if status >= 300:
        return Classification(f"error:http-{status}", f"HTTP {status} (redirect or other non-content answer)")
    return None  # a vendor's 2xx (Ruishu's 202) without its challenge: judge the body like a 200


def _wechat_state(url: str, ev: _Evidence) -> Classification | None:
    """Expired / deleted / violation / closed-account / verification pages of WeChat."""
    host = urlsplit(url).hostname or ""
    if "antispider" in url or "/mp/verifycode" in url:
        return Classification("blocked:wechat-verify", "WeChat redirected to its anti-spider verification")
    is_wechat = host.endswith("weixin.qq.com") or host.endswith("weixin.sogou.com")
    if not (is_wechat or WECHAT_ERROR_PAGE_RE.search(ev.raw)):
        return None
    if len(ev.visible) >= _SHORT_PAGE_CHARS and "js_content" in ev.raw:
        return None  # a real article body is present
    for state, pattern in WECHAT_STATES:
        match = pattern.search(ev.visible)
        if match:
            return Classification(state, f"WeChat notice page saying “{match.group(0)}”")
    return None


def _redirect_home(url: str, requested_url: str | None) -> Classification | None:
    """An article URL that ended on the site root or a column index: the article was taken down."""
    if not requested_url or requested_url == url:
        return None
    final, asked = urlsplit(url), urlsplit(requested_url)
    if not _INDEX_PATH_RE.search(final.path or "/"):
        return None
    if asked.path == final.path or _INDEX_PATH_RE.search(asked.path or "/"):
        return None
    if not (_ARTICLE_PATH_RE.search(requested_url) or asked.path.count("/") >= 2):
        return None
    return Classification("removed:redirect-home", f"article URL redirected to index page {url}")


def _soft_404(ev: _Evidence) -> Classification | None:
    """A 200 page whose title, heading or whole (short) text says the page does not exist."""
    for part in _TITLE_PARTS_RE.split(ev.title):
        hit = SOFT_404_RE.search(part)
        # The message must be (nearly) the whole title part: an article *about* a 404 is not one.
        if hit and len(part.replace(" ", "")) - len(hit.group(0).replace(" ", "")) <= 8:
            return Classification("removed:soft-404", f"page title says “{hit.group(0)}”")
    for heading in _HEADING_RE.findall(ev.raw):
        text = _plain(heading)
        hit = SOFT_404_RE.search(text)
        if hit and len(text) <= 40:
            return Classification("removed:soft-404", f"page heading says “{hit.group(0)}”")
    body_hit = SOFT_404_RE.search(ev.visible)
    if body_hit and _message_dominates(ev, body_hit.group(0)):
        return Classification("removed:soft-404", f"page whose main text says “{body_hit.group(0)}”")
    return None


def _message_dominates(ev: _Evidence, message: str) -> bool:
    """The not-found message is the page's main text, not a phrase inside a real article."""
    if len(ev.visible) < _TINY_PAGE_CHARS:
        return True
    root = parse_html(ev.raw)
    main = _WS_RE.sub("", density.main_text(root)) if root is not None else ""
    return len(main) < _MIN_ARTICLE_CHARS or message in main[: len(message) + 40]


def classify(
    *,
    url: str,
    status: int,
    headers: Sequence[tuple[str, str]],
    text: str | None,
    requested_url: str | None = None,
    body: bytes | None = None,
) -> Classification:
    """Classify one response (final ``url`` after redirects; ``text`` decoded, None if binary;
    ``body`` the raw bytes, which name a document served without a type or with a markup one)."""
    ev = evidence(status, headers, text)
    decided = _status_state(ev) or _wechat_state(url, ev)
    if decided is not None:
        return decided
    is_markup = not ev.content_type or ev.content_type.startswith(_HTML_TYPES)
    if not is_markup:
        return Classification("ok", f"HTTP {status} {ev.content_type.split(';')[0]} document")
    kind = document_magic(body)
    if kind is not None:
        served = ev.content_type.split(";")[0] or "no Content-Type"
        return Classification("ok", f"HTTP {status} {kind} document by its bytes (served as {served})")
    if not (text or "").strip():
        return Classification("error:empty", f"HTTP {status} with an empty body")
    hit = _vendor_hit(ev, body_allowed=len(ev.visible) < _SHORT_PAGE_CHARS)
    if hit is not None and (_looks_like_challenge(ev) or hit[1] == "its challenge/block page"):
        return _blocked(hit[0], ev, hit[1])
    check = verification_state(ev.title, ev.visible, ev.raw)  # captcha / rate-limit / waf-js pages
    if check is not None:
        return Classification(check.state, f"HTTP {status} {check.reason}")
    if sets_cookie_and_moves(ev):
        return Classification(
            "blocked:js-challenge", f"HTTP {status} page whose script sets a cookie and reloads"
        )
    navigation = navigation_state(url, ev.raw, len(ev.visible), _SHORT_PAGE_CHARS)
    if navigation is not None:
        return Classification(*navigation)
    return (
        _redirect_home(url, requested_url)
        or _soft_404(ev)
        or Classification("ok", f"HTTP {status} page with {len(ev.visible)} visible characters")
    )
