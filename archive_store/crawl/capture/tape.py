"""The bytes of one HTTP exchange as they crossed the connection: what the recording protocol
tapes (handler), a media body spools on (mediastream), and the session writes into records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, BinaryIO


class ExchangeTape:
    """The bytes of one request and its response as they crossed the connection."""

    __slots__ = (
        "frozen",
        "ip_address",
        "limit",
        "overflowed",
        "received",
        "sent",
        "size",
        "spool",
        "started",
        "tls",
    )

    def __init__(self, ip_address: str | None, limit: int) -> None:
        self.started = datetime.now(UTC)
        self.ip_address = ip_address
        self.sent = bytearray()
        self.received = bytearray()
        self.limit = limit  # stop taping past the size limit; the record is marked truncated
        self.overflowed = False
        self.size = 0  # bytes taped, in `received` or in the spool file
        # a media body (request.meta "archive_stream") goes on to a file instead of memory
        self.spool: BinaryIO | None = None
        self.frozen = False  # the exchange is being recorded: later bytes are not part of it
        self.tls: dict[str, Any] | None = None  # tlsfacts.connection_facts of an HTTPS exchange

    def on_received(self, data: bytes) -> None:
        if self.frozen:
            return
        room = self.limit - self.size if self.limit else len(data)
        if room < len(data):
            self.overflowed = True
            data = data[: max(room, 0)]
        self.size += len(data)
        if self.spool is not None:
            self.spool.write(data)
        else:
            self.received += data

    def take_spool(self) -> BinaryIO:
        """The spool file, to read on another thread: nothing more is written to it after this
        (a timed-out or cut connection may still deliver a few bytes)."""
        assert self.spool is not None
        self.frozen = True
        return self.spool

    def spool_to(self, handle: BinaryIO, limit: int) -> None:
        """Tape the rest of the exchange into `handle` (from what was received so far), up to
        `limit` bytes in all (0: no limit)."""
        handle.write(self.received)
        self.received = bytearray()
        self.spool = handle
        self.limit = limit
