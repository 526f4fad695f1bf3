"""Shared by the re-check tests: the takedown site's tables, and `recheck` with test settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive_helpers import FAST, CliResult, run_cli

SITE = "tests/takedown_site.py:ROUTES"
CONFIRM_FAST = ["-s", "RECHECK_CONFIRM_DELAY=0.2"]


def recheck_cli(archive: Path, *args: str | Path, **kwargs: Any) -> CliResult:
    return run_cli("recheck", "--archive", archive, *FAST, *CONFIRM_FAST, *args, **kwargs)


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def by_path(events: list[dict[str, Any]], base_url: str) -> dict[str, dict[str, Any]]:
    return {e["url"].removeprefix(base_url): e for e in events}
