"""WeChat public-account articles (mp.weixin.qq.com) as served: inline JS variables plus DOM."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from lxml import etree

from pipelines.extraction.dates import FoundDate, from_unix, parse_date
from pipelines.extraction.htmltext import inline_text
from pipelines.extraction.wechat_urls import canonical_article_url

# `var msg_title = "…";`, `var nickname = htmlDecode("…");`, `var ct = "" || "1581517074";`
_VAR_TEMPLATE = (
    r"(?:var\s+|window\.){name}\s*=\s*(?:htmlDecode\(\s*)?"
    r"""(?:(["'])\1\s*\|\|\s*)*(["'])(.*?)(?<!\\)\2"""
)
_VAR_NAMES = (
    "msg_title",
    "nickname",
    "ct",
    "publish_time",
    "biz",
    "mid",
    "idx",
    "sn",
    "msg_link",
    "user_name",
    "msg_source_url",
)
_VAR_RES = {name: re.compile(_VAR_TEMPLATE.format(name=name)) for name in _VAR_NAMES}
_JS_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")
_WECHAT_MARKER_RE = re.compile(r"var\s+msg_title\s*=|id=[\"']js_content[\"']|rich_media_content")


@dataclass
class WeChatMeta:
    """What the served page says about itself."""

    title: str | None
    account: str | None
    published: FoundDate | None
    canonical_url: str | None


def is_wechat(markup: str, url: str) -> bool:
    """mp.weixin.qq.com host, or the article template's variables/ids in the page."""
    host = urlsplit(url).hostname or ""
    return host.endswith("mp.weixin.qq.com") or bool(_WECHAT_MARKER_RE.search(markup))


def _js_unescape(value: str) -> str:
    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(code, code)

    return html_lib.unescape(_JS_ESCAPE_RE.sub(repl, value)).strip()


def js_var(markup: str, name: str) -> str | None:
    """First non-empty value assigned to a known inline variable."""
    for match in _VAR_RES[name].finditer(markup):
        value = _js_unescape(match.group(3))
        if value:
            return value
    return None


def _canonical(markup: str, url: str) -> str | None:
    """``/s?__biz=…&mid=…&idx=…&sn=…`` from the page variables, msg_link, or the fetched URL, in
    the one spelling :func:`pipelines.extraction.wechat_urls.canonical_article_url` gives (tracking
    params dropped)."""
    link = js_var(markup, "msg_link")
    if link and "__biz=" in link:
        return canonical_article_url(link.replace("http://", "https://", 1))
    parts = {key: js_var(markup, key) for key in ("biz", "mid", "idx", "sn")}
    if all(parts.values()):
        query = urlencode({"__biz": parts["biz"], **{k: parts[k] for k in ("mid", "idx", "sn")}})
        return canonical_article_url(f"https://mp.weixin.qq.com/s?{query}")
    return canonical_article_url(url)


def wechat_meta(markup: str, root: etree._Element | None, url: str) -> WeChatMeta:
    """Title, account, publish time and canonical URL of a WeChat article page."""
    title = js_var(markup, "msg_title")
    account = js_var(markup, "nickname")
    if root is not None:
        if not title:
            title = _first_text(root, "//h2[contains(@class,'rich_media_title')]|//h1")
        if not account:
            account = _first_text(root, "//*[@id='js_name']|//*[contains(@class,'profile_nickname')]")
    published = from_unix(js_var(markup, "ct")) or parse_date(js_var(markup, "publish_time"))
    if published is None and root is not None:  # browser-saved DOM: explicit dates only, not "昨天"
        published = parse_date(_first_text(root, "//*[@id='publish_time' or @id='post-date']"))
    return WeChatMeta(title, account, published, _canonical(markup, url))


def _first_text(root: etree._Element, xpath: str) -> str | None:
    for node in root.xpath(xpath):
        text = inline_text(node)
        if text:
            return text
    return None


def wechat_body(root: etree._Element) -> etree._Element | None:
    """The article body ``#js_content``."""
    found = root.xpath("//*[@id='js_content']")
    return found[0] if found else None
