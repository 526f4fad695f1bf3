"""Read one report whatever its format: detect it (HTML, Markdown or plain text, PDF, DOCX),
refuse one past the size limits, and hand it to its reader (links, markdown, office)."""

from __future__ import annotations

from pipelines.documents.limits import check_report_size
from pipelines.documents.links import ParsedReport, ReportError, parse_html
from pipelines.documents.markdown import parse_markdown
from pipelines.documents.office import parse_docx, parse_pdf
from pipelines.extraction.decode import decode_body


# format detection --------------------------------------------------------------------------------
def detect_format(data: bytes, name: str = "", content_type: str | None = None) -> str:
    lowered, kind = name.lower().split("?", 1)[0], (content_type or "").lower()
    if data.startswith(b"%PDF-") or "pdf" in kind:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:4096] or lowered.endswith(".docx") or "wordprocessingml" in kind:
            return "docx"
        raise ReportError("a ZIP file that is not a Word (.docx) document")
    if lowered.endswith((".md", ".markdown", ".mdown")) or "markdown" in kind:
        return "markdown"
    head = data[:2048].lstrip().lower()
    if (
        "html" in kind
        or lowered.endswith((".html", ".htm", ".xhtml"))
        or head.startswith((b"<!doctype", b"<html"))
    ):
        return "html"
    if lowered.endswith((".txt", ".text")) or kind.startswith("text/") or _is_text(data):
        return "markdown"  # plain text: Markdown finds its bare URLs the same way
    raise ReportError("not HTML, Markdown, PDF or DOCX")


def _is_text(data: bytes) -> bool:
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data[:65536]


def parse_report(
    data: bytes, name: str = "", content_type: str | None = None, base_url: str | None = None
) -> ParsedReport:
    """Citations of a report; `name` (file name or URL) and `content_type` help detect the format,
    `base_url` resolves relative links (reports fetched from the web)."""
    check_report_size(len(data))
    fmt = detect_format(data, name, content_type)
    if fmt == "pdf":
        return parse_pdf(data)
    if fmt == "docx":
        return parse_docx(data)
    text = decode_body(data, content_type).text
    return parse_html(text, base_url) if fmt == "html" else parse_markdown(text)
