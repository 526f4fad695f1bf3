"""Append-only evidence files beside the WARCs: the SHA-256 manifest and the custody log."""

from __future__ import annotations

import getpass
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


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

    def entries(self) -> dict[str, str]:
        """relative name -> sha256; a name listed twice keeps its first hash (it must never change)."""
        found: dict[str, str] = {}
        if not self.path.exists():
            return found
        for line in self.path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                found.setdefault(name.strip(), digest.strip())
        return found


class CustodyLog:
    """JSON lines: who did what to the archive and when (run started/finished, file created...)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._actor = f"{getpass.getuser()}@{socket.gethostname()}"

    def record(self, event: str, **details: Any) -> None:
        entry = {
            "time": datetime.now(UTC).isoformat(),
            "event": event,
            "actor": self._actor,
            **details,
        }
        _append_line(self.path, json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
