"""Which kind of document a body is: by its first bytes (and, inside a ZIP or OLE container, by
the parts it holds), then by its declared type. A `.doc` that is an HTML page is `html`, named so."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)
IMAGE_FORMATS = frozenset({"jpeg", "png", "gif", "webp", "tiff", "bmp"})
# what a URL's extension or a Content-Type says a document is
_EXTENSIONS = {
    "pdf": "pdf",
    "doc": "doc",
    "docx": "docx",
    "wps": "wps",
    "xls": "xls",
    "xlsx": "xlsx",
    "et": "et",
    "rtf": "rtf",
    "txt": "text",
    "csv": "text",
    "ofd": "ofd",
    "zip": "zip",
    "rar": "rar",
    "7z": "7z",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "gif": "gif",
    "webp": "webp",
    "tif": "tiff",
    "tiff": "tiff",
    "bmp": "bmp",
    "ppt": "ppt",
    "pptx": "pptx",
    "dps": "ppt",
}
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-works": "wps",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "text/plain": "text",
    "text/csv": "text",
    "application/ofd": "ofd",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-rar-compressed": "rar",
    "application/vnd.rar": "rar",
    "application/x-7z-compressed": "7z",
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tiff",
    "image/bmp": "bmp",
}
# what is read as a document at all: a declared type outside these (HTML, scripts, media) is not
DOCUMENT_KINDS = frozenset(_EXTENSIONS.values())


@dataclass(frozen=True)
class Sniffed:
    format: str  # what the bytes are: pdf, docx, doc, wps, xlsx, xls, et, ofd, rtf, text, html, zip …
    declared: str | None  # what the name or the Content-Type says


def declared_kind(name: str, content_type: str | None) -> str | None:
    """The document kind the URL's extension or the Content-Type names (None: neither names one)."""
    path = unquote(urlsplit(name).path if "://" in name else name)
    extension = posixpath.splitext(path)[1].lower().lstrip(".")
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    mime = (content_type or "").split(";")[0].strip().lower()
    return _CONTENT_TYPES.get(mime)


def sniff(data: bytes, name: str, content_type: str | None = None) -> Sniffed:
    declared = declared_kind(name, content_type)
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in head[:1024]:
        return Sniffed("pdf", declared)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return Sniffed(_zip_kind(data, declared), declared)
    if head.startswith(OLE_MAGIC):
        return Sniffed(_ole_kind(data, declared), declared)
    if stripped.startswith(b"{\\rtf"):
        return Sniffed("rtf", declared)
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return Sniffed(kind, declared)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("webp", declared)
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return Sniffed("7z", declared)
    if head.startswith(b"Rar!\x1a\x07"):
        return Sniffed("rar", declared)
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<meta", b"<head")) or (
        lowered.startswith(b"<?xml") and b"<html" in lowered
    ):
        return Sniffed("html", declared)
    if lowered.startswith(b"mime-version:") or b"multipart/related" in lowered[:300]:
        return Sniffed("mht", declared)
    if _looks_textual(head):
        return Sniffed("text", declared)
    return Sniffed("unknown", declared)


def _zip_kind(data: bytes, declared: str | None) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = {info.filename for info in package.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError):
        return "zip" if declared in (None, "zip") else declared
    if "word/document.xml" in names:
        return "wps" if declared == "wps" else "docx"
    if "xl/workbook.xml" in names:
        return "et" if declared == "et" else "xlsx"
    if "OFD.xml" in names or "ofd.xml" in {n.lower() for n in names}:
        return "ofd"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return "zip"


def _ole_kind(data: bytes, declared: str | None) -> str:
    import olefile  # noqa: PLC0415 (the worker's import, not the crawl's)

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir()}
    except (OSError, ValueError, IndexError, TypeError):
        return declared or "ole"
    if "worddocument" in streams:
        return "wps" if declared == "wps" else "doc"
    if "workbook" in streams or "book" in streams:
        return "et" if declared == "et" else "xls"
    if "powerpoint document" in streams:
        return "ppt"
    return declared or "ole"


def _looks_textual(head: bytes) -> bool:
    if not head or b"\x00" in head[:1024]:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 with its BOM
    controls = sum(1 for byte in head[:1024] if byte < 9 or 13 < byte < 32)
    return controls == 0
