"""Reading the text of archived documents: PDF (text layer, OCR of scanned pages), DOCX, DOC, WPS,
XLSX, XLS, ET, RTF, OFD, plain text, images (OCR) and archives of them (read), in worker processes
under a memory and a time limit (workers), with a named outcome for every document that cannot be
read (model).

May import: `pipelines.extraction` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from pipelines.doctext.model import REASONS as REASONS
    from pipelines.doctext.model import DocumentText as DocumentText
    from pipelines.doctext.model import Limits as Limits
    from pipelines.doctext.model import PageText as PageText
    from pipelines.doctext.read import read_document as read_document
    from pipelines.doctext.sniff import DOCUMENT_KINDS as DOCUMENT_KINDS
    from pipelines.doctext.sniff import IMAGE_FORMATS as IMAGE_FORMATS
    from pipelines.doctext.sniff import declared_kind as declared_kind
    from pipelines.doctext.sniff import sniff as sniff
    from pipelines.doctext.workers import DocumentJob as DocumentJob
    from pipelines.doctext.workers import ReaderPool as ReaderPool

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "model": ["REASONS", "DocumentText", "Limits", "PageText"],
        "read": ["read_document"],
        "sniff": ["DOCUMENT_KINDS", "IMAGE_FORMATS", "declared_kind", "sniff"],
        "workers": ["DocumentJob", "ReaderPool"],
    },
)
