"""`export wacz`: selected captures as a WACZ 1.1.1 package (Z-1..Z-4), optionally signed.

Each WARC in the package is named after the archive WARC it comes from and holds byte-for-byte
copies of that WARC's gzip members: its warcinfo first, then the selected exchanges (request,
response or revisit, metadata records), so every record digest and WARC-Warcinfo-ID still holds
and each record can be checked against the source archive's manifest. Revisits bring their
originals (W-REV-4) even when the filter leaves those out.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from archive_store.evidence.exports import record_export
from archive_store.evidence.fixity import Manifest
from archive_store.export.waczreplay import resolve_not_modified, segment_for_search
from archive_store.export.waczselect import ExportFilter, Selection, build_selection
from archive_store.export.waczsign import load_signing_key, sign_hash
from archive_store.index.cdxj import cdxj_lines, sort_bytewise
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.pagedocs import attachment_names, document_title
from archive_store.index.schema import Capture, Page
from archive_store.layout import WARCS_DIR, ArchivePaths, local_warc
from archive_store.storage.sidecars import fetch_remote_warcs
from archive_store.warc.writer import file_sha256

WACZ_VERSION = "1.1.1"
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"
DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages", "hasText": True}
_COPY_BLOCK = 1 << 20


class ExportError(Exception):
    """Nothing to export, or the output cannot be written (it exists: exports never replace)."""


@dataclass(frozen=True)
class WaczResult:
    path: Path
    sha256: str
    size: int
    captures: int
    originals: int
    pages: int
    warcs: list[str]
    signed: bool
    left_out: list[str]
    problems: list[str]


def software() -> str:
    try:
        return f"sourcekeeper {version('sourcekeeper')}"
    except PackageNotFoundError:
        return "sourcekeeper"


def export_wacz(
    root: Path,
    out: Path,
    export_filter: ExportFilter,
    *,
    title: str | None = None,
    sign_key: Path | None = None,
    db_url: str | None = None,
) -> WaczResult:
    out = out.resolve()
    if out.exists():
        raise ExportError(f"{out} exists; an export never replaces a file")
    key = load_signing_key(sign_key) if sign_key else None
    index = ArchiveIndex(db_url or default_db_url(root), create=False)
    try:
        fetch_remote_warcs(root, index)  # scale-out: WARCs that only S3 holds
        selection = build_selection(root, index, export_filter)
    finally:
        index.close()
    if not selection.captures:
        also = (
            f"; {len(selection.left_out)} left out: {selection.left_out[0]} ..." if selection.left_out else ""
        )
        raise ExportError(f"no capture in {root} matches {export_filter.describe()}{also}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".wacz-", dir=out.parent) as scratch:
        staging = Path(scratch)
        warcs = _write_warcs(root, selection, staging)
        _write_index(staging, warcs)
        pages = _write_pages(staging, selection)
        package = _datapackage(root, staging, selection, export_filter, title, pages)
        _write_json(staging / DATAPACKAGE, package)
        digest: dict[str, Any] = {"path": DATAPACKAGE, "hash": _sha256(staging / DATAPACKAGE)}
        if key is not None:
            digest["signedData"] = sign_hash(key, digest["hash"], package["created"], package["software"])
        _write_json(staging / DIGEST, digest)
        partial = staging / "package.wacz"
        _zip(staging, partial, [DATAPACKAGE, DIGEST, *warcs, INDEX_PATH, PAGES_PATH])
        os.link(partial, out)  # unlike rename, fails rather than replace a file made meanwhile
    details = {"filters": export_filter.describe(), "captures": len(selection.captures)}
    sha = record_export(root, "wacz", out, **details, signed=key is not None)
    return WaczResult(
        out,
        sha,
        out.stat().st_size,
        len(selection.captures),
        len(selection.originals),
        len(pages),
        [Path(w).name for w in warcs],
        key is not None,
        selection.left_out,
        selection.problems,
    )


def _write_warcs(root: Path, selection: Selection, staging: Path) -> list[str]:
    """Copy the chosen gzip members, in file order; returns the package paths written."""
    written = []
    for name, members in sorted(selection.members.items()):
        relative = f"archive/{name}"
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with local_warc(root, name).open("rb") as source, target.open("xb") as sink:
            for offset in sorted(members):
                _copy_range(source, sink, offset, members[offset])
        written.append(relative)
    return written


def _copy_range(source: Any, sink: Any, offset: int, length: int) -> None:
    source.seek(offset)
    left = length
    while left:
        block = source.read(min(left, _COPY_BLOCK))
        if not block:
            raise ExportError(f"{source.name}: ends inside the member at offset {offset}")
        sink.write(block)
        left -= len(block)


def _write_index(staging: Path, warcs: list[str]) -> None:
    lines = [line for w in warcs for line in cdxj_lines(staging / w, Path(w).name)]
    lines = resolve_not_modified(lines, staging, warcs)  # 304 revisits replay in ReplayWeb.page
    target = staging / INDEX_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(line + "\n" for line in sort_bytewise(lines)), "utf-8")


def _page_captures(selection: Selection) -> list[Capture]:
    """Pages: captures with extracted text, and the seeds that were fetched fine."""
    return [
        c
        for c in selection.captures
        if c.id in selection.pages or (c.hop == 0 and 200 <= c.http_status < 300)
    ]


def _write_pages(staging: Path, selection: Selection) -> list[dict[str, Any]]:
    pages = []
    names = attachment_names(selection.pages.values())  # how the pages link their documents
    for capture in _page_captures(selection):
        page = selection.pages.get(capture.id)
        pages.append(
            {
                "id": capture.record_id.removeprefix("<urn:uuid:").removesuffix(">"),
                "url": capture.url,
                "ts": capture.warc_date,
                "title": (page.title if page else None) or "",
                # ReplayWeb.page searches words split at spaces: Chinese text segmented for it
                "text": segment_for_search((page.text if page else None) or ""),
                "textUnsegmented": (page.text if page else None) or "",
                **_document(capture, page, names),
            }
        )
    target = staging / PAGES_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(entry, ensure_ascii=False) for entry in [PAGES_HEADER, *pages]]
    target.write_text("".join(line + "\n" for line in lines), "utf-8")
    return pages


def _document(capture: Capture, page: Page | None, names: dict[str, str]) -> dict[str, Any]:
    """A document's text is a page of the package too (PDF, Word, a scan's OCR), named as its
    page links it, with `kind` and the page linking it (`pageUrl`)."""
    if page is None or page.kind != "document":
        return {}
    return {
        "title": document_title(capture.url, page, names),
        "kind": "document",
        "pageUrl": capture.parent_url,
    }


def _datapackage(
    root: Path,
    staging: Path,
    selection: Selection,
    export_filter: ExportFilter,
    title: str | None,
    pages: list[dict[str, Any]],
) -> dict[str, Any]:
    manifest = Manifest(ArchivePaths(root).manifest).entries()
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    package: dict[str, Any] = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title or "sourcekeeper export",
        "description": (
            "Captures exported from a sourcekeeper archive. Every WARC record is a byte-for-byte "
            "copy of the gzip member in the archive WARC of the same name (SHA-256 under "
            "`sourcekeeper.sources`); pages carry the text extracted at capture time."
        ),
        "created": created,
        "software": software(),
    }
    # ReplayWeb.page shows `metadata.title` (else the file name)
    package["metadata"] = {"title": package["title"], "description": package["description"]}
    if pages:
        package["mainPageUrl"], package["mainPageDate"] = pages[0]["url"], pages[0]["ts"]
    package["resources"] = [_resource(staging, p) for p in _payload_paths(staging)]
    package["sourcekeeper"] = {
        "filters": export_filter.describe(),
        "captures": len(selection.captures),
        "revisit_originals": len(selection.originals),
        "sources": [
            {"file": name, "sha256": manifest.get(f"{WARCS_DIR}/{name}")}
            for name in sorted(selection.members)
        ],
    }
    return package


def _payload_paths(staging: Path) -> list[str]:
    return sorted(
        str(p.relative_to(staging))
        for folder in ("archive", "indexes", "pages")
        for p in (staging / folder).iterdir()
    )


def _resource(staging: Path, relative: str) -> dict[str, Any]:
    path = staging / relative
    # Frictionless names are lower case; the path is what identifies the file
    return {"name": path.name.lower(), "path": relative, "hash": _sha256(path), "bytes": path.stat().st_size}


def _sha256(path: Path) -> str:
    return "sha256:" + file_sha256(path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")


def _zip(staging: Path, target: Path, names: list[str]) -> None:
    """Z-4: WARCs and indexes STORED (readers seek into them by range); the rest deflated."""
    with zipfile.ZipFile(target, "x", allowZip64=True) as package:
        for name in names:
            stored = name.startswith(("archive/", "indexes/"))
            method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            package.write(staging / name, name, compress_type=method)


def sha256_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()
