"""Reading input documents into URLs: seed lists (seeds) and the reports whose citations are
archived — HTML, Markdown, PDF and DOCX (links, markdown, office).

May import: `pipelines.extraction` only.

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.documents.links import CitedLink as CitedLink
    from pipelines.documents.links import ParsedReport as ParsedReport
    from pipelines.documents.links import ReportError as ReportError
    from pipelines.documents.links import parse_report as parse_report
    from pipelines.documents.seeds import SeedError as SeedError
    from pipelines.documents.seeds import check_url as check_url
    from pipelines.documents.seeds import parse_seeds as parse_seeds
    from pipelines.documents.seeds import read_seed_file as read_seed_file

_PUBLIC = {
    "CitedLink": "pipelines.documents.links",
    "ParsedReport": "pipelines.documents.links",
    "ReportError": "pipelines.documents.links",
    "SeedError": "pipelines.documents.seeds",
    "check_url": "pipelines.documents.seeds",
    "parse_report": "pipelines.documents.links",
    "parse_seeds": "pipelines.documents.seeds",
    "read_seed_file": "pipelines.documents.seeds",
}

__all__ = [
    "CitedLink",
    "ParsedReport",
    "ReportError",
    "SeedError",
    "check_url",
    "parse_report",
    "parse_seeds",
    "read_seed_file",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
