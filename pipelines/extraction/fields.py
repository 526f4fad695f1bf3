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


# Separators between a headline and site/column names in <title> and og:title: "_", "|", "--",
# dashes, "»", "::", ">", and a single "-" unless it joins two Latin letters or digits ("SK-II",
# "2020-2021"), with their full-width forms.
_TITLE_SPLIT_RE = re.compile(
    r"\s*(?:_+|＿|\||｜|︱|-{2,}|—+|–|»|::|>|＞|(?<![A-Za-z0-9])[-－]|[-－](?![A-Za-z0-9]))\s*"
)
_SPACE_RE = re.compile(r"\s+")
# what a date/time line is made of: a heading of only this is a post's stamp, not its title
_HANZI_RE = re.compile(r"[\u3400-\u9fff]")
_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_STAMP_RE = re.compile(r"[\d\s:：\-/.年月日时分秒()（）\[\]]+")
_HEADING_XPATH = "//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')]"
_COPYRIGHT_RES = (
    re.compile(
        r"(?:版权所有|主办单位|主办|版权)\s*[:：]?\s*[©(（C）)\s]*(?P<v>[\u4e00-\u9fffA-Za-z（）()·]{2,30})"
    ),
    re.compile(r"(?P<v>[\u4e00-\u9fff（）()·]{2,30})\s*版权所有"),
    re.compile(
        r"(?:Copyright|©)\s*(?:©|\(c\))?\s*(?:\d{4}\s*[-–]?\s*(?:\d{4})?)?\s*(?P<v>[\u4e00-\u9fff·]{2,30})",
        re.I,
    ),
)
_NEAR_BODY_LINES = 10  # a heading this many lines above the body, or fewer, stands by it
_COLUMN_MAX = 6  # column (栏目) names are short: 新闻动态, 辟谣文章, 通知公告
_EDGE_LINES = 7  # the body found may start with its headline and byline lines
_MIN_TITLE_CHARS = 4


def _norm(text: str) -> str:
    return _SPACE_RE.sub("", text)


def split_title(text: str) -> list[str]:
    """The parts of a <title>/og:title between separators (「」《》 and other brackets stay)."""
    return [part.strip() for part in _TITLE_SPLIT_RE.split(text) if part and part.strip()]


def site_names(root: etree._Element, lines: list[str]) -> list[str]:
    """Names the page gives its site or publisher: ``og:site_name``/``SiteName``/application-name,
    the logo's alt text, the footer's copyright/主办 line."""
    names = [
        value
        for value in (
            meta_content(root, "og:site_name"),
            meta_content(root, "SiteName"),
            meta_content(root, "application-name"),
            meta_content(root, "ColumnName"),
        )
        if value
    ]
    for img in root.iter("img"):
        alt = (img.get("alt") or "").strip()
        if not alt or len(alt) > 30:
            continue
        marks = " ".join((img.get("class") or "", img.get("id") or "", img.get("src") or "")).lower()
        parent = img.getparent()
        if parent is not None:
            marks += " " + " ".join((parent.get("class") or "", parent.get("id") or "")).lower()
        if "logo" in marks:
            names.append(alt)
    for line in lines[-15:]:
        for regex in _COPYRIGHT_RES:
            match = regex.search(line)
            if match:
                names.append(match.group("v").strip())
    found: list[str] = []
    for name in names:
        for part in split_title(name) or [name]:
            if len(part) >= 2 and part not in found:
                found.append(part)
    return found


def _is_site_part(part: str, names: list[str]) -> bool:
    """A <title> part that is a learned site name, or one end of it ("东区办事处" of
    "某某市东区办事处", "新华网" of "新华网_让新闻离你更近")."""
    key = _norm(part)
    return any(
        key == _norm(name)
        or (len(key) >= 2 and _norm(name).endswith(key))
        or (key.startswith(_norm(name)) and len(key) <= len(_norm(name)) + 4)
        for name in names
    )


