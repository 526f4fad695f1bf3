"""Government CMS platforms: which one built the page, and where its body and metadata sit.

Fingerprints, as these CMSs render pages: TRS WCM (``TRS_Editor`` / ``TRS_UEDITOR`` /
``trs_editor_view`` bodies, ``t20200114_…`` URLs, hidden ``#NewsArticle*`` divs), Hanweb/大汉 JCMS
(``/art/YYYY/M/D/art_…`` URLs, ``#zoom`` bodies), UCAP/开普云 (``#UCAP-CONTENT``), and the
gov-wide meta tags ``ArticleTitle / PubDate / ContentSource / SiteName``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from pipelines.extraction.dates import FoundDate, parse_date
from pipelines.extraction.htmltext import inline_text, meta_content

# Candidates are fetched with a cheap substring test, then checked token by token in Python.
_TRS_CLASSES = frozenset({"trs_editor", "trs_ueditor", "trs_editor_view"})
_TRS_XPATH = "//*[contains(@class,'TRS_') or contains(@class,'trs_')]"
_HANWEB_IDS = frozenset({"zoom", "zoomcon"})
_HANWEB_CLASSES = frozenset({"bt_content", "bt-article-content"})
_HANWEB_XPATH = "//*[@id or contains(@class,'content')]"
_UCAP_XPATH = "//*[@id='UCAP-CONTENT' or @id='ucap-content']"
_TRS_URL_RE = re.compile(r"/t(?:19|20)\d{6}_\d+\.s?html?", re.IGNORECASE)
_HANWEB_URL_RE = re.compile(r"/art/(?:19|20)\d{2}/\d{1,2}/\d{1,2}/art_\d+_\d+\.s?html?", re.IGNORECASE)
_GOV_META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "SiteName")


@dataclass
class PlatformHints:
    """What a platform rule found; every field may be missing."""

    platform: str = "generic"
    body: etree._Element | None = None
    title: str | None = None
    published: FoundDate | None = None
    source: str | None = None
    author: str | None = None
    site: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _first(root: etree._Element, xpath: str) -> etree._Element | None:
    found = root.xpath(xpath)
    return found[0] if found else None


def _is_trs_body(node: etree._Element) -> bool:
    return bool(_TRS_CLASSES.intersection((node.get("class") or "").lower().split()))


def _is_hanweb_body(node: etree._Element) -> bool:
    classes = set((node.get("class") or "").lower().split())
    return (node.get("id") or "").lower() in _HANWEB_IDS or bool(classes & _HANWEB_CLASSES)


def _outermost(
    root: etree._Element, xpath: str, keep: Callable[[etree._Element], bool] | None = None
) -> etree._Element | None:
    """The match with the most text among those not nested in another match.

    TRS nests TRS_Editor divs, and some templates have a second, small one (summary, attachments).
    """
    found = [node for node in root.xpath(xpath) if keep is None or keep(node)]
    outer = [n for n in found if not any(o is not n and n in o.iterdescendants() for o in found)]
    return max(outer, key=lambda node: len(inline_text(node)), default=None)


def _hidden_text(root: etree._Element, element_id: str) -> str | None:
    node = _first(root, f"//*[@id='{element_id}']")
    text = inline_text(node) if node is not None else ""
    return text or None


def _gov_meta(root: etree._Element, hints: PlatformHints) -> bool:
    """Fill hints from gov-wide meta tags; True if the page carries them."""
    values = {name: meta_content(root, name) for name in _GOV_META_NAMES}
    hints.title = hints.title or values["ArticleTitle"]
    hints.published = hints.published or parse_date(values["PubDate"])
    hints.source = hints.source or values["ContentSource"]
    hints.site = hints.site or values["SiteName"]
    for name in ("ColumnName", "SiteDomain", "SiteIDCode", "ColumnType"):
        value = meta_content(root, name)
        if value:
            hints.extra[name] = value
    return any(values.values())


def _trs_hidden(root: etree._Element, hints: PlatformHints) -> None:
    """TRS templates echo the article fields in hidden #NewsArticle* divs."""
    hints.title = hints.title or _hidden_text(root, "NewsArticleTitle")
    hints.source = hints.source or _hidden_text(root, "NewsArticleSource")
    hints.published = hints.published or parse_date(_hidden_text(root, "NewsArticlePubDay"))
    author = _hidden_text(root, "NewsArticleAuthor")
    if author and author != hints.source:
        hints.author = author


def detect_platform(root: etree._Element, url: str) -> PlatformHints:
    """Identify the CMS and collect its body element and metadata."""
    hints = PlatformHints()
    has_meta = _gov_meta(root, hints)
    _trs_hidden(root, hints)
    checks = (
        ("trs", _TRS_XPATH, _is_trs_body, _TRS_URL_RE),
        ("ucap", _UCAP_XPATH, None, None),
        ("hanweb", _HANWEB_XPATH, _is_hanweb_body, _HANWEB_URL_RE),
    )
    for name, xpath, keep, url_re in checks:
        body = _outermost(root, xpath, keep)
        if body is not None and inline_text(body):
            hints.platform, hints.body = name, body
            return hints
        if url_re is not None and url_re.search(url):
            hints.platform = name
            return hints
    if has_meta:
        hints.platform = "gov-meta"
    return hints
