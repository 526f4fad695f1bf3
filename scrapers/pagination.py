"""Column listings of Chinese government CMSs: article links with their dates, and the next page.

TRS static lists (``index.html``, ``index_1.html`` … counted by ``createPageHTML(count, current,
"index", "html")``), the Hanweb jpage data proxy (``dataproxy.jsp?startrecord=&endrecord=&perpage=``
answering ``<datastore>`` XML with CDATA ``<record>``s), and plain ``?page=N`` lists.
Pure functions: the spider does the fetching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from w3lib.url import add_or_replace_parameter

from pipelines.extraction.dates import parse_date, url_date
from scrapers.profiles import HanwebOptions

_ITEM_TAGS = ("li", "tr", "dd", "dt", "p", "td")
_ANCESTOR_STEPS = 3
_CREATE_PAGE_RE = re.compile(r"createPageHTML\s*\(([^)]{0,300})\)")
_ARG_RE = re.compile(r"""\s*(?:(\d+)|["']([^"']*)["']|([A-Za-z_$][\w$.]*))\s*""")
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL_RECORD_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)


@dataclass(frozen=True)
class ListedLink:
    url: str
    day: date | None  # the date the listing shows next to the link, else the URL's


@dataclass(frozen=True)
class TrsPager:
    count: int  # listing pages: index, index_1 … index_{count-1}
    name: str = "index"
    ext: str = "html"


def listed_links(html: str, base_url: str, pattern: re.Pattern[str]) -> list[ListedLink]:
    """Links whose absolute URL matches ``pattern``, in page order, once each."""
    try:
        root = lxml.html.fromstring(html) if html.strip() else None
    except (etree.ParserError, ValueError):
        return []
    if root is None:
        return []
    found: dict[str, ListedLink] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if url in found or not pattern.search(url):
            continue
        found[url] = ListedLink(url, _listed_day(anchor) or _url_day(url))
    return list(found.values())


def _listed_day(anchor: etree._Element) -> date | None:
    """The first date in the list item around the link, outside the link's own title."""
    title = anchor.text_content() if hasattr(anchor, "text_content") else ""
    node = anchor.getparent()
    for _ in range(_ANCESTOR_STEPS):
        if node is None:
            return None
        if node.tag in _ITEM_TAGS:
            text = node.text_content().replace(title, " ", 1)
            found = parse_date(text)
            return found.day if found else None
        node = node.getparent()
    return None


def _url_day(url: str) -> date | None:
    found = url_date(url)
    return found.day if found else None


# TRS ------------------------------------------------------------------------------------------
def trs_pager(html: str) -> TrsPager | None:
    """``createPageHTML(24, 0, "index", "html")`` (also with an element id first, a record count
    last, or variables: ``createPageHTML(countPage, currentPage, …)`` with ``var countPage = 24``).
    The first call whose page count can be read wins (the function's own definition cannot)."""
    for match in _CREATE_PAGE_RE.finditer(html):
        pager = _pager_from_args(match.group(1), html)
        if pager is not None:
            return pager
    return None


def _pager_from_args(args: str, html: str) -> TrsPager | None:
    """Arguments: [element id,] count, current, name, ext[, records]; count/current may be names."""
    slots: list[int | None] = []  # count, current
    texts_after: list[str] = []
    for arg in args.split(","):
        parsed = _ARG_RE.fullmatch(arg)
        if parsed is None:
            continue
        number, text, name = parsed.groups()
        if (number is not None or name is not None) and len(slots) < 2:
            slots.append(int(number) if number is not None else _js_number(name, html))
        elif text is not None and len(slots) == 2:
            texts_after.append(text)
    if len(slots) < 2 or slots[0] is None:
        return None
    name, ext = texts_after[:2] if len(texts_after) >= 2 else ("index", "html")
    return TrsPager(slots[0], name or "index", ext or "html")


def _js_number(name: str, html: str) -> int | None:
    """``var countPage = 24`` for ``createPageHTML(countPage, …)``."""
    value = re.search(rf"\b{re.escape(name)}\s*=\s*(\d+)", html)
    return int(value.group(1)) if value else None


def trs_page_url(start_url: str, number: int, pager: TrsPager) -> str:
    """Page 0 is the start URL itself; page N is ``<name>_N.<ext>`` beside it."""
    if number == 0:
        return start_url
    return urljoin(start_url, f"{pager.name}_{number}.{pager.ext}")


# Hanweb ---------------------------------------------------------------------------------------
def hanweb_page(start_url: str, options: HanwebOptions, number: int) -> tuple[str, dict[str, str] | None]:
    """(URL, form data or None for GET) of data-proxy page ``number`` (0-based)."""
    first = number * options.perpage + 1
    url = urljoin(start_url, options.proxy)
    for key, records in (
        ("startrecord", first),
        ("endrecord", first + options.perpage - 1),
        ("perpage", options.perpage),
    ):
        url = add_or_replace_parameter(url, key, str(records))
    if options.method == "GET":
        for key, value in options.form().items():
            url = add_or_replace_parameter(url, key, value)
        return url, None
    return url, options.form()


def hanweb_records(xml: str) -> tuple[str, int | None]:
    """The records' HTML joined, and ``<totalrecord>``. Read with regular expressions: the XML is
    never handed to an XML parser (no entity expansion from a server we do not control)."""
    records = "\n".join(_RECORD_RE.findall(xml))
    total = _TOTAL_RECORD_RE.search(xml)
    return f"<ul>{records}</ul>", int(total.group(1)) if total else None


# ?page=N --------------------------------------------------------------------------------------
def query_page_url(start_url: str, param: str, first_page: int, number: int) -> str:
    """Page 0 is the start URL as given; page N sets ``param`` to ``first_page + N``."""
    if number == 0:
        return start_url
    return add_or_replace_parameter(start_url, param, str(first_page + number))
