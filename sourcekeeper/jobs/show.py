"""`show`: the fields of one capture, as the command prints them and as `show --json` gives them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sourcekeeper.urltext import shown

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex

SHOW_FIELDS = (
    "url",
    "captured_at",
    "http_status",
    "state",
    "title",
    "date",
    "document_date",
    "source",
    "author",
    "site",
    "text",
    "charset",
    "warc_file",
    "warc_offset",
    "warc_length",
    "record_id",
    "payload_digest",
)


def capture_fields(index: ArchiveIndex, capture: Any) -> dict[str, Any]:
    from archive_store.crawl.render.records import rendered_for  # noqa: PLC0415
    from archive_store.export.citations import cited_by_json  # noqa: PLC0415
    from archive_store.index.facts import facts_json  # noqa: PLC0415
    from archive_store.index.origins import origin_of  # noqa: PLC0415
    from archive_store.index.pagemedia import page_media  # noqa: PLC0415

    page = index.page_for(capture.id)
    return {
        "url": capture.url,
        "captured_at": capture.captured_at.isoformat() + "Z",
        "http_status": capture.http_status,
        "state": capture.state,
        "title": page.title if page else None,
        "date": page.date if page else None,
        "document_date": page.document_date if page else None,
        "source": page.source if page else None,
        "author": page.author if page else None,
        "site": page.site if page else None,
        "text": page.text if page else "",
        "charset": page.charset if page else None,
        "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset,
        "warc_length": capture.warc_length,
        "record_id": capture.record_id,
        "payload_digest": capture.payload_digest,
        "record_type": capture.record_type,
        "truncated": capture.truncated,
        "cited_by": cited_by_json(index, capture.url),  # reports citing the URL (--from-report)
        "rendered": bool(rendered_for(index, capture.id)),  # loaded in Chromium (issue 14)
        **origin_of(index, capture.id),  # own, or a third party's copy (import, recover)
        "tls": facts_json(index, capture.record_id),  # protocol, cipher, chain (HTTPS only)
        "media": page_media(index, capture),  # video/audio/streams fetched from the page
        **document_fields(page),  # a PDF, DOCX, OFD, scan …: how its text was read
        **identity_fields(index, capture, page),  # kind, linking page, 文号 …, a page's documents
    }


DOCUMENT_FIELDS = ("text_source", "pages", "ocr_confidence", "text_skipped")


def document_fields(page: Any) -> dict[str, Any]:
    """`kind` (page | document) and, for a document, how its text was read: `text_source` layer |
    ocr | mixed, `pages`, `ocr_confidence` (mean over its OCR'd pages, 0-100) and `text_skipped`
    (why there is no text, or not all of it: encrypted, corrupt, too-large, timeout …)."""
    kind = getattr(page, "kind", None) or "page"
    return {
        "kind": kind,
        "text_source": page.text_source if page is not None else None,
        "pages": page.page_count if page is not None else None,
        "ocr_confidence": page.ocr_confidence if page is not None else None,
        "text_skipped": page.text_skipped if page is not None else None,
    }


IDENTITY_FIELDS = ("doc_number", "issuer", "index_number", "published_date", "topic")


def identity_fields(index: ArchiveIndex, capture: Any, page: Any) -> dict[str, Any]:
    """`kind` (page or document), a document's `page_url` (the page linking it), the government
    document identity (文号, issuer, 索引号, 发布日期, 主题分类), and a page's `documents`."""
    from archive_store.index.pagedocs import page_documents  # noqa: PLC0415
    from archive_store.index.search import hit_kind  # noqa: PLC0415

    kind = hit_kind(page.kind if page else None, capture.content_type)
    return {
        "kind": kind,
        "page_url": capture.parent_url if kind == "document" else None,
        **{name: getattr(page, name, None) if page else None for name in IDENTITY_FIELDS},
        "documents": page_documents(index, capture) if kind == "page" else [],
    }


def document_lines(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines of `show`: the identity fields a capture has, the page linking a
    document, and each document of a page with what is known of its text."""
    from archive_store.index.pagedocs import document_note  # noqa: PLC0415

    lines = [(name, str(fields[name])) for name in IDENTITY_FIELDS if fields.get(name)]
    if fields.get("page_url"):
        lines.append(("linked from", shown(fields["page_url"])))
    for entry in fields.get("documents") or []:
        number = f" {entry['doc_number']}" if entry.get("doc_number") else ""
        name = f" “{entry['name']}”" if entry.get("name") else ""
        lines.append(("document", f"{shown(entry['url'])}{name} — {document_note(entry)}{number}"))
    return lines


def third_party_line(fields: dict[str, Any]) -> str:
    """How `show` names a copy that is not ours (issue 17)."""
    if fields.get("origin_via") == "import":
        source = fields.get("imported_from") or {}
        return f"third-party copy, imported from {source.get('file')} (sha256 {source.get('sha256')})"
    return (
        f"third-party copy from {fields.get('memento_archive')}: memento {shown(fields.get('memento_url'))} "
        f"of {fields.get('memento_datetime')}"
    )
