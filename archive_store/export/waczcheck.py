"""Check a WACZ package: Z-1..Z-4, every hash, the CDXJ (C-1), the WARCs (W-*), the signature.

`wacz validate` (py-wacz) skips several of its own checks; this is what `export check` runs, and
what a third party can run on a package they were given.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from archive_store.export.wacz import DATAPACKAGE, DIGEST, INDEX_PATH, PAGES_PATH, WACZ_VERSION
from archive_store.export.waczsign import verify_signed_data
from archive_store.index.cdxj import parse_cdxj, sort_bytewise
from archive_store.layout import is_imported_name
from archive_store.validate.validator import validate_collection
from archive_store.warc.foreign import TruncatedTail, iter_foreign
from archive_store.warc.members import BrokenMember, stream_record

_COPY = 1 << 20
_REQUIRED_PACKAGE = ("profile", "wacz_version", "resources", "title", "created", "software")


def check_wacz(path: Path, public_key: bytes | None = None) -> list[str]:
    """Every problem found, each naming the rule or file; empty when the package is sound."""
    try:
        package = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path.name}: not a ZIP file ({exc})"]
    with package, tempfile.TemporaryDirectory() as scratch:
        names = package.namelist()
        problems = _layout(names) + _stored(package)
        if problems:
            return problems
        datapackage = json.loads(package.read(DATAPACKAGE))
        problems += _datapackage(package, datapackage, names)
        problems += _digest(package, datapackage, public_key)
        problems += _pages(package.read(PAGES_PATH))
        warcs = _extract_warcs(package, names, Path(scratch))
        problems += _index(package, warcs)
        problems += _check_warcs(sorted(warcs.values()))
    return problems


def _layout(names: list[str]) -> list[str]:
    """Z-1: the files a WACZ must have, where it must have them."""
    problems = [
        f"Z-1: {required} is missing"
        for required in (DATAPACKAGE, DIGEST, PAGES_PATH)
        if required not in names
    ]
    if not any(n.startswith("archive/") and n.endswith((".warc.gz", ".warc")) for n in names):
        problems.append("Z-1: no WARC under archive/")
    if not any(n.startswith("indexes/") and n.endswith((".cdx", ".cdx.gz", ".cdxj")) for n in names):
        problems.append("Z-1: no CDXJ index under indexes/")
    return problems


def _stored(package: zipfile.ZipFile) -> list[str]:
    """Z-4: WARCs and indexes are STORED, so readers can fetch records by byte range."""
    return [
        f"Z-4: {info.filename} is compressed in the ZIP; it must be STORED"
        for info in package.infolist()
        if info.filename.startswith(("archive/", "indexes/")) and info.compress_type != zipfile.ZIP_STORED
    ]


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _member_sha256(package: zipfile.ZipFile, name: str) -> tuple[str, int]:
    """A member's `sha256:` hash and size, read in pieces (a package WARC may be gigabytes)."""
    digest = hashlib.sha256()
    size = 0
    with package.open(name) as handle:
        while chunk := handle.read(_COPY):
            digest.update(chunk)
            size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def _datapackage(package: zipfile.ZipFile, datapackage: dict[str, Any], names: list[str]) -> list[str]:
    """Z-2: the properties, and a resource with the right hash and size for every file."""
    problems = [f"Z-2: {DATAPACKAGE} has no {key}" for key in _REQUIRED_PACKAGE if key not in datapackage]
    if datapackage.get("profile") != "data-package":
        problems.append("Z-2: profile is not data-package")
    if datapackage.get("wacz_version") != WACZ_VERSION:
        problems.append(f"Z-2: wacz_version is not {WACZ_VERSION}")
    listed = {str(r.get("path")): r for r in datapackage.get("resources", [])}
    for name in names:
        if name in (DATAPACKAGE, DIGEST) or name.endswith("/"):
            continue
        resource = listed.pop(name, None)
        if resource is None:
            problems.append(f"Z-2: {name} is not listed in the resources")
            continue
        digest, size = _member_sha256(package, name)
        if resource.get("hash") != digest or resource.get("bytes") != size:
            problems.append(f"{name}: hash or size differs from {DATAPACKAGE}")
    problems += [f"Z-2: {missing} is listed but not in the package" for missing in listed]
    return problems


