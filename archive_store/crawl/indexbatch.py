"""The index batcher: a crawl's captures are committed to the index in batches, not one by one.

At most `INDEX_BATCH_ROWS` captures, at most `INDEX_BATCH_SECONDS` after the first (a commit per
capture was half the index's cost on the reactor thread). The capture_facts rows of a batch are
written with it. A capture lost with its batch is in a WARC still `.open`, which recovery indexes;
the writer closes a WARC only after its batch is committed (`complete_for_file`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive_store.index.facts import add_facts
from archive_store.warc.writer import ArchiveWriteError

INDEX_BATCH_ROWS = 200
INDEX_BATCH_SECONDS = 1.0
INDEX_FAILED = object()  # what the session's `index_result` returns when the index refused a write


class IndexBatcher:
    """Commits the index's uncommitted captures on size or on a timer; `index_call` runs an index
    write and returns False when the index refused it (the session then stops the crawl)."""

    def __init__(self, index: Any, index_call: Callable[..., bool], error: Callable[[], object]) -> None:
        self.index = index
        self._index_call = index_call
        self._error = error  # the index's refusal, for the message of a WARC left `.open`
        self._timer: Any = None
        # capture_facts rows, written with the batch of the captures they describe
        self.pending_facts: list[Any] = []

    def capture_indexed(self) -> None:
        if self.index.uncommitted_captures >= INDEX_BATCH_ROWS:
            self.commit()
        elif self.index.uncommitted_captures and self._timer is None:
            from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor, at call time)

            timer_reactor: Any = reactor
            self._timer = timer_reactor.callLater(INDEX_BATCH_SECONDS, self.commit)

    def commit(self) -> bool:
        self.cancel()
        if not self._index_call(self.index.commit_captures):
            return False
        facts, self.pending_facts = self.pending_facts, []
        return not facts or self._index_call(add_facts, self.index, facts)

    def cancel(self) -> None:
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None

    def complete_for_file(self) -> None:
        """Before the writer closes a WARC: every capture in it is committed to the index (after
        the close, recovery would no longer find the file), or the WARC stays `.open`."""
        if not self.commit():
            raise ArchiveWriteError(0, f"cannot write to the index: {self._error()}")
