"""OFD (GB/T 33190-2016, China's fixed-layout format): a ZIP of XML parts. OFD.xml names each
document's root (DocBody/DocRoot); its Document.xml lists the pages in order (Pages/Page@BaseLoc);
each page's Content.xml holds TextObjects whose TextCode elements carry the text. No maintained
Python reader of the text exists (the packages on PyPI convert OFD to PDF or images), so this one
reads just that: the text objects of every page, in page order, a new line where the baseline
moves. Parsed without entities or network access (S-6)."""

from __future__ import annotations

import posixpath
import zipfile
from typing import Any

from lxml import etree

from pipelines.doctext.containers import open_zip
from pipelines.doctext.model import CORRUPT, TOO_LARGE, Deadline, DocumentText, Limits, PageText, Skipped
from pipelines.doctext.textclean import clean_text

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_MAX_PART = 64 * 1024 * 1024


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _first(element: Any, *path: str) -> Any:
    for name in path:
        found = _children(element, name)
        if not found:
            return None
        element = found[0]
    return element


class _Package:
    def __init__(self, package: zipfile.ZipFile) -> None:
        self.package = package
        self.names = {info.filename.lower(): info.filename for info in package.infolist()}

    def xml(self, path: str) -> Any:
        name = self.names.get(path.lstrip("/").lower())
        if name is None:
            raise Skipped(CORRUPT, f"the OFD names a part it does not hold ({path})")
        info = self.package.getinfo(name)
        if info.file_size > _MAX_PART:
            raise Skipped(TOO_LARGE, f"the OFD part {path} is {info.file_size:,} bytes")
        try:
            return etree.fromstring(self.package.read(name), _PARSER)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError, OSError) as exc:
            raise Skipped(CORRUPT, f"the OFD part {path} is not readable XML ({exc})") from None


def _resolve(base_dir: str, location: str) -> str:
    """A location inside the package: absolute from the package root ("/Doc_0/…"), else relative."""
    location = location.strip().replace("\\", "/")
    joined = location if location.startswith("/") else posixpath.join(base_dir, location)
    return posixpath.normpath(joined).lstrip("/")


def read_ofd(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    doc.engines["text"] = "sourcekeeper OFD reader (GB/T 33190 text objects, lxml)"
    with open_zip(data, limits, "OFD") as package:
        parts = _Package(package)
        root = parts.xml("OFD.xml")
        pages: list[str] = []
        for body in _children(root, "DocBody"):
            doc_root = _first(body, "DocRoot")
            if doc_root is None or not (doc_root.text or "").strip():
                continue
            document_path = _resolve("", doc_root.text)
            document = parts.xml(document_path)
            document_dir = posixpath.dirname(document_path)
            listed = _first(document, "Pages")
            for page in _children(listed if listed is not None else document, "Page"):
                pages.append(_resolve(document_dir, page.get("BaseLoc") or ""))
        if not pages:
            raise Skipped(CORRUPT, "the OFD lists no pages")
        doc.page_count = len(pages)
        if len(pages) > limits.max_pages:
            raise Skipped(TOO_LARGE, f"{len(pages):,} pages, over the limit of {limits.max_pages:,}")
        for number, page_path in enumerate(pages, 1):
            deadline.check()
            content = parts.xml(page_path)
            doc.pages.append(PageText(number, clean_text(_page_text(content)), "layer"))


def _page_text(content: Any) -> str:
    """The TextCode strings of the page's text objects in the order they are stored, on a new line
    when the baseline moves by more than half the font size."""
    out: list[str] = []
    last_y: float | None = None
    for text_object in content.iter():
        if _local(text_object) != "TextObject":
            continue
        boundary = (text_object.get("Boundary") or "0 0 0 0").split()
        try:
            top = float(boundary[1])
            size = float(text_object.get("Size") or 3.5)
        except (ValueError, IndexError):
            top, size = 0.0, 3.5
        for code in _children(text_object, "TextCode"):
            text = code.text or ""
            if not text:
                continue
            try:
                y = top + float(code.get("Y") or 0)
            except ValueError:
                y = top
            if last_y is not None and abs(y - last_y) > size / 2:
                out.append("\n")
            out.append(text)
            last_y = y
    return "".join(out)
