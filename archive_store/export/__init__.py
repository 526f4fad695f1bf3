"""What leaves the archive: WACZ 1.1.1 packages (select, build, sign, check), BagIt bags, the
citation manifests of report runs (citations), and pywb replay (replay, pywb_launch).

May import: every room of `archive_store` but `crawl`.

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

_PUBLIC = {
    "CSV_FIELDS": "archive_store.export.citations",
    "DEFAULT_PORT": "archive_store.export.replay",
    "ExportError": "archive_store.export.wacz",
    "ExportFilter": "archive_store.export.waczselect",
    "ReplayError": "archive_store.export.replay",
    "ReplayServer": "archive_store.export.replay",
    "SigningError": "archive_store.export.waczsign",
    "add_report": "archive_store.export.citations",
    "all_cited_urls": "archive_store.export.citations",
    "check_wacz": "archive_store.export.waczcheck",
    "citations_of": "archive_store.export.citations",
    "cited_by_json": "archive_store.export.citations",
    "export_bag": "archive_store.export.bag",
    "export_wacz": "archive_store.export.wacz",
    "public_key_der": "archive_store.export.waczsign",
    "reports_of_run": "archive_store.export.citations",
    "write_manifest": "archive_store.export.citations",
}

__all__ = [
    "CSV_FIELDS",
    "DEFAULT_PORT",
    "ExportError",
    "ExportFilter",
    "ReplayError",
    "ReplayServer",
    "SigningError",
    "add_report",
    "all_cited_urls",
    "check_wacz",
    "citations_of",
    "cited_by_json",
    "export_bag",
    "export_wacz",
    "public_key_der",
    "reports_of_run",
    "write_manifest",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