def strip_site(title: str, names: list[str]) -> str:
    """``title`` without site/column names glued to either end (by a separator or a space)."""
    parts = split_title(title)
    while len(parts) > 1 and _is_site_part(parts[-1], names):
        parts.pop()
    while len(parts) > 1 and _is_site_part(parts[0], names):
        parts.pop(0)
    if len(parts) == 1 and parts[0] != title.strip():
        title = parts[0]
    for name in names:  # joined by a space only: "…工作 东区办事处"
        words = title.rsplit(" ", 1)
        if len(words) == 2 and len(_norm(words[0])) >= _MIN_TITLE_CHARS and _is_site_part(words[1], [name]):
            title = words[0].strip()
        words = title.split(" ", 1)
        if len(words) == 2 and len(_norm(words[1])) >= _MIN_TITLE_CHARS and _is_site_part(words[0], [name]):
            title = words[1].strip()
    return title


def _headings(root: etree._Element) -> list[tuple[str, bool]]:
    """Heading texts in page order, each with whether it is a link (a list item, a logo)."""
    found = []
    for node in root.xpath(_HEADING_XPATH):
        text = inline_text(node)
        if 2 <= len(text) <= 120 and len(_STAMP_RE.sub("", text)) >= 2:
            linked = (
                node.tag == "a"
                or any(True for _ in node.iterancestors("a"))
                or (len(node) == 1 and node[0].tag == "a" and not (node.text or "").strip())
            )
            found.append((text, linked))
    return found


def _index_of(lines: list[str], text: str, before: int, lowest: int = 0) -> int | None:
    """Index of the last line above ``before`` (down to ``lowest``) that holds ``text`` (spaces
    ignored)."""
    key = _norm(text)
    for i in range(min(before, len(lines)) - 1, max(0, lowest) - 1, -1):
        line = lines[i]
        if key in (line if " " not in line else _norm(line)):
            return i
    return None


def choose_title(
    root: etree._Element,
    lines: list[str],
    body_start: int | None = None,
    known_sites: list[str] | None = None,
) -> str | None:
    """The article's headline.

    The heading that matches the longest part of ``<title>`` (og:title when there is none), else
    the heading standing nearest above the body (``body_start``: the index of the body's first
    line in ``lines``), else that longest part itself. Parts that are the site's or a column's name
    (learned from the page: ``site_names``, plus ``known_sites``, e.g. the names the other pages of
    the site share) are dropped, and names glued to the chosen headline are cut off.
    """
    names = site_names(root, lines) + list(known_sites or [])
    article_title = meta_content(root, "ArticleTitle")
    if article_title:
        return strip_site(article_title, names)
    end = len(lines) if body_start is None else body_start + _EDGE_LINES
    page_title = clean_line(root.findtext(".//title") or "")
    og_title = meta_content(root, "og:title") or ""
    parts = [p for p in split_title(page_title) if not _is_site_part(p, names) and _weight(p) >= 2]
    parts = parts or [p for p in split_title(og_title) if not _is_site_part(p, names) and _weight(p) >= 2]
    headings = [(h, linked) for h, linked in _headings(root) if not _is_site_part(h, names)]
    tagged = _near(headings, lines, end if body_start is None else body_start + 1)
    # pages without heading tags: the headline is a line of its own
    plain = _heading_lines(lines, body_start, names) if body_start is not None else []
    whole = _norm(page_title) + "\n" + _norm(og_title)
    # the heading standing nearest above the body (a linked one too: blogs link a post's title)
    near = _near(plain, lines, end)
    # heading tags first, unless the nearest one is a column's name (short, and a menu link's text)
    own = [t for t in tagged if not _is_column(root, t[1], -1, (0, ""))]
    nearest = max(own) if own else max(near) if near else max(tagged) if tagged else None
    # the <title> parts a heading tag confirms, longest first; then a headline-like line; then those
    # standing as a line of their own
    for candidates in (headings, plain):
        by_heading = {p: m for p in parts if (m := _matching(p, candidates, whole))}
        for part in sorted(by_heading, key=_weight, reverse=True):
            chosen = _nearest(by_heading[part], lines, end)
            if not _is_column(root, part, _index_of(lines, chosen, end), max(tagged) if tagged else None):
                return strip_site(chosen, names)
    line_set = {_norm(line) for line in lines[:end]}
    for part in sorted(parts, key=_weight, reverse=True):
        at = _index_of(lines, part, end)
        if _norm(part) in line_set and not _is_column(root, part, at, max(tagged) if tagged else None):
            return part
    if nearest is not None:
        return strip_site(nearest[1], names)
    if parts:
        return max(parts, key=_weight)
    return next((h for h, _ in headings + plain if len(h) >= _MIN_TITLE_CHARS), None)


