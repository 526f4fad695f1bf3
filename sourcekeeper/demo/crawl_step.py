"""The site-profile step of `sourcekeeper demo`: crawl the sample site's 通知公告 column through
the bundled profile (column.toml), incrementally, and say what the column walk did.

The crawl runs `sourcekeeper crawl` in the demo's process, on the reactor of its first crawl
(sourcekeeper.demo.child).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcekeeper.demo.child import SOURCEKEEPER, run_step
from sourcekeeper.jobs.crawl import listing_line

DEMO_PROFILE = Path(__file__).with_name("column.toml")
# The sample site answers at once on loopback: no politeness delay needed there.
LOOPBACK_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


def run_profile_step(
    archive_dir: Path,
    base_url: str,
    say: Callable[[str], None],
    *,
    overrides: dict[str, str] | None = None,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Crawl the demo column into ``archive_dir``; returns the run summary (with ``listing``), or
    ``{"error": …}`` when the crawl did not produce one."""
    say(
        f"Crawling the 通知公告 column with the site profile {DEMO_PROFILE.name} "
        "(TRS createPageHTML paging) ..."
    )
    command = [*SOURCEKEEPER, "crawl", str(DEMO_PROFILE), "--base", base_url]
    command += ["--archive", str(archive_dir), "--json"]
    for name, value in {**LOOPBACK_SETTINGS, **(overrides or {})}.items():
        command += ["-s", f"{name}={value}"]
    if log_level == "INFO":
        command.append("-v")
    done = run_step(command)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        say(f"  the crawl ended without a summary (exit code {done.returncode})")
        return {"error": f"exit code {done.returncode}", "exit_code": done.returncode}
    summary: dict[str, Any] = json.loads(lines[-1])
    summary["exit_code"] = done.returncode
    say("  " + listing_line(summary["listing"]))
    say(
        f"  run it again later: .venv/bin/sourcekeeper crawl {DEMO_PROFILE} --base {base_url} "
        f"--archive {archive_dir}  (only new notices are fetched; paging stops at archived ones)"
    )
    return summary
