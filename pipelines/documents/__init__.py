"""Reading input documents into URLs: seed lists (seeds) and the reports whose citations are
archived — HTML, Markdown, PDF and DOCX (report picks the reader: links, markdown, office).

May import: `pipelines.extraction` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from pipelines.documents.links import CitedLink as CitedLink
    from pipelines.documents.links import ParsedReport as ParsedReport
    from pipelines.documents.links import ReportError as ReportError
    from pipelines.documents.report import parse_report as parse_report
    from pipelines.documents.seeds import SeedError as SeedError
    from pipelines.documents.seeds import check_url as check_url
    from pipelines.documents.seeds import parse_seeds as parse_seeds
    from pipelines.documents.seeds import read_seed_file as read_seed_file
    from pipelines.documents.seeds import read_seed_files as read_seed_files
    from pipelines.documents.seeds import scheme_hint as scheme_hint

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "links": ["CitedLink", "ParsedReport", "ReportError"],
        "report": ["parse_report"],
        "seeds": [
            "SeedError",
            "check_url",
            "parse_seeds",
            "read_seed_file",
            "read_seed_files",
            "scheme_hint",
        ],
    },
)
