"""Worker processes that leave the stopping to their parent and never outlive it.

A crawl's helpers (the extraction process pool, the link-scan worker) get every Ctrl-C the terminal
sends to the foreground process group, and every SIGTERM systemd sends to the service's control
group. Before this, a Ctrl-C killed the extraction workers with a KeyboardInterrupt traceback each,
and the crawl then failed every later page with BrokenProcessPool; a SIGKILL of the crawl left the
workers (and multiprocessing's resource tracker, which waits for them) running for good. So:

- workers ignore SIGINT and SIGTERM: the parent decides when they stop (it shuts the pool down or
  closes the worker's input as its graceful stop ends); the signals are blocked while a worker is
  started (`QuietSpawnContext`), so even one started at the moment of a Ctrl-C never sees it;
- workers watch their parent: on Linux the kernel sends them SIGKILL when the parent dies
  (`PR_SET_PDEATHSIG`, set through ctypes' prctl); everywhere, a daemon thread checks every second
  that the parent is still the one that started them, and ends the process when it is not.

This module imports nothing of Scrapy: the workers import it (the pool's initializer).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing.context
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_LEFT_TO_PARENT = (signal.SIGINT, signal.SIGTERM)
PARENT_POLL_SECONDS = 1.0


def watch_parent(parent_pid: int, poll: float = PARENT_POLL_SECONDS) -> None:
    """In a worker process: leave SIGINT and SIGTERM to the parent, and end when `parent_pid` is
    no longer this process's parent. A ProcessPoolExecutor initializer (`initargs=(os.getpid(),)`)."""
    for signum in _LEFT_TO_PARENT:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _LEFT_TO_PARENT)  # blocked by QuietSpawnContext
    _die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the kernel was asked to tell us
        os._exit(0)
    threading.Thread(target=_poll_parent, args=(parent_pid, poll), name="watch-parent", daemon=True).start()


def _die_with_parent() -> None:
    """Linux: SIGKILL when the thread that started this process ends (the crawl starts its workers
    from its main thread, so: when the crawl's process ends, however it ends)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _poll_parent(parent_pid: int, poll: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(poll)
    os._exit(0)  # the parent is gone: nobody will read what this worker does next


class QuietSpawnProcess(multiprocessing.context.SpawnProcess):
    """A spawned process started with SIGINT and SIGTERM blocked (the mask is inherited through
    exec), so a signal sent to the process group while it starts waits until `watch_parent` has
    set the worker to ignore it."""

    def start(self) -> None:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _LEFT_TO_PARENT)
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class QuietSpawnContext(multiprocessing.context.SpawnContext):
    """`multiprocessing.get_context("spawn")`, with `QuietSpawnProcess`; for ProcessPoolExecutor's
    `mp_context`, with `initializer=watch_parent, initargs=(os.getpid(),)`."""

    Process = QuietSpawnProcess


def before_exit_at_once() -> None:
    """Before `os._exit` (a second Ctrl-C): unlink the process pool's named semaphores as a normal
    exit would (multiprocessing's own exit-time finalizers of priority 0 and up), so the resource
    tracker, which outlives this process by a moment, has nothing left to warn about on stderr."""
    from multiprocessing import util  # noqa: PLC0415

    run_finalizers = getattr(util, "_run_finalizers", None)  # private, and not in the stubs
    if run_finalizers is not None:
        with contextlib.suppress(Exception):
            run_finalizers(0)
