"""Where the bytes of a closed WARC are: the one place exports, CDXJ and replay ask for them.

A WARC is in the archive's `warcs/` folder, or (scale-out, when it only lives in S3) in the
`s3-cache/` folder that `storage.fetch_remote_warcs` fills with checked copies.
"""

from __future__ import annotations

from pathlib import Path

WARC_SUFFIX = ".warc.gz"
S3_CACHE_DIR = "s3-cache"
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
    path = root / "warcs" / filename
    cached = root / S3_CACHE_DIR / filename
    return cached if not path.exists() and cached.exists() else path


def closed_warc_names(root: Path) -> list[str]:
    """Names of the closed WARCs on local disk (with S3 copies fetched into the cache), in name
    order (prefix, then UTC timestamp)."""
    names: set[str] = set()
    for folder in (root / "warcs", root / S3_CACHE_DIR):
        if folder.is_dir():
            names.update(p.name for p in folder.glob("*.warc*") if is_warc_name(p.name))
    return sorted(names)
