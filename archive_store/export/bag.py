"""`export bag DIR`: the closed WARCs with their evidence as a BagIt bag (RFC 8493), for deposit.

The bag holds, under data/: warcs/ (WARCs and their RFC 3161 tokens), indexes/ (CDXJ),
manifest-sha256.txt, custody.jsonl, exports-sha256.txt and tsa/ (TSA CA copies). The manifest is
copied first and only the WARCs it lists are bagged, so a crawl running meanwhile cannot leave the
bag with a WARC its manifest does not know, or the other way round.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import bagit

from archive_store.evidence.exports import BAG_TAG_MANIFEST, record_export
from archive_store.evidence.fixity import Manifest
from archive_store.evidence.tsa import CA_DIR, token_path
from archive_store.export.wacz import ExportError, software
from archive_store.index.cdxj import cdxj_path, fill_missing_cdxj
from archive_store.layout import (
    CUSTODY_NAME,
    EXPORTS_MANIFEST_NAME,
    MANIFEST_NAME,
    WARCS_DIR,
    is_warc_name,
    local_warc,
)

CHECKSUMS = ["sha256", "sha512"]


@dataclass(frozen=True)
class BagResult:
    path: Path
    warcs: int
    files: int
    sha256: str  # of the bag's tag manifest, which covers every other file
    problems: list[str]


def export_bag(root: Path, out: Path) -> BagResult:
    out = out.resolve()
    if out.exists():
        raise ExportError(f"{out} exists; an export never replaces anything")
    if not (root / MANIFEST_NAME).exists():
        raise ExportError(f"{root} has no {MANIFEST_NAME}: no closed WARC to bag")
    fill_missing_cdxj(root)
    out.mkdir(parents=True)
    for name in (MANIFEST_NAME, CUSTODY_NAME, EXPORTS_MANIFEST_NAME):
        _copy_if_present(root / name, out / name)
    listed = Manifest(out / MANIFEST_NAME).entries()
    warcs = [
        name.removeprefix(f"{WARCS_DIR}/") for name in sorted(listed) if name.startswith(f"{WARCS_DIR}/")
    ]
    problems = []
    for name in warcs:
        if not is_warc_name(name) or not local_warc(root, name).exists():
            problems.append(f"{WARCS_DIR}/{name}: listed in {MANIFEST_NAME} but not in the archive")
            continue
        _copy_warc(root, name, out)
    for ca in sorted((root / CA_DIR).glob("*.pem")) if (root / CA_DIR).is_dir() else []:
        _copy_if_present(ca, out / CA_DIR / ca.name)
    bag = bagit.make_bag(str(out), _bag_info(root, len(warcs)), checksums=CHECKSUMS)
    problems += _compare_with_manifest(bag, listed)
    sha = record_export(root, "bag", out / BAG_TAG_MANIFEST, warcs=len(warcs), files=len(bag.entries))
    return BagResult(out, len(warcs), len(bag.payload_entries()), sha, problems)


def _copy_warc(root: Path, name: str, out: Path) -> None:
    source = local_warc(root, name)
    _copy_if_present(source, out / WARCS_DIR / name)
    _copy_if_present(token_path(source), out / WARCS_DIR / token_path(source).name)
    _copy_if_present(cdxj_path(root, name), cdxj_path(out, name))


def _copy_if_present(source: Path, target: Path) -> None:
    if source.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _bag_info(root: Path, warcs: int) -> dict[str, str]:
    return {
        "Bag-Software-Agent": f"{software()} (bagit.py {bagit.VERSION})",
        "External-Description": (
            f"Web archive from sourcekeeper: {warcs} closed WARC files with CDXJ indexes, "
            "their SHA-256 manifest (sha256sum format), RFC 3161 tokens where taken, and the "
            "custody log of the archive."
        ),
        "External-Identifier": str(root.resolve()),
    }


def _compare_with_manifest(bag: bagit.Bag, listed: dict[str, str]) -> list[str]:
    """The bag's own SHA-256 of each WARC must be the one recorded when the WARC was closed."""
    problems = []
    for name, expected in listed.items():
        entry = bag.entries.get(f"data/{name}")
        if entry is not None and entry.get("sha256") != expected:
            problems.append(
                f"{name}: SHA-256 in the bag differs from {MANIFEST_NAME}: "
                "the WARC changed after it was closed"
            )
    return problems
