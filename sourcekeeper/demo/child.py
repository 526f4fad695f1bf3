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
import signal
import subprocess
from typing import Any

from sourcekeeper.manners import Terminated

# a crawl's stop: its grace (ARCHIVE_STOP_GRACE, 3 s) and the close, with room to spare
STOP_WAIT_SECONDS = 20.0


def run_child(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(command, text=True, check=False, **kwargs)`, stopped as described above."""
    with subprocess.Popen(command, text=True, **kwargs) as child:
        try:
            stdout, stderr = child.communicate()
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
