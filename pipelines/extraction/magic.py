"""What a response body is by its first bytes, when its Content-Type is missing or wrong: a PDF,
an Office file (ZIP: DOCX/XLSX/OFD…, OLE: DOC/XLS/WPS), RTF or an image. Government sites serve
attachments as `application/octet-stream`, `text/html` or with no type at all; such a body is a
document (state ok, its text read by pipelines.doctext), not an empty or broken page."""

from __future__ import annotations

# first bytes -> kind; PDF may be preceded by a little junk (readers look in the first 1024 bytes)
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)


def document_magic(body: bytes | None) -> str | None:
    """The document kind the body's first bytes name (pdf, zip, ole, rtf, an image format), or None."""
    if not body:
        return None
    if b"%PDF-" in body[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "webp"
    return None
