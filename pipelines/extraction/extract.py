"""Extract title, dates, source and body text from a decoded Chinese page.

Platform rules first (WeChat variables, TRS / UCAP / Hanweb bodies, gov meta tags), then the
punctuation-density block finder, then trafilatura as a last resort. Input is always ``str`` decoded
by :mod:`pipelines.extraction.decode`; bad input yields an empty :class:`ExtractedPage`, never an exception.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from lxml import etree

from pipelines.extraction.attachments import find_attachments, find_images
from pipelines.extraction.bodylines import extend_run, keep_at_end, keep_at_start
from pipelines.extraction.bodyselect import PLATFORM_PROFILES
from pipelines.extraction.dates import parse_date
from pipelines.extraction.dateselect import DateFields, choose_dates
from pipelines.extraction.fastpath import FAST_PATH, choose_body_fast
from pipelines.extraction.fields import (
    choose_title,
    find_author,
    find_doc_number,
    find_index_number,
    find_source,
    site_from_title,
)
from pipelines.extraction.govdoc import page_identity
from pipelines.extraction.htmltext import block_text, clean_line, meta_content, parse_html, text_lines
from pipelines.extraction.listlines import list_lines
from pipelines.extraction.platforms import detect_platform
from pipelines.extraction.wechat import is_wechat, wechat_body, wechat_meta

logger = logging.getLogger(__name__)

_TRAILER_LINES = 12  # 来源/作者 often follow the body ("来源：新闻晨报 编辑：山石")
_EDGE_LINES = 7  # title/byline lines a body block may start or end with
_HEADING_MAX_CHARS = 40
_SENTENCE_ENDS = ("。", "！", "!", "；", "…", "”", "：", ":")
_BYLINE_MAX_CHARS = 80
_BYLINE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]|来源|作者|记者|通讯员|实习生|本报|编辑|发布|时间|日期|字号|字体|浏览|点击|阅读|打印|分享"
)


@dataclass
class ExtractedPage:
    """Everything extracted from one page; text is '' when there is no article body."""

    title: str | None = None
    date: str | None = None
    date_written: str | None = None
    date_published: str | None = None
    published_at: str | None = None
    source: str | None = None
    author: str | None = None
    site: str | None = None
    text: str = ""
    index_number: str | None = None
    doc_number: str | None = None
    issuer: str | None = None  # 发文机关 / 发布机构 of the 信息公开 box, else the document's 落款
    topic: str | None = None  # 主题分类 / 主题词
    platform: str = "generic"
    canonical_url: str | None = None
    attachments: list[dict[str, str]] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    # where each date came from ("label:发布时间", "meta:PubDate", "url", "body:signing-date" …)
    date_source: str | None = None
    document_date: str | None = None  # 成文日期 / 签发日期 / signing date of an official document
    document_date_source: str | None = None
    extractor: str | None = None  # which extractor produced the text, and why it won
    extractor_reason: str | None = None
    extraction_path: str | None = None  # fastpath.FAST_PATH (template recognised) or GENERAL
    page_title: str | None = None  # the page's own <title>, from which later pages learn the site's name

    def to_json(self) -> dict[str, object]:
        """Plain JSON-ready dict (for the WARC metadata record and the index)."""
        return asdict(self)


def extract_page(
    html: str, url: str, captured: datetime | None = None, known_sites: list[str] | None = None
) -> ExtractedPage:
    """Extract ``html`` (decoded) fetched from ``url`` at ``captured`` (which dates "3小时前");
    ``known_sites``: the site's names learned elsewhere (its other pages in the archive), cut from
    the title like those the page gives. Never raises."""
    try:
        return _extract(html or "", url or "", captured, known_sites)
    except Exception:  # a single hostile page must not stop the crawl
        logger.exception("extraction failed for %s", url)
        return ExtractedPage()


def _extract(
    html: str, url: str, captured: datetime | None = None, known_sites: list[str] | None = None
) -> ExtractedPage:
    root = parse_html(html)
    if root is None:
        return ExtractedPage(platform="wechat" if is_wechat(html, url) else "generic")
    if is_wechat(html, url):
        return _extract_wechat(html, root, url)
    return _extract_generic(root, url, captured, known_sites)


def _extract_wechat(html: str, root: etree._Element, url: str) -> ExtractedPage:
    meta = wechat_meta(html, root, url)
    body = wechat_body(root)
    published = meta.published
    return ExtractedPage(
        title=meta.title,
        date=published.iso if published else None,
        date_published=published.iso if published else None,
        published_at=published.iso_datetime() if published else None,
        author=meta.account,
        site=meta.account,
        text=block_text(body) if body is not None else "",
        platform="wechat",
        canonical_url=meta.canonical_url,
        attachments=find_attachments(body, url) if body is not None else [],
        images=find_images(body, url),
        extraction_path=FAST_PATH,
    )


def _body_span(page_lines: list[str], text: str) -> tuple[int, int] | None:
    """Indexes of the body's first and last line in ``page_lines``."""
    body_lines = text.split("\n") if text else []
    if not body_lines:
        return None
    first, last = body_lines[0], body_lines[-1]
    second = body_lines[1] if len(body_lines) > 1 else None
    starts = [i for i, line in enumerate(page_lines) if line == first]
    if not starts:
        return None
    # the first line may also stand higher up (a headline repeated above its date line)
    start = next(
        (i for i in starts if second is None or (i + 1 < len(page_lines) and page_lines[i + 1] == second)),
        starts[0],
    )
    end = next(
        (i for i in range(start, len(page_lines)) if page_lines[i] == last),
        start + len(body_lines) - 1,
    )
    return start, end