def _digest(package: zipfile.ZipFile, datapackage: dict[str, Any], public_key: bytes | None) -> list[str]:
    digest = json.loads(package.read(DIGEST))
    problems = []
    if digest.get("path") != DATAPACKAGE or digest.get("hash") != _sha256(package.read(DATAPACKAGE)):
        problems.append(f"{DIGEST}: does not match {DATAPACKAGE}")
    signed = digest.get("signedData")
    if signed is None:
        if public_key is not None:
            problems.append(f"{DIGEST}: not signed, but a signer's key was given")
        return problems
    if signed.get("hash") != digest.get("hash"):
        problems.append(f"{DIGEST}: the signed hash is not the datapackage hash")
    if signed.get("created") != datapackage.get("created"):
        problems.append(f"{DIGEST}: signed `created` differs from {DATAPACKAGE}")
    reason = verify_signed_data(signed, public_key)
    if reason:
        problems.append(f"{DIGEST}: signature does not verify: {reason}")
    return problems


def _pages(data: bytes) -> list[str]:
    """Z-3: the header line, then url, ts, title and text on every page."""
    lines = data.decode("utf-8").splitlines()
    header = json.loads(lines[0]) if lines else {}
    problems = []
    if header.get("format") != "json-pages-1.0" or header.get("id") != "pages":
        problems.append(f"Z-3: {PAGES_PATH} does not start with the json-pages-1.0 header")
    for number, line in enumerate(lines[1:], start=2):
        page = json.loads(line)
        missing = [key for key in ("url", "ts", "title", "text") if key not in page]
        if missing:
            problems.append(f"Z-3: {PAGES_PATH} line {number} lacks {', '.join(missing)}")
    return problems


def _extract_warcs(package: zipfile.ZipFile, names: list[str], scratch: Path) -> dict[str, Path]:
    """The package's WARCs as files (by base name only: a ZIP member name never becomes a path, S-5)."""
    warcs = {}
    # `.warc` too: an imported uncompressed WARC is exported as it came (issue 17)
    packed = (n for n in names if n.startswith("archive/") and n.endswith((".warc.gz", ".warc")))
    for number, name in enumerate(packed):
        base = Path(name).name
        target = scratch / f"{number:05d}" / base
        target.parent.mkdir()
        with package.open(name) as source, target.open("xb") as sink:
            shutil.copyfileobj(source, sink, _COPY)
        warcs[base] = target
    return warcs


def _check_warcs(warcs: list[Path]) -> list[str]:
    """Our WARC rules over our own files; an imported file (issue 17) is kept as another tool
    wrote it, as `verify` treats it: it must read as whole records, its names and gzip layout are
    not ours to judge."""
    own = [w for w in warcs if not is_imported_name(w.name)]
    problems = [f"WARC in package: {p}" for p in validate_collection(own)]
    for warc in warcs:
        if is_imported_name(warc.name):
            problems += [
                f"WARC in package: {warc.name}@{item.offset}: {item.reason}"
                for item in iter_foreign(warc)
                if isinstance(item, TruncatedTail)
            ]
    return problems


def _index(package: zipfile.ZipFile, warcs: dict[str, Path]) -> list[str]:
    """C-1 over the package index: sorted, and every entry is one whole record in a package WARC."""
    text = package.read(INDEX_PATH).decode("utf-8")
    try:
        entries = parse_cdxj(text, INDEX_PATH)
    except ValueError as exc:
        return [f"C-1: {exc}"]
    lines = text.splitlines()
    problems = [] if lines == sort_bytewise(lines) else [f"C-1: {INDEX_PATH} is not sorted bytewise"]
    for entry in entries:
        warc = warcs.get(str(entry.fields.get("filename")))
        if warc is None:
            problems.append(f"C-1: {INDEX_PATH} names {entry.fields.get('filename')}, not in archive/")
            continue
        try:
            _whole_record(warc, entry.offset, entry.length)
        except (BrokenMember, ValueError) as exc:
            problems.append(f"C-1: {INDEX_PATH}: {entry.fields.get('url')} is not a whole record ({exc})")
    return problems


def _whole_record(warc: Path, offset: int, length: int) -> None:
    """Raise unless offset and length span one whole record: one gzip member in a `.warc.gz`;
    in a plain `.warc`, a WARC header and a block of its Content-Length (then at most the CRLF
    CRLF that ends a record)."""
    if warc.name.endswith(".warc"):
        with warc.open("rb") as handle:
            handle.seek(offset)
            if handle.read(5) != b"WARC/":
                raise ValueError(f"no WARC record starts at offset {offset}")
    _record, block = stream_record(warc, offset, length)  # raises unless whole, never held whole
    for _piece in block:
        pass
