"""Worker processes that read documents, each under a memory limit (RLIMIT_AS, inherited by the OCR
and DOC tools it runs) and every document under a time limit: the worker stops itself between
pages when the time is up and keeps what it read; a worker still busy a few seconds past it (stuck
inside a library) is killed and replaced, and the document recorded as `timeout`. A worker that
dies (out of memory in a library that cannot say so) is replaced the same way.

`ReaderPool.read` blocks until the answer: call it from threads (the crawl's item pipeline runs it
in a thread pool, so the reactor never waits), or directly in a command such as `reextract`."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import queue
import resource
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from pipelines.doctext.model import FAILED, TIMEOUT, DocumentText, Limits
from pipelines.doctext.read import read_document

logger = logging.getLogger(__name__)
# how long past its time limit a worker may take to answer before it is killed
GRACE_SECONDS = 5.0
_MB = 1024 * 1024


@dataclass(frozen=True)
class DocumentJob:
    """One document to read (picklable)."""

    data: bytes
    name: str  # its URL
    content_type: str | None
    truncated: bool = False


def _serve(
    connection: multiprocessing.connection.Connection,
    limits: Limits,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    """A worker's loop: one job in, one DocumentText out, until the pipe closes."""
    if initializer is not None:
        initializer(*initargs)
    limit = limits.max_memory_mb * _MB
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit already set is kept
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            job: DocumentJob = connection.recv()
        except (EOFError, OSError):
            return
        doc = read_document(job.data, job.name, job.content_type, limits, truncated=job.truncated)
        try:
            connection.send(doc)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(
        self, context: BaseContext, limits: Limits, initializer: Any, initargs: tuple[Any, ...]
    ) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, limits, initializer, initargs), name="document-reader", daemon=True
        )
        self.process.start()
        child.close()

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if kill and self.process.is_alive():
            self.process.kill()  # our own child, by its handle
        self.process.join(timeout=10)


class ReaderPool:
    """`processes` worker processes, started on first use, reading one document each at a time."""

    def __init__(
        self,
        processes: int,
        limits: Limits,
        *,
        context: BaseContext | None = None,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self.processes = max(processes, 1)
        self.limits = limits
        self._context = context or multiprocessing.get_context("spawn")
        self._initializer = initializer
        self._initargs = initargs
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.processes)
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._closed = False
        self.replaced = 0  # workers killed or dead and started again

    def read(self, job: DocumentJob) -> DocumentText:
        with self._slots:
            worker = self._take()
            try:
                worker.connection.send(job)
                if worker.connection.poll(self.limits.timeout + GRACE_SECONDS):
                    doc: DocumentText = worker.connection.recv()
                    self._idle.put(worker)
                    return doc
                self._drop(worker)
                return DocumentText(format="unknown").skip(
                    TIMEOUT, f"not read within {self.limits.timeout:g} s (the reader was stopped)"
                )
            except (EOFError, OSError, BrokenPipeError):
                code = worker.process.exitcode
                self._drop(worker)
                how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                return DocumentText(format="unknown").skip(
                    FAILED, f"the reader process ended while reading it ({how}; out of memory?)"
                )

    def _take(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._closed:
                raise RuntimeError("the document readers are closed")
            worker = _Worker(self._context, self.limits, self._initializer, self._initargs)
            self._all.add(worker)
            return worker

    def _drop(self, worker: _Worker) -> None:
        worker.stop(kill=True)
        with self._lock:
            self._all.discard(worker)
            self.replaced += 1

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid is not None]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
        if workers:
            logger.debug("document readers closed (%d replaced)", self.replaced)