def _split_lines(
    page_lines: list[str], text: str, span: tuple[int, int] | None
) -> tuple[list[str], list[str]]:
    """Lines before the body and a few after it (where 来源/作者/日期 labels live)."""
    if not text:
        return page_lines, []
    if span is None:
        return page_lines[:80], []
    start, end = span
    return page_lines[:start], page_lines[end + 1 : end + 1 + _TRAILER_LINES]


def _is_heading(line: str, title: str | None, near_top: bool) -> bool:
    """The title line, or (near the top) a short line that does not end a sentence."""
    if title and (line == title or (title in line and len(line) <= 2 * len(title))):
        return True
    return near_top and len(line) <= _HEADING_MAX_CHARS and not line.endswith(_SENTENCE_ENDS)


def _is_byline(line: str) -> bool:
    """A short line with a date or a 来源/作者/发布… label."""
    if len(line) > _BYLINE_MAX_CHARS:
        return False
    return _BYLINE_RE.search(line) is not None or parse_date(line) is not None


def _trim_edges(text: str, title: str | None) -> tuple[list[str], str, list[str]]:
    """Split title/byline lines off the start, and byline/stamp lines off the end, of a body."""
    lines = text.split("\n") if text else []
    head: list[str] = []
    while len(lines) > 1 and len(head) < _EDGE_LINES:
        if lines[0] != title and keep_at_start(lines[0]):
            break  # a lead sentence or a 文号/主送 line, even when it starts with a year
        if not (_is_heading(lines[0], title, len(head) < _EDGE_LINES - 2) or _is_byline(lines[0])):
            break
        head.append(lines.pop(0))
    tail: list[str] = []
    while len(lines) > 1 and len(tail) < _EDGE_LINES and _is_byline(lines[-1]):
        if keep_at_end(lines):
            break  # a closing sentence, or the 落款 and signing date of a document
        tail.insert(0, lines.pop())
    return head, "\n".join(lines), tail


def _extract_generic(
    root: etree._Element, url: str, captured: datetime | None = None, known_sites: list[str] | None = None
) -> ExtractedPage:
    hints = detect_platform(root, url)
    linked_lines = text_lines(root)
    page_lines = [line for line, _ in linked_lines]
    body, path = choose_body_fast(root, hints, page_lines)  # a known template: no density scoring
    block = body.block
    # 文号 / adoption note just above a platform container, 落款 + signing date just below it
    text = "\n".join(extend_run(page_lines, body.text.split("\n"))) if body.text else ""
    span = _body_span(page_lines, text)
    title = hints.title or choose_title(root, page_lines, span[0] if span else None, known_sites)
    # lines of lists of other articles give no dates (each keeps its place for the labels below)
    listed = list_lines(linked_lines)
    # the line right under the headline is its byline, however many short links it holds
    # ("2011年01月01日 23:11 中新网 【大 中 小】【打印】"): never an item of a list of other articles
    headline_at = next((i for i, line in enumerate(page_lines) if title and line == title), None)
    if headline_at is not None:
        listed.discard(headline_at + 1)
    dated_lines = [line if i not in listed else "" for i, line in enumerate(page_lines)]
    header, trailer = _split_lines(page_lines, text, span)
    date_header, date_trailer = _split_lines(dated_lines, text, span)
    head, text, tail = _trim_edges(text, title)
    header += head
    trailer = tail + trailer
    date_header = [line for line in date_header if line] + head
    date_trailer = tail + [line for line in date_trailer if line]
    keep_heading = PLATFORM_PROFILES.get(hints.platform, {}).get("keep_heading")
    if keep_heading and title and text and not text.startswith(title):
        text = f"{title}\n{text}"  # the heading is part of the document's text on this platform
    dates: DateFields = choose_dates(
        root,
        header=date_header,
        trailer=date_trailer,
        page_lines=page_lines,
        title=title,
        url=url,
        platform_date=hints.published,
        body=text.split("\n") if text else [],
        captured=captured,
    )
    around = header + trailer
    identity = page_identity(header, trailer, text.split("\n") if text else [])
    return ExtractedPage(
        title=title,
        date=dates.date,
        date_written=dates.written,
        date_published=dates.published,
        published_at=dates.published_at,
        source=hints.source or find_source(around),
        author=hints.author or find_author(around) or meta_content(root, "author"),
        site=hints.site or meta_content(root, "og:site_name", "SiteName") or site_from_title(root, title),
        text=text,
        index_number=identity.index_number or find_index_number(header),
        doc_number=identity.doc_number or find_doc_number(header),
        issuer=identity.issuer,
        topic=identity.topic,
        platform=hints.platform,
        canonical_url=None,
        attachments=find_attachments(root, url),
        images=find_images(block, url),
        date_source=dates.source,
        document_date=dates.document,
        document_date_source=dates.document_source,
        extractor=body.extractor,
        extractor_reason=body.why,
        extraction_path=path,
        page_title=clean_line(root.findtext(".//title") or "") or None,
    )
