"""Append-only evidence files beside the WARCs: the SHA-256 manifest and the custody log."""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive_store.evidence.appendonly import torn_tail, without_torn_tail, write_whole
from archive_store.evidence.custodychain import ChainLink, append_chained
from archive_store.layout import CUSTODY_NAME

# after a WARC's line: `# custody-head <entry_sha256> line <n> warcs/<name>`. sha256sum -c (also
# --strict) and shasum -c skip lines that start with '#', so the manifest stays checkable by them
HEAD_COMMENT = "# custody-head"


def _append_line(path: Path, line: str) -> None:
    """Append and fsync: these files are evidence, a crash must not lose a finished line, and a
    full disk must not leave half of one (appendonly.write_whole). A last line a killed process
    left without its newline is first moved into the custody log (`torn_line_removed`, its bytes
    kept there) and cut from this file, so `sha256sum -c` and our readers see whole lines only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            torn = torn_tail(path)
            if torn is not None:
                CustodyLog(path.parent / CUSTODY_NAME).record(
                    "torn_line_removed",
                    file=path.name,
                    line=torn.line,
                    bytes=len(torn.data),
                    text=torn.data.decode("utf-8", "replace"),
                    reason="a line cut short by an interrupted write (full disk or killed process)",
                )
                os.ftruncate(handle.fileno(), torn.offset)
            write_whole(handle.fileno(), line.encode("utf-8"), path.name)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _whole_lines(path: Path) -> list[str]:
    """The file's lines, without a last one cut short by an interrupted write."""
    if not path.exists():
        return []
    return without_torn_tail(path.read_bytes()).decode("utf-8", "replace").splitlines()


class Manifest:
    """`sha256sum` format (`<hex>  warcs/<name>`), so `sha256sum -c` works from the archive folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, relative_name: str, sha256: str) -> None:
        _append_line(self.path, f"{sha256}  {relative_name}\n")

    def add_head(self, relative_name: str, link: ChainLink) -> None:
        """The custody chain's head once this WARC was logged closed (see custodychain)."""
        _append_line(self.path, f"{HEAD_COMMENT} {link.sha256} line {link.line} {relative_name}\n")

    def heads(self) -> dict[str, ChainLink]:
        """relative name -> the custody head written after it (the first one, like entries())."""
        found: dict[str, ChainLink] = {}
        for line in _whole_lines(self.path):
            parts = line.split(" ")
            if line.startswith(HEAD_COMMENT + " ") and len(parts) == 6 and parts[4].isdigit():
                found.setdefault(parts[5], ChainLink(int(parts[4]), parts[2]))
        return found

    def entries(self) -> dict[str, str]:
        """relative name -> sha256; a name listed twice keeps its first hash (it must never change)."""
        found: dict[str, str] = {}
        for line in _whole_lines(self.path):
            if line.startswith("#"):
                continue
            digest, _, name = line.partition("  ")
            if digest and name:
                found.setdefault(name.strip(), digest.strip())
        return found


class CustodyLog:
    """JSON lines: who did what to the archive and when (run started/finished, file created...)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._actor = f"{getpass.getuser()}@{socket.gethostname()}"

    def record(self, event: str, **details: Any) -> ChainLink:
        """Append an entry linked into the hash chain; returns its line and SHA-256 (the new head)."""
        now = datetime.now(UTC).isoformat()
        entry = {"time": now, "event": event, "actor": self._actor, **details}
        return append_chained(self.path, entry, {"time": now, "actor": self._actor})

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        events = []
        for line in _whole_lines(self.path):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line an interrupted write cut short (custodychain names it)
            if isinstance(entry, dict):
                events.append(entry)
        return events
