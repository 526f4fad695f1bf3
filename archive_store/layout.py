"""The archive folder's layout: every file and folder name in it, in one place.

```
archive/
  warcs/               *.warc.gz (and *.warc.gz.open while a run writes; RFC 3161 tokens *.tsr)
  index.sqlite3        the embedded index (SQLite; PostgreSQL when --db is given)
  indexes/             CDXJ over each closed WARC
  manifest-sha256.txt  SHA-256 of each closed WARC (`sha256sum -c` reads it)
  custody.jsonl        append-only custody log
  exports-sha256.txt   what each export was
  citations/           citation manifests of `archive --from-report`
  runs/                one summary per run
  s3-cache/            checked local copies of WARCs that live only in S3
```

Also where the bytes of a closed WARC are: in `warcs/`, or (scale-out, when it only lives in S3)
in `s3-cache/`, which `archive_store.storage.sidecars.fetch_remote_warcs` fills with checked copies.
This module imports nothing of ours: every other part of the archive may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WARCS_DIR = "warcs"
INDEX_NAME = "index.sqlite3"
INDEXES_DIR = "indexes"
MANIFEST_NAME = "manifest-sha256.txt"
CUSTODY_NAME = "custody.jsonl"
EXPORTS_MANIFEST_NAME = "exports-sha256.txt"
CITATIONS_DIR = "citations"
RUNS_DIR = "runs"
S3_CACHE_DIR = "s3-cache"
WARC_SUFFIX = ".warc.gz"


@dataclass(frozen=True)
class ArchivePaths:
    """The paths of one archive folder."""

    root: Path

    @property
    def warcs(self) -> Path:
        return self.root / WARCS_DIR

    @property
    def index(self) -> Path:
        return self.root / INDEX_NAME

    @property
    def indexes(self) -> Path:
        return self.root / INDEXES_DIR

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def custody(self) -> Path:
        return self.root / CUSTODY_NAME

    @property
    def exports_manifest(self) -> Path:
        return self.root / EXPORTS_MANIFEST_NAME

    @property
    def s3_cache(self) -> Path:
        return self.root / S3_CACHE_DIR


# issue 17: WARCs other tools wrote, copied in unchanged by `import`; an uncompressed one keeps
# its `.warc` name, and the prefix keeps them apart from ours (our rules, W-FILE-2, are not theirs)
IMPORTED_PREFIX = "imported-"
PLAIN_WARC_SUFFIX = ".warc"


def is_imported_name(name: str) -> bool:
    return name.startswith(IMPORTED_PREFIX)


def is_warc_name(name: str) -> bool:
    """A plain closed-WARC file name: never a path (S-5), never a `.open` file (W-FILE-3)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return False
    return name.endswith(WARC_SUFFIX) or (is_imported_name(name) and name.endswith(PLAIN_WARC_SUFFIX))


def local_warc(root: Path, filename: str) -> Path:
    """The local path of the closed WARC `filename` in the archive at `root`."""
    if not is_warc_name(filename):
        raise ValueError(f"not a closed WARC file name: {filename!r}")
    path = root / WARCS_DIR / filename
    cached = root / S3_CACHE_DIR / filename
    return cached if not path.exists() and cached.exists() else path


def closed_warc_names(root: Path) -> list[str]:
    """Names of the closed WARCs on local disk (with S3 copies fetched into the cache), in name
    order (prefix, then UTC timestamp)."""
    names: set[str] = set()
    for folder in (root / WARCS_DIR, root / S3_CACHE_DIR):
        if folder.is_dir():
            names.update(p.name for p in folder.glob("*.warc*") if is_warc_name(p.name))
    return sorted(names)
