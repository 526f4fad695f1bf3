"""Manners of a command-line tool: quiet when the reader of a pipe goes away, one line and exit 130
on Ctrl-C, whatever the command was doing.

- `sourcekeeper search 劝返 --json | head -1`: once `head` exits, the next write fails with EPIPE.
  That ends the command quietly (exit 0: the reader chose to stop); stdout is pointed at
  /dev/null first, so the interpreter's final flush cannot print a second error.
- Ctrl-C during a crawl: Scrapy's own handler stops the crawl gracefully (the WARC is closed, the
  run marked interrupted, so the same command resumes it); `run_spider` then raises
  KeyboardInterrupt, and the command ends like every other one: one line on stderr, exit 130.
  SIGTERM (systemd, cron) keeps its graceful stop and the command's usual summary and exit code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any


def quiet_broken_pipe() -> int:
    """After a BrokenPipeError on stdout: silence stdout for the rest of the process; exit code."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a crawl, which closed cleanly: its run summary, for the one line."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__()
        self.summary = summary


def interrupted_line(command: str | None, exc: BaseException) -> str:
    name = f"sourcekeeper {command}" if command else "sourcekeeper"
    if not isinstance(exc, Interrupted):
        return f"{name}: interrupted"
    run = exc.summary.get("run")
    done = f" (run {run}: {exc.summary.get('captured', 0)} captured so far)" if run else ""
    return f"{name}: interrupted{done}; run the same command again to resume"


class SigintWatch:
    """Notes whether the crawl's graceful shutdown was asked for by SIGINT (not SIGTERM)."""

    def __init__(self) -> None:
        self.sigint = False

    def install(self, process: Any) -> None:
        """Wrap CrawlerProcess._signal_shutdown: Scrapy installs the handler it finds on the
        instance when the reactor starts, so the wrapper sees every first signal."""
        original = process._signal_shutdown

        def shutdown(signum: int, frame: Any) -> None:
            if signum == signal.SIGINT:
                self.sigint = True
            original(signum, frame)

        process._signal_shutdown = shutdown
