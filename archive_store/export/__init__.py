"""What leaves the archive: WACZ 1.1.1 packages (select, build, sign, check), BagIt bags, the
citation manifests of report runs (citations), and pywb replay (replay, pywb_launch).

May import: every room of `archive_store` but `crawl`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from archive_store.export.bag import export_bag as export_bag
    from archive_store.export.citations import CSV_FIELDS as CSV_FIELDS
    from archive_store.export.citations import add_report as add_report
    from archive_store.export.citations import all_cited_urls as all_cited_urls
    from archive_store.export.citations import citations_of as citations_of
    from archive_store.export.citations import cited_by_json as cited_by_json
    from archive_store.export.citations import reports_of_run as reports_of_run
    from archive_store.export.citations import write_manifest as write_manifest
    from archive_store.export.replay import DEFAULT_PORT as DEFAULT_PORT
    from archive_store.export.replay import ReplayError as ReplayError
    from archive_store.export.replay import ReplayServer as ReplayServer
    from archive_store.export.wacz import ExportError as ExportError
    from archive_store.export.wacz import export_wacz as export_wacz
    from archive_store.export.waczcheck import check_wacz as check_wacz
    from archive_store.export.waczselect import ExportFilter as ExportFilter
    from archive_store.export.waczsign import SigningError as SigningError
    from archive_store.export.waczsign import public_key_der as public_key_der

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "bag": ["export_bag"],
        "citations": [
            "CSV_FIELDS",
            "add_report",
            "all_cited_urls",
            "citations_of",
            "cited_by_json",
            "reports_of_run",
            "write_manifest",
        ],
        "replay": ["DEFAULT_PORT", "ReplayError", "ReplayServer"],
        "wacz": ["ExportError", "export_wacz"],
        "waczcheck": ["check_wacz"],
        "waczselect": ["ExportFilter"],
        "waczsign": ["SigningError", "public_key_der"],
    },
)
