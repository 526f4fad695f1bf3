"""The documents of an archived page as the index knows them: for `show` (`documents`), the
report and `export wacz`.

A page's documents are the captures its fetch led to (`parent_url`, same run) that are documents — a row of
kind "document" holds their text, or their body is not a web page, an image, a script or media —
and the attachment links its extraction found (`attachments` of its page row), captured or not.
Each one once, by URL: its newest capture. With the text's size, where the text came from, why
there is none (`text_skipped`) and its 文号.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from archive_store.index.lookup import normalise_url, url_variants
from archive_store.index.schema import Capture, Failure, Page

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex

# bodies that are never a page's documents unless a document row says otherwise (an OCR'd image)
_NOT_DOCUMENTS = ("text/html", "application/xhtml", "text/css", "image/", "video/", "audio/")
_NOT_DOCUMENT_TYPES = (
    "javascript",
    "ecmascript",
    "json",
    "mpegurl",
    "dash+xml",
    "font",
    "woff",
    "x-icon",
)
_TYPES = {
    "pdf": "pdf",
    "doc": "word",
    "docx": "word",
    "wps": "word",
    "rtf": "word",
    "xls": "spreadsheet",
    "xlsx": "spreadsheet",
    "et": "spreadsheet",
    "csv": "spreadsheet",
    "ofd": "ofd",
    "zip": "archive",
    "rar": "archive",
    "7z": "archive",
    "txt": "text",
    "ppt": "presentation",
    "pptx": "presentation",
    "dps": "presentation",
    "ceb": "ceb",
}
_MEDIA_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/ofd": "ofd",
    "application/zip": "archive",
    "text/plain": "text",
}


def document_type(url: str, content_type: str | None) -> str:
    """pdf, word, spreadsheet, ofd, archive, text, presentation, image … by the media type, else
    the URL's extension; "other" when neither tells."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _MEDIA_TYPES:
        return _MEDIA_TYPES[media]
    if media.startswith("image/"):
        return "image"
    tail = unquote(urlsplit(url).path).rsplit("/", 1)[-1].lower()
    extension = tail.rsplit(".", 1)[-1] if "." in tail else ""
    return _TYPES.get(extension, "other")


def _is_document(capture: Capture, page: Page | None) -> bool:
    if page is not None and page.kind == "document":
        return True
    media = (capture.content_type or "").split(";")[0].strip().lower()
    if not media:
        return document_type(capture.url, None) != "other"
    return not media.startswith(_NOT_DOCUMENTS) and not any(t in media for t in _NOT_DOCUMENT_TYPES)


def _attachment_links(page: Page | None) -> list[dict[str, str]]:
    if page is None or not page.metadata_json:
        return []
    try:
        found = json.loads(page.metadata_json).get("attachments") or []
    except (ValueError, AttributeError):
        return []
    return [a for a in found if isinstance(a, dict) and isinstance(a.get("url"), str)]


def page_documents(index: ArchiveIndex, capture: Capture) -> list[dict[str, Any]]:
    """url, name, kind, type, captured, http_status, text_chars, text_source, text_skipped,
    doc_number of each document of the page `capture` shows, in the order the page links them
    (then the others, in the order they were fetched)."""
    page = index.page_for(capture.id)
    links = _attachment_links(page)
    query = select(Capture).where(Capture.parent_url.in_(url_variants(capture.url)))
    if capture.run_id is not None:  # what the fetch shown led to (and the run's index finds it)
        query = query.where(Capture.run_id == capture.run_id)
    with index.session() as s:
        children = list(s.scalars(query.order_by(Capture.captured_at, Capture.id)))
    newest: dict[str, Capture] = {}
    for fetched in children:
        if fetched.url != capture.url:
            newest[fetched.url] = fetched  # later captures replace earlier ones
    names = {normalise_url(link["url"]): link.get("name") or None for link in links}
    order = list(dict.fromkeys([*names, *newest]))
    documents: list[dict[str, Any]] = []
    for url in order:
        child = newest.get(url)
        text = index.page_for(child.id) if child is not None else None  # a revisit: its original's
        if child is not None and url not in names and not _is_document(child, text):
            continue  # an image, a style sheet, a frame: not a document
        documents.append(_entry(index, url, names.get(url), child, text))
    return documents


def _entry(
    index: ArchiveIndex, url: str, name: str | None, child: Capture | None, text: Page | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "url": url,
        "name": name,
        "kind": "document" if text is None or text.kind == "document" else "page",
        "type": document_type(url, child.content_type if child else None),
        "captured": child is not None,
        "http_status": child.http_status if child else None,
        "text_chars": len(text.text or "") if text is not None else None,
        "text_source": text.text_source if text is not None else None,
        "text_skipped": text.text_skipped if text is not None else None,
        "doc_number": text.doc_number if text is not None else None,
        "capture_id": child.id if child else None,
    }
    if child is None:
        entry["fetch_failure"] = _failure(index, url)
    return entry


def _failure(index: ArchiveIndex, url: str) -> str | None:
    """Why a linked document was not captured, when a fetch of it failed."""
    with index.session() as s:
        row = s.scalars(
            select(Failure).where(Failure.url == url, Failure.kind == "final").order_by(Failure.id.desc())
        ).first()
        return row.reason if row is not None else None


def document_note(entry: dict[str, Any]) -> str:
    """What is known of a document's text, in words: its size and source, why there is none, or
    that it was not captured."""
    if not entry["captured"]:
        failure = entry.get("fetch_failure")
        return f"not captured: {failure}" if failure else "not captured"
    if entry["text_skipped"]:
        return f"no text: {entry['text_skipped']}"
    if entry["text_chars"] is None:
        status = entry["http_status"]
        return "no text read yet" if status == 200 else f"HTTP {status}, no text"
    source = f", {entry['text_source']}" if entry["text_source"] else ""
    return f"{entry['text_chars']:,} characters of text{source}"


def attachment_names(pages: Iterable[Page]) -> dict[str, str]:
    """Document URL -> the text of the link to it, over the attachment links of some pages."""
    names: dict[str, str] = {}
    for page in pages:
        for link in _attachment_links(page):
            if link.get("name"):
                names.setdefault(normalise_url(link["url"]), str(link["name"]))
    return names


def document_title(url: str, page: Page, names: dict[str, str]) -> str:
    """What names a document where a title is shown (a WACZ page list, the report): its title,
    else the link text the page gave it, else its file name; with its 文号 in front."""
    name = page.title or names.get(url) or unquote(urlsplit(url).path).rsplit("/", 1)[-1] or url
    if page.doc_number and page.doc_number not in name:
        return f"{page.doc_number} {name}"
    return name
