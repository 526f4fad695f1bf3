"""Evidence files beside the WARCs: the SHA-256 manifest and the append-only custody log
(fixity), RFC 3161 time-stamp tokens (tsa), and the record of what each export was (exports).

May import: `archive_store.index` and the rooms below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

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

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "exports": [
            "BAG_TAG_MANIFEST",
            "RECORDED_SETTINGS",
            "check_custody_log",
            "check_exports",
            "export_entries",
            "record_export",
            "record_verified",
            "run_config",
        ],
        "fixity": ["CustodyLog", "Manifest"],
        "tsa": ["CA_DIR", "check_timestamps", "token_path", "verify_token"],
    },
)
