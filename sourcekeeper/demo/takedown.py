"""The takedown half of `sourcekeeper demo`: take part of the sample site down, re-check every
archived URL, print each state beside the one the demo expects, write the HTML report.

The re-check runs `sourcekeeper recheck` in the demo's process, on the reactor of its first crawl
(sourcekeeper.demo.child).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from archive_store.index.database import default_db_url
from archive_store.index.events import STATES
from sourcekeeper.commands.recheck import summary_line
from sourcekeeper.demo.child import SOURCEKEEPER, run_step
from sourcekeeper.demo.rawsite import ServedSite
from sourcekeeper.demo.site import TAKEDOWNS
from sourcekeeper.exitcodes import ExitCode

# A short confirmation pause keeps the demo quick (its loopback site answers at once, and its
# removals are removed for good); real runs use RECHECK_CONFIRM_DELAY (5 s).
DEMO_RECHECK_SETTINGS = {"RECHECK_CONFIRM_DELAY": "0.2"}


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_recheck(
    archive_dir: Path,
    overrides: dict[str, str],
    log_level: str,
) -> tuple[int, list[dict[str, Any]]]:
    """`sourcekeeper recheck --json`, its stderr held back unless it failed; (exit code, events)."""
    settings = {**DEMO_RECHECK_SETTINGS, **overrides}
    command = [*SOURCEKEEPER, "recheck", "--archive", str(archive_dir), "--json"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    if log_level == "INFO":
        command.append("-v")
    done = run_step(command, capture_stderr=True)
    if done.returncode not in (0, ExitCode.NEW_REMOVALS) or log_level == "INFO":
        print(done.stderr, file=sys.stderr, end="")  # its summary is printed by the demo itself
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, events


def takedown_steps(
    site: ServedSite,
    archive_dir: Path,
    overrides: dict[str, str],
    log_level: str,
    first_step: int = 2,
) -> bool:
    """Steps N…N+2 of the demo; True when every taken-down page got the state the demo expects."""
    _say(f'\n{first_step}. Taking part of the site down (mode "after"):')
    for path, (change, _state) in TAKEDOWNS.items():
        _say(f"  {change:<32} {path}")
    site.set_mode("after")
    _say(f"\n{first_step + 1}. Re-checking every archived URL ...")
    code, events = run_recheck(archive_dir, overrides, log_level)
    matched = _print_states(site, events)
    counts: dict[str, Any] = {s: sum(e["state"] == s for e in events) for s in STATES}
    counts["new_removals"] = [e["url"] for e in events if e["new_removal"]]
    meaning = (
        "new removals found" if code == ExitCode.NEW_REMOVALS else "no new removals" if code == 0 else "error"
    )
    _say(f"  {summary_line(counts)}; exit code {code} ({meaning})")
    report = archive_dir / "report.html"
    _say(f"\n{first_step + 2}. Writing the report ...")
    from sourcekeeper.commands.report import write_html_report  # noqa: PLC0415

    write_html_report(archive_dir, default_db_url(archive_dir), report, "http://127.0.0.1:8090/archive/")
    _say(f"  {report} (open it in a browser: states, timeline chart, text, replay links)")
    return matched and code in (0, ExitCode.NEW_REMOVALS)


def _print_states(site: ServedSite, events: list[dict[str, Any]]) -> bool:
    """One line per re-checked URL; taken-down pages show the expected state and ✓ or ✗."""
    by_path = {e["url"].removeprefix(site.base_url): e for e in events}
    matched = True
    for path, event in by_path.items():
        expected = TAKEDOWNS.get(path)
        mark = ""
        if expected is not None:
            ok = event["state"] == expected[1]
            matched = matched and ok
            mark = f"  (expected {expected[1]} {'✓' if ok else '✗'})"
        _say(f"  {event['state']:<11} {path}{mark}")
        _say(f"              {event['reason']}")
    missing = [p for p in TAKEDOWNS if p not in by_path]
    for path in missing:
        _say(f"  (not re-checked) {path}  ✗")
    return matched and not missing
