"""Evidence files beside the WARCs: the SHA-256 manifest and the append-only custody log
(fixity), RFC 3161 time-stamp tokens (tsa), and the record of what each export was (exports).

May import: `archive_store.index` and the rooms below it.

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive_store.evidence.exports import BAG_TAG_MANIFEST as BAG_TAG_MANIFEST
    from archive_store.evidence.exports import RECORDED_SETTINGS as RECORDED_SETTINGS
    from archive_store.evidence.exports import check_custody_log as check_custody_log
    from archive_store.evidence.exports import check_exports as check_exports
    from archive_store.evidence.exports import export_entries as export_entries
    from archive_store.evidence.exports import record_export as record_export
    from archive_store.evidence.exports import record_verified as record_verified
    from archive_store.evidence.exports import run_config as run_config
    from archive_store.evidence.fixity import CustodyLog as CustodyLog
    from archive_store.evidence.fixity import Manifest as Manifest
    from archive_store.evidence.tsa import CA_DIR as CA_DIR
    from archive_store.evidence.tsa import check_timestamps as check_timestamps
    from archive_store.evidence.tsa import token_path as token_path
    from archive_store.evidence.tsa import verify_token as verify_token

_PUBLIC = {
    "BAG_TAG_MANIFEST": "archive_store.evidence.exports",
    "CA_DIR": "archive_store.evidence.tsa",
    "CustodyLog": "archive_store.evidence.fixity",
    "Manifest": "archive_store.evidence.fixity",
    "RECORDED_SETTINGS": "archive_store.evidence.exports",
    "check_custody_log": "archive_store.evidence.exports",
    "check_exports": "archive_store.evidence.exports",
    "check_timestamps": "archive_store.evidence.tsa",
    "export_entries": "archive_store.evidence.exports",
    "record_export": "archive_store.evidence.exports",
    "record_verified": "archive_store.evidence.exports",
    "run_config": "archive_store.evidence.exports",
    "token_path": "archive_store.evidence.tsa",
    "verify_token": "archive_store.evidence.tsa",
}

__all__ = [
    "BAG_TAG_MANIFEST",
    "CA_DIR",
    "RECORDED_SETTINGS",
    "CustodyLog",
    "Manifest",
    "check_custody_log",
    "check_exports",
    "check_timestamps",
    "export_entries",
    "record_export",
    "record_verified",
    "run_config",
    "token_path",
    "verify_token",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
