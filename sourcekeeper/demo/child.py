"""The demo's later steps run `sourcekeeper …` commands (crawl, recheck, recover) in the demo's
own process, on the reactor its first crawl ran on (sourcekeeper.jobs.one_reactor): a Twisted
reactor cannot be started twice, and a child process per step spent a second or more importing
Scrapy, Twisted, SQLAlchemy and the extraction stack again. A step called on its own (outside
`one_reactor`) runs in a child process as before.

A step's output is captured as a child's would be (its stdout; its stderr when asked), and a
Ctrl-C or SIGTERM during it stops that step's crawl promptly (its own stop handling, its WARC
closed) and then ends the demo, as it ended the child and the demo before.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

# a step's command line: `python -m sourcekeeper ARGS…`, as a person would type it
SOURCEKEEPER = [sys.executable, "-m", "sourcekeeper"]


def run_step(command: list[str], *, capture_stderr: bool = False) -> subprocess.CompletedProcess[str]:
    """`command` (SOURCEKEEPER + its arguments): its exit code and captured stdout (and stderr,
    if asked; otherwise it goes to the caller's). Inside `one_reactor` it runs in this process,
    its crawl on that reactor; elsewhere (a step called on its own) in a child process."""
    from sourcekeeper.cli import run_command  # noqa: PLC0415
    from sourcekeeper.jobs.one_reactor import running  # noqa: PLC0415

    if not running():
        stderr_to = subprocess.PIPE if capture_stderr else None
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=stderr_to, text=True, check=False)
    stdout, stderr = io.StringIO(), io.StringIO()
    quiet = contextlib.redirect_stderr(stderr) if capture_stderr else contextlib.nullcontext()
    try:
        with contextlib.redirect_stdout(stdout), quiet:
            code = run_command(command[len(SOURCEKEEPER) :])
    except KeyboardInterrupt:  # the crawl's stop line was said into the capture: say it here
        print(stderr.getvalue(), file=sys.stderr, end="", flush=True)
        raise
    return subprocess.CompletedProcess(
        command, code, stdout.getvalue(), stderr.getvalue() if capture_stderr else None
    )
