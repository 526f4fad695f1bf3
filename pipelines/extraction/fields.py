"""Labelled fields of article headers and disclosure tables: 来源, 作者, 索引号, 发文字号, title."""

from __future__ import annotations

import re

from lxml import etree

from pipelines.extraction.htmltext import clean_line, inline_text, meta_content

# A value runs until two spaces (a new cell/span), a bracket, or the next label.
_NEXT_LABEL = (
    r"(?=\s{2,}|\s*[|｜【\[]|\s*(?:(?:发布时间|发布日期|发表时间|时间|日期|作者|来源|编辑|记者|"
    r"通讯员|信息来源|文章来源|分类|标题|主题分类)[:：\s]|成文日期|发文字号|索引号|浏览|点击|阅读|"
    r"字号|字体|分享|打印|访问量|责任编辑)|$)"
)
_SOURCE_RE = re.compile(
    r"(?:信息来源|文章来源|新闻来源|稿件来源|来源|稿源|发布机构|发布单位)\s*[:：]\s*(?P<v>.{1,40}?)"
    + _NEXT_LABEL
)
_AUTHOR_RE = re.compile(r"(?:作者|撰稿人?|记者)\s*[:：]\s*(?P<v>.{1,30}?)" + _NEXT_LABEL)
_INDEX_RE = re.compile(r"索\s*引\s*号\s*[:：]?\s*(?P<v>[A-Za-z0-9][\w\-/／.]{3,60})")
_DOCNO_RE = re.compile(
    r"(?:发文字号|发文文号|文\s*号|文件编号)\s*[:：]?\s*(?P<v>[^\s:：]{1,30}?[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d+\s*号)"
)
_TITLE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|—|–|»|-(?=\s)|(?<=\s)-|\s-\s|::)\s*")
_DATE_ONLY_RE = re.compile(r"^[\d\s:：\-/.年月日]+$")


def _first_value(regex: re.Pattern[str], lines: list[str]) -> str | None:
    for line in lines:
        match = regex.search(line)
        if match:
            value = clean_line(match.group("v")).strip("：:，,;；")
            if value and not _DATE_ONLY_RE.match(value):
                return value
    return None


def find_source(lines: list[str]) -> str | None:
    """来源 / 发布机构 value from header lines."""
    return _first_value(_SOURCE_RE, lines)


def find_author(lines: list[str]) -> str | None:
    """作者 / 记者 value from header lines."""
    return _first_value(_AUTHOR_RE, lines)


def find_index_number(lines: list[str]) -> str | None:
    """索引号 of a disclosure (xxgk) page."""
    return _first_value(_INDEX_RE, lines)


def find_doc_number(lines: list[str]) -> str | None:
    """发文字号 such as 黔人社通〔2024〕1号."""
    return _first_value(_DOCNO_RE, lines)


def _headings(root: etree._Element) -> list[str]:
    texts = []
    for node in root.xpath("//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')]"):
        text = inline_text(node)
        if 4 <= len(text) <= 120:
            texts.append(text)
    return texts


def choose_title(root: etree._Element, lines: list[str]) -> str | None:
    """The article title: gov ArticleTitle, a heading the <title>/og:title confirms, og:title, else
    the best part of <title>.

    ``<title>`` usually glues site and column names to the title ("凯里市人民政府-凯里市…方案"),
    so it is split and the part that also appears as a heading or a line of the page wins.
    """
    article_title = meta_content(root, "ArticleTitle")
    if article_title:
        return article_title
    page_title = clean_line(root.findtext(".//title") or "")
    og_title = meta_content(root, "og:title") or ""
    headings = _headings(root)
    confirmed = [h for h in headings if h in page_title or h in og_title]
    if confirmed:
        return max(confirmed, key=len)
    if og_title:
        return og_title
    parts = [p for p in _TITLE_SPLIT_RE.split(page_title) if len(p) >= 2]
    line_set = set(lines)
    for part in sorted(parts, key=len, reverse=True):
        if part in line_set or any(part in heading for heading in headings):
            return part
    if parts:
        return max(parts, key=len)
    return headings[0] if headings else None


def site_from_title(root: etree._Element, title: str | None) -> str | None:
    """The site name glued to the title in ``<title>``: the far end from the title part."""
    page_title = clean_line(root.findtext(".//title") or "")
    parts = [p for p in _TITLE_SPLIT_RE.split(page_title) if len(p) >= 2]
    if not title or len(parts) < 2 or title not in parts:
        return None
    return parts[-1] if parts.index(title) == 0 else parts[0]
