"""Word processors and spreadsheets: DOCX and WPS's zip form (python-docx), DOC and WPS's OLE form
(Debian's antiword, then catdoc), XLSX and ET's zip form (openpyxl), XLS and ET's OLE form (xlrd),
RTF (striprtf), plain text, and an HTML page saved under a document's name."""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pipelines.doctext.containers import open_zip
from pipelines.doctext.model import (
    CORRUPT,
    ENCRYPTED,
    TIMEOUT,
    UNSUPPORTED,
    Deadline,
    DocumentText,
    Limits,
    PageText,
    Skipped,
)
from pipelines.doctext.textclean import clean_text
from pipelines.doctext.wordbinary import word_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W_NS}}}"
_ROWS_PER_CHECK = 500


@functools.cache
def _package(name: str) -> str:
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return name


# DOCX --------------------------------------------------------------------------------------------
def read_docx(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    """Every paragraph of the body in document order, text boxes and table cells included (python-docx's
    Paragraph.text leaves text boxes out); a text box's fallback copy is read once."""
    import docx  # noqa: PLC0415
    from docx.opc.exceptions import PackageNotFoundError as NotADocx  # noqa: PLC0415

    doc.engines["text"] = _package("python-docx")
    open_zip(data, limits, "DOCX").close()
    try:
        document = docx.Document(io.BytesIO(data))
    except (NotADocx, KeyError, ValueError) as exc:
        raise Skipped(CORRUPT, f"not a readable DOCX ({exc})") from None
    lines: list[str] = []
    for number, paragraph in enumerate(document.element.body.iter(f"{_W}p")):
        if number % _ROWS_PER_CHECK == 0:
            deadline.check()
        if any(ancestor.tag == f"{{{MC_NS}}}Fallback" for ancestor in paragraph.iterancestors()):
            continue
        if paragraph.find(f".//{_W}txbxContent") is not None:
            own = "".join(_run_text(r) for r in paragraph.iter(f"{_W}r") if _owned_by(r, paragraph))
        else:
            own = "".join(_run_text(r) for r in paragraph.iter(f"{_W}r"))
        lines.append(own)
    doc.pages.append(PageText(1, clean_text("\n".join(lines), cjk_gaps=False), "layer"))


def _owned_by(run: Any, paragraph: Any) -> bool:
    """A run of this paragraph, not of a paragraph inside a text box it anchors."""
    parent = run.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag == f"{_W}p":
            return False
        parent = parent.getparent()
    return True


def _run_text(run: Any) -> str:
    parts: list[str] = []
    for child in run:
        if child.tag == f"{_W}t":
            parts.append(child.text or "")
        elif child.tag == f"{_W}tab":
            parts.append("\t")
        elif child.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


# XLSX, XLS, ET -----------------------------------------------------------------------------------
def read_xlsx(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    """One line per cell that holds something: `Sheet!B3<TAB>value`, sheet by sheet, row by row."""
    import openpyxl  # noqa: PLC0415

    doc.engines["text"] = _package("openpyxl")
    open_zip(data, limits, "spreadsheet").close()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parts raise
        raise Skipped(CORRUPT, f"not a readable XLSX ({type(exc).__name__})") from None
    try:
        for number, sheet in enumerate(workbook.worksheets, 1):
            lines: list[str] = []
            for row_number, row in enumerate(sheet.iter_rows(), 1):
                if row_number % _ROWS_PER_CHECK == 0:
                    deadline.check()
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is not None and str(value).strip():
                        lines.append(f"{sheet.title}!{cell.coordinate}\t{_cell(value)}")
            doc.pages.append(
                PageText(number, clean_text("\n".join(lines), cjk_gaps=False), "layer", note=sheet.title)
            )
    finally:
        workbook.close()


def _cell(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\r\n", " ").replace("\n", " ").strip()


def read_xls(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    import xlrd  # noqa: PLC0415

    doc.engines["text"] = _package("xlrd")
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise Skipped(ENCRYPTED, "the workbook needs a password") from None
        raise Skipped(CORRUPT, f"not a readable XLS ({exc})") from None
    except (OSError, ValueError, IndexError, KeyError, AssertionError) as exc:
        raise Skipped(CORRUPT, f"not a readable XLS ({type(exc).__name__})") from None
    try:
        for number in range(book.nsheets):
            sheet = book.sheet_by_index(number)
            lines: list[str] = []
            for row in range(sheet.nrows):
                if row % _ROWS_PER_CHECK == 0:
                    deadline.check()
                for column, value in enumerate(sheet.row_values(row)):
                    if value not in ("", None) and str(value).strip():
                        lines.append(f"{sheet.name}!{xlrd.cellname(row, column)}\t{_xls_cell(value)}")
            doc.pages.append(
                PageText(number + 1, clean_text("\n".join(lines), cjk_gaps=False), "layer", note=sheet.name)
            )
            book.unload_sheet(number)
    finally:
        book.release_resources()


def _xls_cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cell(value)


# DOC, WPS (OLE) ----------------------------------------------------------------------------------
def read_word_binary(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    """Word 97-2003 (and Kingsoft Writer's OLE files, which keep Word's WordDocument stream): the
    piece table read by `wordbinary`; else antiword, then catdoc (Debian tools), on a private
    temporary copy (no name taken from the URL)."""
    problems: list[str] = []
    try:
        text = clean_text(word_text(data), cjk_gaps=False)
    except Skipped as skipped:
        if skipped.reason == ENCRYPTED:
            raise
        problems.append(f"piece table: {skipped.detail}")
    else:
        if text:
            doc.engines["text"] = f"sourcekeeper Word 97 piece-table reader ({_package('olefile')})"
            doc.pages.append(PageText(1, text, "layer"))
            return
        problems.append("piece table: no text")
    tools = [
        t
        for t in (("catdoc", "-d", "utf-8", "-w"), ("antiword", "-m", "UTF-8.txt", "-w", "0"))
        if shutil.which(t[0])
    ]
    if not tools:
        raise Skipped(
            UNSUPPORTED, "; ".join([*problems, "antiword and catdoc (Debian packages) are not installed"])
        )
    with tempfile.TemporaryDirectory(prefix="doctext-") as folder:
        path = Path(folder) / "document.doc"
        path.write_bytes(data)
        for tool in tools:
            try:
                out = subprocess.run(
                    [*tool, str(path)], capture_output=True, timeout=max(deadline.left(), 0.1), check=False
                )
            except subprocess.TimeoutExpired:
                raise Skipped(TIMEOUT, f"{tool[0]} did not finish within {deadline.seconds:g} s") from None
            text = clean_text(out.stdout.decode("utf-8", "replace"), cjk_gaps=False)
            if out.returncode == 0 and text:
                doc.engines["text"] = _tool_version(tool[0])
                doc.pages.append(PageText(1, text, "layer"))
                return
            problems.append(f"{tool[0]}: {out.stderr.decode('utf-8', 'replace').strip()[:200] or 'no text'}")
    raise Skipped(CORRUPT, "; ".join(problems))


@functools.cache
def _tool_version(tool: str) -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", tool],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return tool
    return f"{tool} {out.stdout.strip()}" if out.returncode == 0 and out.stdout.strip() else tool


# RTF, text, HTML ---------------------------------------------------------------------------------
_ANSICPG_RE = re.compile(rb"\\ansicpg(\d+)")


def read_rtf(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    """striprtf, with the code page the RTF declares (\\ansicpg936 for GBK) for its \\'xx bytes."""
    from striprtf.striprtf import rtf_to_text  # noqa: PLC0415

    doc.engines["text"] = _package("striprtf")
    codepage = _ANSICPG_RE.search(data[:4096])
    encoding = (
        {b"936": "gb18030", b"950": "big5"}.get(codepage.group(1), "cp" + codepage.group(1).decode())
        if codepage
        else "cp1252"
    )
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")  # type: ignore[no-untyped-call]
    except (ValueError, IndexError, KeyError) as exc:
        raise Skipped(CORRUPT, f"not a readable RTF ({type(exc).__name__})") from None
    doc.pages.append(PageText(1, clean_text(text, cjk_gaps=False), "layer"))


def read_text(data: bytes, content_type: str | None, doc: DocumentText) -> None:
    from pipelines.extraction.decode import decode_body  # noqa: PLC0415

    decoded = decode_body(data, content_type)
    doc.engines["text"] = f"charset {decoded.used_charset} ({decoded.charset_source})"
    doc.pages.append(PageText(1, clean_text(decoded.text, cjk_gaps=False), "layer"))


def read_html(data: bytes, content_type: str | None, doc: DocumentText) -> None:
    """An HTML page under a document's name (Word's "save as web page" kept as .doc is common on
    government sites): its visible text, scripts and styles left out."""
    import lxml.html  # noqa: PLC0415
    from lxml import etree  # noqa: PLC0415

    from pipelines.extraction.decode import decode_body  # noqa: PLC0415

    decoded = decode_body(data, content_type)
    doc.engines["text"] = f"lxml {etree.__version__} (HTML)"
    try:
        root = lxml.html.document_fromstring(decoded.text)
    except (etree.ParserError, ValueError) as exc:
        raise Skipped(CORRUPT, f"not readable as HTML ({exc})") from None
    for element in root.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    for element in root.xpath("//title|//br|//p|//div|//tr|//li|//h1|//h2|//h3|//h4|//table"):
        element.tail = "\n" + (element.tail or "")
    doc.pages.append(PageText(1, clean_text(root.text_content(), cjk_gaps=False), "layer"))
