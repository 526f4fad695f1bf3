"""Manners of a command-line tool: quiet when the reader of a pipe goes away, one line and exit 130
on Ctrl-C, whatever the command was doing.

- `sourcekeeper search 劝返 --json | head -1`: once `head` exits, the next write fails with EPIPE.
  That ends the command quietly (exit 0: the reader chose to stop); stdout is pointed at
  /dev/null first, so the interpreter's final flush cannot print a second error.
- Ctrl-C during a crawl: the crawl stops promptly and gracefully (nothing new is fetched, what is
  in flight gets a few seconds, the WARC is closed, the run marked interrupted, so the same command
  resumes it) and says so in one line at once (`stopping_line`); `run_spider` then raises
  `Interrupted`, and the command ends with exit 130. A second Ctrl-C ends it at once. SIGTERM
  (systemd, cron) does the same with exit 143, so a stopped run never looks like a success.
- Ctrl-C or SIGTERM outside a crawl: KeyboardInterrupt / `Terminated` ends the command after its
  cleanup, with one line on stderr and 130 / 143.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import Any


def quiet_broken_pipe() -> int:
    """After a BrokenPipeError on stdout: silence stdout for the rest of the process; exit code."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM outside a crawl's reactor: ends a command the way Ctrl-C does, with exit code 143."""

    signum = signal.SIGTERM


class Interrupted(KeyboardInterrupt):
    """A crawl stopped by a signal. `announced`: its one line was printed when the stop began
    (`stopping_line`); `at_once`: a second signal (or a stop that overran) ended it before the run
    was closed, so the process exits at once (the unfinished WARC is recovered by the next run)."""

    def __init__(
        self,
        summary: dict[str, Any],
        signum: int = signal.SIGINT,
        *,
        announced: bool = False,
        at_once: bool = False,
    ) -> None:
        super().__init__()
        self.summary = summary
        self.signum = signum
        self.announced = announced
        self.at_once = at_once


# the subcommand running (for the lines printed while it stops); set by cli.main
current_command: str | None = None

# commands whose next run with the same arguments picks up where a stopped one ended
RESUMABLE = frozenset({"archive", "crawl", "recheck", "worker", "import", "reextract"})


def exit_code_for(exc: BaseException) -> int:
    """128 + the signal: 130 for Ctrl-C (SIGINT), 143 for SIGTERM."""
    return 128 + int(getattr(exc, "signum", signal.SIGINT))


def _name(command: str | None) -> str:
    return f"sourcekeeper {command}" if command else "sourcekeeper"


def stopping_line(command: str | None, signum: int, captured: int, not_fetched: int) -> str:
    """The one line of a crawl's first Ctrl-C (or SIGTERM), printed when the stop begins."""
    again = "Ctrl-C again" if signum == signal.SIGINT else "SIGTERM again"
    what = "interrupted" if signum == signal.SIGINT else "stopped by SIGTERM"
    return (
        f"{_name(command)}: {what}: {captured} captured, {not_fetched} not yet fetched; "
        f"run the same command to resume; {again} to stop at once"
    )


def interrupted_line(command: str | None, exc: BaseException) -> str | None:
    """The line a stopped command ends with; None when the stop already printed its line."""
    name = _name(command)
    what = "stopped by SIGTERM" if exit_code_for(exc) == 128 + signal.SIGTERM else "interrupted"
    resume = "; run the same command to resume" if command in RESUMABLE else ""
    if isinstance(exc, Interrupted) and exc.at_once:
        return f"{name}: stopped at once; the next run closes the unfinished WARC file{resume}"
    if isinstance(exc, Interrupted) and exc.announced:
        return None
    return f"{name}: {what}{resume}"


# The stop a signal asked for, kept as well as raised: an exception raised while Python runs a
# weakref or garbage-collector callback (SQLAlchemy has such callbacks) is printed as "Exception
# ignored" and dropped, and the command would run on to the end and exit 0 as if never stopped.
pending_stop: KeyboardInterrupt | None = None


def raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    global pending_stop  # noqa: PLW0603 (the one place a signal is recorded)
    pending_stop = Terminated()
    raise pending_stop


def raise_interrupted(_signum: int, _frame: FrameType | None) -> None:
    global pending_stop  # noqa: PLW0603
    pending_stop = KeyboardInterrupt()
    raise pending_stop


def _quiet_about_stops(unraisable: Any) -> None:
    """A stop swallowed in a callback is not printed (it is kept in `pending_stop`)."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    _previous_unraisablehook(unraisable)


_previous_unraisablehook = sys.unraisablehook


def install_stop_handlers() -> None:
    """Ctrl-C raises KeyboardInterrupt, SIGTERM Terminated: a command's cleanup (`finally`) runs,
    then the one line and 130 / 143. A crawl's reactor replaces them while it runs (runner)."""
    global pending_stop  # noqa: PLW0603
    pending_stop = None
    signal.signal(signal.SIGINT, raise_interrupted)
    signal.signal(signal.SIGTERM, raise_terminated)
    sys.unraisablehook = _quiet_about_stops
