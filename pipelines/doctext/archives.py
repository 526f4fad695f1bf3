"""Archives (ZIP; 7z through `7zz`; RAR through 7-Zip where it has the codec, else The Unarchiver):
every member read as a document of its own, named `archive.zip!/path/in/zip.docx`, with its own outcome."""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipelines.doctext.containers import member_name, open_zip
from pipelines.doctext.model import (
    CORRUPT,
    ENCRYPTED,
    TIMEOUT,
    TOO_LARGE,
    UNSUPPORTED,
    Deadline,
    DocumentText,
    Limits,
    Skipped,
)

_MB = 1024 * 1024
MAX_MEMBERS = 1000
ReadMember = Callable[[bytes, str, Deadline, int], DocumentText]


def _zip_members(data: bytes, limits: Limits) -> Iterator[tuple[str, bytes | Skipped]]:
    with open_zip(data, limits, "ZIP archive") as package:
        members = [info for info in package.infolist() if not info.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise Skipped(TOO_LARGE, f"{len(members):,} files in the archive, over {MAX_MEMBERS:,}")
        for info in members:
            name = member_name(info)
            try:
                yield name, package.read(info)
            except (OSError, ValueError, EOFError, RuntimeError) as exc:  # bad CRC, bad method, password
                yield name, Skipped(CORRUPT, f"the member cannot be unpacked ({exc})")


def _seven_zip_members(
    data: bytes, limits: Limits, deadline: Deadline, kind: str
) -> Iterator[tuple[str, bytes | Skipped]]:
    """7z and RAR by `7zz` (Debian's 7zip): listed first, sizes checked, then unpacked into a private
    temporary folder (the member names never make a path outside it: 7-Zip refuses `..`)."""
    tool = shutil.which("7zz") or shutil.which("7z")
    if tool is None:
        raise Skipped(UNSUPPORTED, f"reading {kind.upper()} archives needs 7-Zip (Debian package 7zip)")
    with tempfile.TemporaryDirectory(prefix="doctext-") as folder:
        source = Path(folder) / f"archive.{kind}"
        source.write_bytes(data)
        listing = _run([tool, "l", "-slt", "-p", str(source)], deadline)
        out = Path(folder) / "out"
        if listing.returncode != 0 and kind == "rar":
            # Debian's 7zip leaves out the RAR codec (its unRAR licence is not free): The Unarchiver
            # (Debian package unar, LGPL) reads RAR
            yield from _unar_members(source, out, len(data), limits, deadline)
            return
        if listing.returncode != 0:
            raise Skipped(CORRUPT, f"7-Zip cannot list the {kind.upper()} archive")
        sizes = [
            int(line.split("=", 1)[1])
            for line in listing.stdout.splitlines()
            if line.startswith("Size = ") and line[7:].strip().isdigit()
        ]
        _check_expansion(sum(sizes), len(data), limits)
        unpacked = _run([tool, "x", "-y", "-p", f"-o{out}", str(source)], deadline)
        if unpacked.returncode != 0 and not out.exists():
            raise Skipped(CORRUPT, f"7-Zip cannot unpack the {kind.upper()} archive")
        yield from _unpacked(out)


def _check_expansion(expanded: int, packed: int, limits: Limits) -> None:
    """A bomb is refused from the listing, before anything is unpacked."""
    if expanded > limits.max_expanded_mb * _MB or (
        expanded > limits.expand_floor_mb * _MB and expanded > limits.max_expansion * packed
    ):
        raise Skipped(
            TOO_LARGE, f"the archive expands to {expanded / _MB:,.1f} MB from {packed / _MB:,.2f} MB"
        )


def _unpacked(out: Path) -> Iterator[tuple[str, bytes | Skipped]]:
    files = sorted(path for path in out.rglob("*") if path.is_file() and not path.is_symlink())
    if len(files) > MAX_MEMBERS:
        raise Skipped(TOO_LARGE, f"{len(files):,} files in the archive, over {MAX_MEMBERS:,}")
    for path in files:
        yield path.relative_to(out).as_posix(), path.read_bytes()


def _unar_members(
    source: Path, out: Path, packed: int, limits: Limits, deadline: Deadline
) -> Iterator[tuple[str, bytes | Skipped]]:
    """RAR by The Unarchiver's `lsar` (listed as JSON, sizes checked) and `unar` (unpacked into the
    private folder, never a containing directory; it refuses names that leave it)."""
    lister, unpacker = shutil.which("lsar"), shutil.which("unar")
    if lister is None or unpacker is None:
        raise Skipped(UNSUPPORTED, "reading RAR archives needs The Unarchiver (Debian package unar)")
    listing = _run([lister, "-j", str(source)], deadline)
    try:
        entries = json.loads(listing.stdout).get("lsarContents") or []
    except ValueError:
        entries = None
    if listing.returncode != 0 or not entries:  # a damaged RAR lists no file (or fails)
        raise Skipped(CORRUPT, "the RAR archive cannot be listed")
    if any(entry.get("XADIsEncrypted") or entry.get("RAREncrypted") for entry in entries):
        raise Skipped(ENCRYPTED, "the RAR archive is protected by a password")
    _check_expansion(sum(int(entry.get("XADFileSize") or 0) for entry in entries), packed, limits)
    unpacked = _run([unpacker, "-q", "-f", "-D", "-p", "", "-o", str(out), str(source)], deadline)
    if not out.exists() or not any(path.is_file() for path in out.rglob("*")):
        # it listed files and gave none (a damaged archive): what it did give is read below
        raise Skipped(CORRUPT, f"the RAR archive cannot be unpacked (unar exited {unpacked.returncode})")
    yield from _unpacked(out)


def _run(command: list[str], deadline: Deadline) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=max(deadline.left(), 0.1), check=False
        )
    except subprocess.TimeoutExpired:
        raise Skipped(TIMEOUT, f"the archive was not unpacked within {deadline.seconds:g} s") from None


