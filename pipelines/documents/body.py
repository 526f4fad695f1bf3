"""Which links of a report are its citations (issue 17): the article body's, not the page's.

A report page links to much that it does not cite: share buttons (Facebook's sharer, X's intent,
Weibo's share), the publisher's social profiles, navigation, header and footer, and comments. Such
links are left out of the citations and named, with the reason, in the manifest (`skipped`).
Footnote and reference sections count as the body wherever they sit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

SHARE_BUTTON = "share button"
SOCIAL_PROFILE = "social profile"
NAVIGATION = "navigation"
HEADER = "page header"
FOOTER = "page footer"
SIDEBAR = "sidebar"
COMMENTS = "comments"
OUTSIDE_BODY = "outside the article body"

# (host suffix, path prefix) of share endpoints: a link there shares the report, it cites nothing
_SHARE_ENDPOINTS = (
    ("facebook.com", "/sharer"),
    ("facebook.com", "/share.php"),
    ("facebook.com", "/dialog/share"),
    ("twitter.com", "/intent/"),
    ("twitter.com", "/share"),
    ("x.com", "/intent/"),
    ("x.com", "/share"),
    ("linkedin.com", "/sharearticle"),
    ("linkedin.com", "/shareArticle"),
    ("linkedin.com", "/share"),
    ("reddit.com", "/submit"),
    ("weibo.com", "/share"),
    ("service.weibo.com", "/share"),
    ("t.me", "/share"),
    ("telegram.me", "/share"),
    ("wa.me", "/"),
    ("api.whatsapp.com", "/send"),
    ("pinterest.com", "/pin/create"),
    ("tumblr.com", "/share"),
    ("connect.qq.com", "/widget/shareqq"),
    ("sns.qzone.qq.com", "/cgi-bin/qzshare"),
    ("getpocket.com", "/save"),
    ("bsky.app", "/intent/"),
)
_SOCIAL_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "youtube.com",
    "linkedin.com",
    "weibo.com",
    "t.me",
    "tiktok.com",
    "threads.net",
    "bsky.app",
    "mastodon.social",
    "github.com",
    "medium.com",
)
# a profile's path: /name, /@name, /channel/x, /company/x, /user/x, /c/x, /in/x, /profile/...
_PROFILE_PATH = re.compile(
    r"^/(?:@?[\w.\-]+|(?:channel|company|user|c|in|u|profile|people)/[\w.\-]+)/?$", re.I
)
_SHARE_MARK = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|addthis|sharethis|a2a|follow)(?:$|[\s_-])", re.I
)
_COMMENT_MARK = re.compile(r"(?:^|[\s_-])(?:comments?|respond|replies|disqus|discussion)(?:$|[\s_-])", re.I)
_NOTES_MARK = re.compile(r"footnote|endnote|references|notes|citations|参考|注释", re.I)
_BODY_TAGS = ("article", "main")


@dataclass(frozen=True)
class SkippedLink:
    url: str
    anchor: str | None
    reason: str


def url_skip_reason(url: str) -> str | None:
    """Share endpoints and social profiles, known by the URL alone (any report format)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path or "/"
    for suffix, prefix in _SHARE_ENDPOINTS:
        if (host == suffix or host.endswith("." + suffix)) and path.lower().startswith(prefix.lower()):
            return SHARE_BUTTON
    social = any(host == h or host.endswith("." + h) for h in _SOCIAL_HOSTS)
    if social and (path == "/" or _PROFILE_PATH.match(path)):
        return SOCIAL_PROFILE
    return None


def _marks(node: lxml.html.HtmlElement) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}"


def _in_notes(node: lxml.html.HtmlElement) -> bool:
    return bool(_NOTES_MARK.search(_marks(node))) or node.get("epub:type") in ("footnotes", "endnotes")


def element_skip_reason(anchor: lxml.html.HtmlElement, body_marked: bool) -> str | None:
    """Where on the page the link is: the first enclosing region that is not the article's (an
    article's own header and footer are part of it)."""
    in_body = any(
        isinstance(a.tag, str) and (a.tag in _BODY_TAGS or (a.get("role") or "").lower() == "main")
        for a in anchor.iterancestors()
    )
    for node in anchor.iterancestors():
        if not isinstance(node.tag, str):
            continue
        role = (node.get("role") or "").lower()
        if _in_notes(node):
            return None  # footnotes / references: citations wherever they sit
        if node.tag in ("nav",) or role == "navigation":
            return NAVIGATION
        if (node.tag == "footer" and not in_body) or role == "contentinfo":
            return FOOTER
        if (node.tag == "header" and not in_body) or role == "banner":
            return HEADER
        if node.tag == "aside" or role == "complementary":
            return SIDEBAR
        marks = _marks(node)
        if _COMMENT_MARK.search(marks):
            return COMMENTS
        if _SHARE_MARK.search(marks):
            return SHARE_BUTTON
    if body_marked and not in_body:
        return OUTSIDE_BODY
    return None


def has_marked_body(root: lxml.html.HtmlElement) -> bool:
    """The page marks its article (<article>, <main>, role=main): links outside it are not cited."""
    return (
        root.find(".//article") is not None
        or root.find(".//main") is not None
        or bool(root.xpath(".//*[@role='main']"))
    )
