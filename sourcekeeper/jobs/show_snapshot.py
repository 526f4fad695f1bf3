"""`show URL --screenshot` / `--pdf`: write the stored PNG or PDF of a rendered capture to stdout."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from archive_store.crawl.render.records import rendered_block, rendered_for
from sourcekeeper.urltext import shown

if TYPE_CHECKING:
    import argparse

    from archive_store.index.database import ArchiveIndex


_SUFFIX = {"screenshot": "png", "pdf": "pdf"}


def write_snapshot(index: ArchiveIndex, args: argparse.Namespace, capture: Any) -> int:
    kind = "screenshot" if args.screenshot else "pdf"
    found = rendered_for(index, capture.id).get(kind)
    if found is None:
        hint = "archive it with --screenshot (or --render always)"
        print(
            f"sourcekeeper show: no {kind} of {shown(capture.url)} "
            f"({capture.captured_at:%Y-%m-%d %H:%M}); {hint}",
            file=sys.stderr,
        )
        return 1
    if sys.stdout.isatty():
        print(
            f"sourcekeeper show: the {kind} is binary; redirect it to a file (> page.{_SUFFIX[kind]})",
            file=sys.stderr,
        )
        return 2
    sys.stdout.buffer.write(rendered_block(index, args.archive / "warcs", found))
    sys.stdout.buffer.flush()
    return 0
