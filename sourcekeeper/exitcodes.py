"""The exit codes of every `sourcekeeper` command, in one place (cron and scripts rely on them)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the work ran but something failed (named on stderr)
    USAGE = 2  # bad arguments or configuration
    NEW_REMOVALS = 3  # `recheck` found sources removed since the last re-check
    LOCKED = 75  # another run holds the archive (EX_TEMPFAIL: try again later, as cron would)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM): systemd or cron stopped the run before its end
