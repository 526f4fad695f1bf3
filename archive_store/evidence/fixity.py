"""Append-only evidence files beside the WARCs: the SHA-256 manifest and the custody log."""

from __future__ import annotations

import getpass
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive_store.evidence.custodychain import ChainLink, append_chained

# after a WARC's line: `# custody-head <entry_sha256> line <n> warcs/<name>`. sha256sum -c (also
# --strict) and shasum -c skip lines that start with '#', so the manifest stays checkable by them
HEAD_COMMENT = "# custody-head"


def _append_line(path: Path, line: str) -> None:
    """Append and fsync: these files are evidence, a crash must not lose a finished line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


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
        if not self.path.exists():
            return found
        for line in self.path.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ")
            if line.startswith(HEAD_COMMENT + " ") and len(parts) == 6 and parts[4].isdigit():
                found.setdefault(parts[5], ChainLink(int(parts[4]), parts[2]))
        return found

    def entries(self) -> dict[str, str]:
        """relative name -> sha256; a name listed twice keeps its first hash (it must never change)."""
        found: dict[str, str] = {}
        if not self.path.exists():
            return found
        for line in self.path.read_text(encoding="utf-8").splitlines():
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
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
