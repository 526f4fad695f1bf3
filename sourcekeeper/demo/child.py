"""The demo's later steps run `sourcekeeper …` in child processes; a stop must reach them the way
it reaches a crawl in the demo's own process, and leave their archive closed.

`subprocess.run` answers a KeyboardInterrupt in the parent by killing the child (SIGKILL, after a
quarter of a second): a step's crawl, stopping gracefully on the same Ctrl-C, was cut off with its
WARC still open. Here the child is given its own stop: Ctrl-C from the terminal has reached it
already (the whole foreground process group gets it); a SIGTERM sent to the demo alone is passed
on. The demo then waits for it, as long as a crawl's stop may take, before it ends itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import subprocess
import sys
from typing import Any

from sourcekeeper.jobs import one_reactor
from sourcekeeper.manners import Terminated

# a crawl's stop: its grace (ARCHIVE_STOP_GRACE, 3 s) and the close, with room to spare
STOP_WAIT_SECONDS = 20.0


# a child's command line: `python -m sourcekeeper ARGS…`
SOURCEKEEPER = [sys.executable, "-m", "sourcekeeper"]


def start_sourcekeeper(**kwargs: Any) -> subprocess.Popen[str]:
    """A `python -m sourcekeeper` that imports now and gets its command later (sourcekeeper.demo.warm):
    pass it to `run_child` as `started`. `kwargs` (stdout, stderr) are Popen's."""
    command = [sys.executable, "-m", "sourcekeeper.demo.warm"]
    return subprocess.Popen(command, stdin=subprocess.PIPE, text=True, **kwargs)


def run_child(
    command: list[str], *, started: subprocess.Popen[str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(command, text=True, check=False, **kwargs)`, stopped as described above;
    with `started` (from `start_sourcekeeper`), `command` (SOURCEKEEPER + its arguments) runs in it.
    Inside `one_reactor` (no `started`), a SOURCEKEEPER command runs in this process instead."""
    if started is None and one_reactor.running() and command[: len(SOURCEKEEPER)] == SOURCEKEEPER:
        return _run_here(command, capture_stderr=kwargs.get("stderr") == subprocess.PIPE)
    given = None
    if started is not None:
        given = json.dumps(command[len(SOURCEKEEPER) :]) + "\n"
    with started or subprocess.Popen(command, text=True, **kwargs) as child:
        try:
            stdout, stderr = child.communicate(given)
        except KeyboardInterrupt as exc:
            if isinstance(exc, Terminated):
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
            raise
        return subprocess.CompletedProcess(command, child.returncode, stdout, stderr)


def _run_here(command: list[str], *, capture_stderr: bool) -> subprocess.CompletedProcess[str]:
    """`command` (SOURCEKEEPER + its arguments) run in this process, on the reactor that runs
    already (sourcekeeper.jobs.one_reactor): its stdout (and stderr, if asked) captured as a child's
    would be. A Ctrl-C or SIGTERM during it reaches the caller, as `run_child` passes it on."""
    from sourcekeeper.cli import run_command  # noqa: PLC0415

    stdout, stderr = io.StringIO(), io.StringIO()
    quiet = contextlib.redirect_stderr(stderr) if capture_stderr else contextlib.nullcontext()
    with contextlib.redirect_stdout(stdout), quiet:
        code = run_command(command[len(SOURCEKEEPER) :])
    return subprocess.CompletedProcess(
        command, code, stdout.getvalue(), stderr.getvalue() if capture_stderr else None
    )
