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
import json
import signal
import subprocess
import sys
from typing import Any

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
    with `started` (from `start_sourcekeeper`), `command` (SOURCEKEEPER + its arguments) runs in it."""
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