_NOT_HEADLINE_RE = re.compile(
    r"[>»]|(?:19|20)\d{2}\s*[-/.年]|来源|作者|记者|编辑|发布|时间|日期|点击|浏览|阅读|字号|打印|分享|当前位置|http"
)
_SENTENCE_END = ("。", "；", "：", ":", "，", ",")


def _heading_lines(lines: list[str], body_start: int, names: list[str]) -> list[tuple[str, bool]]:
    """Lines just above the body that read as a headline: short, not a sentence, a byline or a
    breadcrumb (a forum's or a blog's headline is often a link to the post itself)."""
    found = []
    for i in range(max(0, body_start - _NEAR_BODY_LINES), min(len(lines), body_start + _EDGE_LINES)):
        line = lines[i]
        if i >= body_start and (len(line) > 60 or line.endswith((*_SENTENCE_END, "！", "？"))):
            break  # the body's text has begun
        if (
            len(split_title(line)) > 1
            or len(line) > 60
            or "。" in line  # a sentence (or a paragraph hard-wrapped mid-sentence)
            or _weight(line) < _MIN_TITLE_CHARS
            or line.endswith(_SENTENCE_END)
            or _NOT_HEADLINE_RE.search(line)
            or _is_site_part(line, names)
        ):
            continue
        found.append((line, False))
    return found


def _near(headings: list[tuple[str, bool]], lines: list[str], end: int) -> list[tuple[int, str]]:
    """(line index, heading) of the headings standing a few lines above ``end``."""
    return [
        (i, h)
        for h, _ in headings
        if _weight(h) >= _MIN_TITLE_CHARS
        and (i := _index_of(lines, h, end, end - _NEAR_BODY_LINES - 2)) is not None
    ]


def _weight(text: str) -> int:
    """How much a title part says: its hanzi plus its Latin words and numbers."""
    return len(_HANZI_RE.findall(text)) + len(_WORD_RE.findall(text))


def _matching(part: str, headings: list[tuple[str, bool]], whole: str) -> list[str]:
    """Headings that are ``part``: equal to it, holding it and held by the whole <title>, or a
    shortened form of it."""
    key = _norm(part)
    found = []
    for heading, _ in headings:
        norm = _norm(heading)
        if norm == key or (key in norm and norm in whole) or (norm in key and 2 * len(norm) >= len(key)):
            found.append(heading)
    return found


def _nearest(candidates: list[str], lines: list[str], end: int) -> str:
    """The candidate standing last above ``end`` (nearest the body), else the longest."""
    placed = [(i, h) for h in candidates if (i := _index_of(lines, h, end)) is not None]
    return max(placed)[1] if placed else max(candidates, key=len)


def _is_column(root: etree._Element, part: str, at: int | None, nearest: tuple[int, str] | None) -> bool:
    """A column (栏目) name: the text of a link on the page (the menu, the breadcrumb) while
    another heading stands between it (line ``at``) and the body."""
    if nearest is None or at is None or nearest[0] <= at or _weight(part) > _COLUMN_MAX:
        return False
    key = _norm(part)
    return any(_norm(a.text_content()) == key for a in root.iter("a"))


def site_from_title(root: etree._Element, title: str | None) -> str | None:
    """The site name glued to the title in ``<title>``: the far end from the title part."""
    page_title = clean_line(root.findtext(".//title") or "")
    parts = [p for p in split_title(page_title) if len(p) >= 2]
    if not title or len(parts) < 2 or title not in parts:
        return None
    return parts[-1] if parts.index(title) == 0 else parts[0]
