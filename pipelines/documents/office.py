"""Citations in PDF (link annotations and URLs in the text) and DOCX reports (hyperlink relations,
HYPERLINK fields, footnotes/endnotes, URLs in the text). No network; XML without entities (S-6)."""

from __future__ import annotations

import io
import re
from typing import Any

from lxml import etree

from pipelines.documents.limits import check_docx_expansion, check_pdf_objects
from pipelines.documents.links import Collector, ParsedReport, ReportError, source_kind, squeeze

_LINE_FOOTNOTE_RE = re.compile(r"^\s*\[?(\d{1,3})[\].)]?\s+\S")
_RECT_SLACK = 2.0  # points around a link rectangle that still count as its text
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_FIELD_RE = re.compile(r'HYPERLINK\s+"([^"]+)"', re.IGNORECASE)


# PDF ---------------------------------------------------------------------------------------------
def parse_pdf(data: bytes) -> ParsedReport:
    from pypdf import PdfReader  # noqa: PLC0415
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    check_pdf_objects(data)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReportError("the PDF is encrypted")
        collector = Collector()
        for page in reader.pages:
            fragments = _text_fragments(page)
            for url, rect in _link_annotations(page):
                collector.add(url, _text_in(fragments, rect), None, "link")
            for line in (page.extract_text() or "").splitlines():
                label = _LINE_FOOTNOTE_RE.match(line)
                collector.add_bare_urls(line, label.group(1) if label else None, line)
        title = reader.metadata.get("/Title") if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"unreadable PDF: {exc}") from exc
    return ParsedReport("pdf", squeeze(str(title)) if title else None, collector.result(), collector.skipped)


def _link_annotations(page: Any) -> list[tuple[str, list[float]]]:
    """(URI, rectangle) of each /Link annotation with a /URI action."""
    found: list[tuple[str, list[float]]] = []
    for reference in page.get("/Annots") or []:
        annotation = reference.get_object()
        action = annotation.get("/A")
        action = action.get_object() if action is not None else None
        if annotation.get("/Subtype") != "/Link" or not action or "/URI" not in action:
            continue
        uri = action["/URI"]
        url = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
        rect = [float(v) for v in annotation.get("/Rect") or [0, 0, 0, 0]]
        found.append((url, rect))
    return found


def _text_fragments(page: Any) -> list[tuple[float, float, str]]:
    """(x, y, text) of each text piece on the page, in default user space."""
    pieces: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return pieces


def _text_in(fragments: list[tuple[float, float, str]], rect: list[float]) -> str | None:
    x0, y0, x1, y1 = (
        min(rect[0], rect[2]),
        min(rect[1], rect[3]),
        max(rect[0], rect[2]),
        max(rect[1], rect[3]),
    )
    inside = [
        text
        for x, y, text in fragments
        if x0 - _RECT_SLACK <= x <= x1 + _RECT_SLACK and y0 - _RECT_SLACK <= y <= y1 + _RECT_SLACK
    ]
    return squeeze("".join(inside))


# DOCX --------------------------------------------------------------------------------------------
def safe_xml(blob: bytes) -> etree._Element:
    """Parse package XML with no entity expansion, no DTD loading and no network (S-6)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(blob, parser)


def parse_docx(data: bytes) -> ParsedReport:
    import docx  # noqa: PLC0415
    from docx.opc.exceptions import PackageNotFoundError  # noqa: PLC0415

    check_docx_expansion(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ReportError(f"unreadable DOCX: {exc}") from exc
    collector = Collector()
    for part in [document.part, *_note_parts(document)]:
        _collect_part(part, collector, footnotes=part is not document.part)
    title = document.core_properties.title or _first_heading(document)
    return ParsedReport("docx", squeeze(title), collector.result(), collector.skipped)


def _note_parts(document: Any) -> list[Any]:
    wanted = ("/word/footnotes.xml", "/word/endnotes.xml")
    return [p for p in document.part.package.iter_parts() if str(p.partname) in wanted]


def _collect_part(part: Any, collector: Collector, *, footnotes: bool) -> None:
    """Hyperlinks (with their text), HYPERLINK field codes and bare URLs of one package part."""
    targets = {rid: rel.target_ref for rid, rel in part.rels.items() if rel.reltype == HYPERLINK_REL}
    root = safe_xml(part.blob)
    note_tag = f"{{{W_NS}}}footnote" if "footnotes" in str(part.partname) else f"{{{W_NS}}}endnote"
    seen: set[str] = set()
    for paragraph in root.iter(f"{{{W_NS}}}p"):
        label = _note_label(paragraph, note_tag) if footnotes else None
        text = _paragraph_text(paragraph)
        for link in paragraph.iter(f"{{{W_NS}}}hyperlink"):
            rid = link.get(f"{{{R_NS}}}id") or ""
            if rid in targets:
                seen.add(rid)
                words = _text_of(link)
                before = text[: max(text.find(words), 0)] if words else ""
                kind = "source" if source_kind(words, before[-20:]) else "link"
                collector.add(targets[rid], words, label, kind, text)
        for instruction in paragraph.iter(f"{{{W_NS}}}instrText"):
            for url in _FIELD_RE.findall(instruction.text or ""):
                collector.add(url, None, label, "link", text)
        collector.add_bare_urls(text, label, text)
    for rid, target in targets.items():  # linked from outside paragraphs (shapes, pictures)
        if rid not in seen:
            collector.add(target, None, None, "link")


def _note_label(paragraph: etree._Element, note_tag: str) -> str | None:
    for ancestor in paragraph.iterancestors(note_tag):
        label = ancestor.get(f"{{{W_NS}}}id")
        return str(label) if label is not None else None
    return None


def _paragraph_text(paragraph: etree._Element) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{{{W_NS}}}t"))


def _text_of(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{W_NS}}}t"))


def _first_heading(document: Any) -> str | None:
    for paragraph in document.paragraphs:
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        if style.startswith(("Title", "Heading")) and paragraph.text.strip():
            return str(paragraph.text)
    return None
