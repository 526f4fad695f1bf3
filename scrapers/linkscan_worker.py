"""The link-scan worker process (see `linkscan`): reads length-prefixed pickle frames
(seq, body, base_url, content_type, extensions) on stdin and answers each with
(seq, PageLinks, error)
on stdout, in order, until its stdin closes."""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from typing import BinaryIO

from archive_store.crawl.children import watch_parent
from scrapers.links import page_links

FRAME_HEAD = struct.Struct(">I")


def encode_frame(message: object) -> bytes:
    """One message on the pipe, either way: its pickle's length, then the pickle."""
    data = pickle.dumps(message, protocol=5)
    return FRAME_HEAD.pack(len(data)) + data


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    while len(head := source.read(FRAME_HEAD.size)) == FRAME_HEAD.size:
        (size,) = FRAME_HEAD.unpack(head)
        seq, body, base_url, content_type, extensions = pickle.loads(source.read(size))
        reply: tuple[int, tuple[list[str], bool] | None, str | None]
        try:
            found = page_links(body, base_url, content_type, extensions)
            reply = (seq, (found.links, found.wechat_article), None)
        except Exception as exc:  # the parent scans that page itself, and raises it there
            reply = (seq, None, f"{type(exc).__name__}: {exc}")
        sink.write(encode_frame(reply))
        sink.flush()


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group, SIGTERM from systemd the whole control group: the
    # crawl decides when this worker stops (it closes the worker's stdin), and the worker ends by
    # itself if the crawl is killed (its parent's pid is the argument)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    serve(sys.stdin.buffer, sys.stdout.buffer)
