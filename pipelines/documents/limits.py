"""Limits on the reports `archive --from-report` reads: hostile input must end as a clear error,
never as minutes of parsing or gigabytes of memory (issue 16).

- A report file or fetched report larger than ARCHIVE_REPORT_MAX_MB (environment; default 64)
  is not parsed: the largest real reports seen are a few MB, and a 200 MB HTML file took lxml
  over two minutes and 900 MB here.
- A DOCX whose XML parts would expand past the same limit is refused before python-docx reads
  them (a zip bomb: a few hundred KB that inflate to gigabytes). Media parts are not read.
"""

from __future__ import annotations

import io
import os
import zipfile

from pipelines.documents.links import ReportError

_DEFAULT_MAX_MB = 64
# pypdf reads a PDF's objects one by one: a million tiny ones took 30 s and 360 MB here and gave
# nothing; real reports of hundreds of pages have tens of thousands
MAX_PDF_OBJECTS = 500_000


def report_max_bytes() -> int:
    try:
        megabytes = float(os.environ.get("ARCHIVE_REPORT_MAX_MB", _DEFAULT_MAX_MB))
    except ValueError:
        megabytes = _DEFAULT_MAX_MB
    return int(megabytes * 1024 * 1024)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_report_size(size: int) -> None:
    limit = report_max_bytes()
    if size > limit:
        raise ReportError(
            f"the report is {_mb(size)}; reports over {_mb(limit)} are not read "
            "(set ARCHIVE_REPORT_MAX_MB to raise the limit)"
        )


def check_pdf_objects(data: bytes) -> None:
    count = data.count(b" obj")
    if count > MAX_PDF_OBJECTS:
        raise ReportError(
            f"the PDF has {count:,} objects; more than {MAX_PDF_OBJECTS:,} are not read "
            "(real reports have far fewer: is this one built to stall readers?)"
        )


def check_docx_expansion(data: bytes) -> None:
    """Refuse a DOCX whose XML parts declare more than the limit once inflated. zipfile never
    inflates a member past its declared size, so the declared sizes bound what is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ReportError(f"unreadable DOCX: {exc}") from exc
    expanded = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    limit = report_max_bytes()
    if expanded > limit:
        raise ReportError(
            f"the DOCX's text parts expand to {_mb(expanded)} from {_mb(len(data))} "
            f"(a zip bomb?); over {_mb(limit)} is not read"
        )
