"""Attachment links (公告附件: pdf/doc/xls/wps/ofd …) and body images, as absolute URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from lxml import etree

from pipelines.extraction.htmltext import inline_text, tag_of

_ATTACHMENT_EXT_RE = re.compile(
    r"\.(pdf|docx?|xlsx?|wps|et|dps|ofd|zip|rar|7z|txt|pptx?|csv|ceb)$", re.IGNORECASE
)
_FILE_PARAMS = ("file", "filename", "url", "src", "path", "filepath", "fileurl")
_JS_URL_RE = re.compile(r"""(?:window\.open|location\.href\s*=|download\w*)\s*\(?\s*['"]([^'"]+)['"]""")
_MAYBE_DOCUMENT_RE = re.compile(
    r"\.(?:pdf|docx?|xlsx?|wps|et|dps|ofd|zip|rar|7z|txt|pptx?|csv|ceb)\b", re.IGNORECASE
)
_VIEWER_PATH_RE = re.compile(r"viewer|pdfjs|preview|\.s?html?$", re.IGNORECASE)
_IMAGE_ATTRS = ("data-src", "data-original", "data-lazy-src", "src")


def _absolute(base: str, href: str | None) -> str | None:
    """Resolve ``href`` against the article URL; None for empty, anchors, js: and data: links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "data:", "mailto:", "about:")):
        return None
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def _is_attachment(url: str) -> bool:
    path = unquote(urlsplit(url).path)
    return bool(_ATTACHMENT_EXT_RE.search(path))


def _viewer_target(base: str, url: str) -> str | None:
    """The document behind a viewer URL such as ``/pdfjs/web/viewer.html?file=/a/b.pdf``.

    A download endpoint (``downfile.jsp?filename=a.pdf``) is itself the thing to fetch, so only
    HTML viewer pages are looked through.
    """
    split = urlsplit(url)
    if not _VIEWER_PATH_RE.search(split.path):
        return url if _file_param(base, url) else None
    return _file_param(base, url)


def _file_param(base: str, url: str) -> str | None:
    """Absolute document URL named by a file=/filename=/url= parameter, if any."""
    query = parse_qs(urlsplit(url).query)
    for key in _FILE_PARAMS:
        for value in query.get(key, []):
            target = _absolute(url, unquote(value)) or _absolute(base, value)
            if target and _is_attachment(target):
                return target
    return None


def _document_urls(base: str, node: etree._Element) -> list[str]:
    """Documents an element points at: direct links, viewer targets, window.open() calls."""
    raw = [node.get(attr) for attr in ("href", "src", "data", "data-src", "data-url")]
    raw += _JS_URL_RE.findall(node.get("onclick") or "")
    urls = []
    for value in raw:
        if not value or not _MAYBE_DOCUMENT_RE.search(value):
            continue  # cheap test first: pages can carry 100k ordinary links
        url = _absolute(base, value)
        if url is None:
            continue
        document = url if _is_attachment(url) else _viewer_target(base, url)
        if document:
            urls.append(document)
    return urls


def find_attachments(root: etree._Element, base: str) -> list[dict[str, str]]:
    """Every linked or embedded document, once, with the link text (or ``download`` name)."""
    seen: set[str] = set()
    found: list[dict[str, str]] = []
    for node in root.iter("a", "iframe", "embed", "object"):
        for url in _document_urls(base, node):
            if url in seen:
                continue
            seen.add(url)
            name = (node.get("download") or "").strip() if tag_of(node) == "a" else ""
            name = name or inline_text(node) or (node.get("title") or "").strip()
            name = name or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            found.append({"url": url, "name": name})
    return found


def find_images(body: etree._Element | None, base: str) -> list[str]:
    """Absolute image URLs inside the body; lazy ``data-src`` (WeChat) preferred over ``src``."""
    if body is None:
        return []
    images: list[str] = []
    for img in body.iter("img"):
        for attr in _IMAGE_ATTRS:
            url = _absolute(base, img.get(attr))
            if url:
                if url not in images:
                    images.append(url)
                break
    return images