def read_archive(
    data: bytes,
    kind: str,
    label: str,
    limits: Limits,
    deadline: Deadline,
    doc: DocumentText,
    depth: int,
    read: ReadMember,
) -> None:
    """`label` names the archive in its members' names (the last part of its URL path)."""
    if depth >= limits.archive_depth:
        raise Skipped(TOO_LARGE, f"an archive inside {depth} archives is not opened")
    members = (
        _zip_members(data, limits) if kind == "zip" else _seven_zip_members(data, limits, deadline, kind)
    )
    doc.engines["archive"] = {"zip": "zipfile", "rar": "7-Zip or The Unarchiver"}.get(kind, "7-Zip (7zz)")
    sections: list[str] = []
    for name, content in members:
        deadline.check()
        full = f"{label}!/{name}"
        if isinstance(content, Skipped):
            doc.members.append({"name": full, "skipped": content.reason, "skipped_detail": content.detail})
            continue
        member = read(content, full, deadline, depth + 1)
        doc.members.append(
            {
                "name": full,
                "format": member.format,
                "chars": len(member.text),
                "page_count": member.page_count,
                "text_source": member.text_source,
                "ocr_confidence": member.ocr_confidence,
                "skipped": member.skipped,
                "skipped_detail": member.skipped_detail,
                "engines": member.engines,
            }
        )
        for role, engine in member.engines.items():
            doc.engines.setdefault(role, engine)
        if member.text:
            sections.append(f"【{full}】\n{member.text}")
        if member.skipped == TIMEOUT:
            raise Skipped(TIMEOUT, member.skipped_detail or "")
    doc.text = "\n\n".join(sections)


def archive_label(name: str) -> str:
    """How an archive is named in its members' names: the last part of its URL's path, or the full
    name of an archive inside an archive (`outer.zip!/inner.zip`)."""
    if "!/" in name:
        return name
    path = unquote(urlsplit(name).path) if "://" in name else name
    return posixpath.basename(path.rstrip("/")) or "archive"
