"""Find the documents a page links to (attachments), the way gov CMSs and WeChat link them.

This runs in the spider callback, on the reactor thread, for every page: a regex pass over the
raw HTML finds candidates, and the page is parsed only when body images may matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "tif", "tiff", "webp"})
# Where article bodies live on the platforms we archive: images there are images of documents.
# plain substring tests: a case-insensitive regex alternation costs milliseconds per page
_BODY_MARKERS = ("TRS_Editor", "TRS_UEDITOR", "trs_editor", "UCAP-CONTENT", "js_content", "zoom", "<article")
_BODY_CONTAINERS = (
    "//*[contains(@class,'TRS_Editor') or contains(@class,'TRS_UEDITOR') or contains(@class,'trs_editor')]"
    " | //*[@id='UCAP-CONTENT'] | //*[@id='js_content'] | //*[@id='zoom'] | //article"
)
# a, iframe, embed, object links; onclick="window.open('...')"; viewer?file=... parameters
_LINK_ATTR = re.compile(
    r"""<(a|iframe|embed|object)\b[^>]*?\s(?:href|src|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I
)
_WINDOW_OPEN = re.compile(r"""(?:window\.open|location\.href\s*=)\s*\(?\s*['"]([^'"]+)['"]""")


def _extension(url: str) -> str:
    path = url.split("#", 1)[0].split("?", 1)[0]
    tail = path.rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[-1].lower() if "." in tail else ""


def _raw_links(html: str) -> Iterator[tuple[str, str]]:
    """(tag, raw URL) for every link-like attribute, plus script-opened and viewer-wrapped URLs."""
    for match in _LINK_ATTR.finditer(html):
        tag, raw = match.group(1).lower(), unescape(match.group(2) or match.group(3) or match.group(4) or "")
        yield tag, raw
        if tag in ("iframe", "embed") and "?" in raw:
            for values in parse_qs(urlsplit(raw).query).values():
                yield tag, values[0]  # PDF viewers: viewer.html?file=/xxx.pdf
    for raw in _WINDOW_OPEN.findall(html):
        yield "a", raw


def _body_images(html: str) -> Iterable[str]:
    if not any(marker in html for marker in _BODY_MARKERS):
        return []
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    return [
        src
        for container in tree.xpath(_BODY_CONTAINERS)
        for img in container.iter("img")
        if (src := img.get("data-src") or img.get("src"))
    ]


def attachment_links(html: str, base_url: str, extensions: Iterable[str]) -> list[str]:
    """Absolute http(s) URLs of linked documents and body images, in page order, deduplicated."""
    wanted = {e.lower().lstrip(".") for e in extensions}
    documents = wanted - IMAGE_EXTENSIONS
    found: list[str] = []
    for tag, raw in _raw_links(html or ""):
        extension = _extension(raw.strip())
        # an image reached by a plain <a href> is a scan of a document; inline images are not
        if extension in documents or (extension in wanted and tag == "a"):
            found.append(urljoin(base_url, raw.strip()))
    found.extend(urljoin(base_url, src.strip()) for src in _body_images(html or ""))
    unique = dict.fromkeys(u for u in found if u.startswith(("http://", "https://")) and u != base_url)
    return list(unique)
