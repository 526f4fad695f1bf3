"""`verify`: fixity and structure of a whole archive (manifests, gzip members, record digests,
index↔WARC agreement, CDXJ, time-stamp tokens, exports); every problem names its file.

May import: `archive_store.storage`, `archive_store.evidence`, `archive_store.index`,
`archive_store.validate` and the rooms below them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from archive_store.audit.verify import verify_archive as verify_archive

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "verify": ["verify_archive"],
    },
)
