"""Evidence beyond the WARC manifest: what each export was, and checks `verify` runs over them.

Exports leave the archive (they are handed to others), so `exports-sha256.txt` lists each one by
absolute path in `sha256sum` format; a listed export still at that path must still match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bagit

from archive_store.evidence.appendonly import torn_tail, without_torn_tail
from archive_store.evidence.custodychain import check_chain
from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.hooks import SettingsReader
from archive_store.layout import CUSTODY_NAME, EXPORTS_MANIFEST_NAME, MANIFEST_NAME
from archive_store.warc.writer import file_sha256

BAG_TAG_MANIFEST = "tagmanifest-sha256.txt"
# The crawl settings each WARC's warcinfo records (and each export's evidence repeats).
RECORDED_SETTINGS = (
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "COOKIES_ENABLED",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_TIMEOUT",
    "RETRY_TIMES",
    "ROBOTSTXT_OBEY",
    "ARCHIVE_ATTACHMENT_HOPS",
    "ARCHIVE_DEDUP_ENABLED",
    "ARCHIVE_DEDUP_MIN_SIZE",
    "ARCHIVE_WARC_MAX_SIZE",
    "EXTRACT_ENABLED",
)

# what a custody `run_started` entry records of the configuration, beyond the warcinfo's settings
_EXTRA_CONFIG = (
    "ARCHIVE_DB_URL",
    "ARCHIVE_FILE_CLOSED_HOOKS",
    "ARCHIVE_OPERATOR",
    "ARCHIVE_REDACT_HEADERS",
    "ARCHIVE_TSA_URL",
    "ARCHIVE_WARC_PREFIX",
    "USER_AGENT",
)


def run_config(settings: SettingsReader) -> dict[str, Any]:
    """The settings that shape what a run captures, for the custody log."""
    names = sorted({*RECORDED_SETTINGS, *_EXTRA_CONFIG})
    config = {name: settings.get(name) for name in names}
    if config.get("ARCHIVE_DB_URL"):
        config["ARCHIVE_DB_URL"] = _without_password(str(config["ARCHIVE_DB_URL"]))
    plain: dict[str, Any] = json.loads(json.dumps(config, default=str))  # JSON values only
    return plain


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def record_export(root: Path, kind: str, path: Path, **details: Any) -> str:
    """Add an export to `exports-sha256.txt` and an `exported` custody entry; returns its SHA-256.
    For a directory export (a bag), the file hashed is the one that covers all others."""
    path = path.resolve()
    digest = file_sha256(path)
    Manifest(root / EXPORTS_MANIFEST_NAME).add(str(path), digest)
    CustodyLog(root / CUSTODY_NAME).record(
        "exported", kind=kind, path=str(path), sha256=digest, bytes=path.stat().st_size, **details
    )
    return digest


def export_entries(root: Path) -> dict[str, str]:
    """Absolute export path -> SHA-256; the latest entry of a path wins (it may be re-exported
    after the first export was moved away)."""
    manifest = root / EXPORTS_MANIFEST_NAME
    found: dict[str, str] = {}
    if manifest.exists():
        for line in without_torn_tail(manifest.read_bytes()).decode("utf-8", "replace").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                found[name] = digest
    return found


def check_exports(root: Path) -> list[str]:
    """Exports still where they were written must be unchanged; moved ones are not a problem.
    A bag is listed by its tag manifest; its payload gets bagit's fast check (file count and sizes),
    `bagit.py --validate` re-hashes it all."""
    problems = []
    for name, digest in export_entries(root).items():
        path = Path(name)
        if not path.is_file():
            continue
        if file_sha256(path) != digest:
            problems.append(
                f"{name}: SHA-256 differs from {EXPORTS_MANIFEST_NAME}: the export changed after it was made"
            )
        elif path.name == BAG_TAG_MANIFEST:
            problems += _bag_payload_problems(path.parent)
    return problems


def _bag_payload_problems(folder: Path) -> list[str]:
    try:
        bagit.Bag(str(folder)).validate(fast=True)
    except bagit.BagError as exc:
        return [f"{folder}: the exported bag changed after it was made ({exc})"]
    return []


def check_custody_log(root: Path) -> list[str]:
    """Every line of the custody log is a JSON object with a time and an event; a line cut short
    by an interrupted write (the last one, or one a chain start ended) is a note, not a problem."""
    path = root / CUSTODY_NAME
    if not path.exists():
        return []
    problems = []
    repaired = set(check_chain(path).repaired)
    text = without_torn_tail(path.read_bytes()).decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or number in repaired:
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{CUSTODY_NAME} line {number}: not JSON ({exc.msg})")
            continue
        if not isinstance(entry, dict) or not entry.get("time") or not entry.get("event"):
            problems.append(f"{CUSTODY_NAME} line {number}: an entry needs a time and an event")
    return problems + check_custody_chain(root)


def check_custody_chain(root: Path) -> list[str]:
    """The first broken link of the custody chain, and every custody head the manifest recorded
    after a closed WARC that the log no longer holds at that line (the log was cut or rewritten)."""
    state = check_chain(root / CUSTODY_NAME)
    problems = [f"{CUSTODY_NAME} {state.problem}"] if state.problem else []
    for name, head in Manifest(root / MANIFEST_NAME).heads().items():
        if state.problem is None and state.digests.get(head.line) != head.sha256:
            problems.append(
                f"{CUSTODY_NAME} line {head.line}: not the custody head {MANIFEST_NAME} recorded "
                f"when {name} was closed (entries up to it were changed or removed)"
            )
    return problems


def evidence_notes(root: Path) -> list[str]:
    """What `verify` reports without failing: lines of the evidence files an interrupted write
    (a full disk, a killed process) cut short. Such a line is not tampering: it was never a whole
    entry, and the next command that writes to the archive repairs it and logs the repair."""
    notes = []
    state = check_chain(root / CUSTODY_NAME)
    if state.torn is not None:
        notes.append(
            f"{CUSTODY_NAME} line {state.torn.line}: cut short by an interrupted write "
            f"({len(state.torn.data):,} bytes without an end of line: a full disk or a killed process), "
            "not tampering; the next command that writes to the archive ends it and logs the repair"
        )
    notes += [
        f"{CUSTODY_NAME} line {line}: an interrupted write, ended and covered by the chain start "
        f"at line {line + 1}"
        for line in state.repaired
    ]
    for name in (MANIFEST_NAME, EXPORTS_MANIFEST_NAME):
        torn = torn_tail(root / name)
        if torn is not None:
            notes.append(
                f"{name} line {torn.line}: cut short by an interrupted write ({len(torn.data):,} bytes "
                "without an end of line), not tampering; skipped, and removed (kept in "
                f"{CUSTODY_NAME}) by the next command that adds a line to it"
            )
    return notes


def custody_events(root: Path) -> list[dict[str, Any]]:
    """The entries that parse (check_custody_log names the others)."""
    path = root / CUSTODY_NAME
    if not path.exists():
        return []
    events = []
    for line in without_torn_tail(path.read_bytes()).decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            events.append(entry)
    return events


def record_verified(root: Path, ok: bool, files: int, captures: int, problems: int) -> None:
    CustodyLog(root / CUSTODY_NAME).record(
        "verified", ok=ok, files=files, captures=captures, problems=problems
    )
