"""Peak memory of archiving a page with a large video (issue 18): streamed vs held in memory.

    .venv/bin/python bench/media_memory.py [--mb 200]

Three crawls of one page each, against a local site serving a body of --mb MiB (1 MiB blocks):
  page only    the page alone (what a crawl costs without the video)
  media        the page with <video src=big.mp4>: fetched as media, spooled and streamed to the WARC
  attachment   the same bytes linked as <a href=big.zip> with DOWNLOAD_MAXSIZE raised above them:
               the ordinary (in-memory) capture path, for comparison
Peak RSS is the crawl process's maximum resident set (getrusage of the waited-for child). Prints one
line per crawl and checks that the stored video payload has the size served.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sourcekeeper.demo.rawsite import RawReply, RawRequest, Send, ServedSite, SiteState, page, status_head  # noqa: E402

MIB = 1 << 20


@cache
def block() -> bytes:
    return bytes(range(256)) * (MIB // 256)


def big(req: RawRequest, site: SiteState) -> RawReply:
    mb = int(os.environ.get("BENCH_MEDIA_MB", "200"))
    content_type = b"video/mp4" if req.path.endswith(".mp4") else b"application/zip"
    head = status_head(200, b"OK", [(b"Content-Type", content_type), (b"Content-Length", b"%d" % (mb * MIB))])
    return [Send(head), *[Send(block())] * mb]


def html(body: str) -> RawReply:
    return page(f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>".encode())


ROUTES = {
    "/page.html": lambda req, site: html("<p>no video</p>"),
    "/video.html": lambda req, site: html('<video src="/big.mp4"></video>'),
    "/attachment.html": lambda req, site: html('<a href="/big.zip">download</a>'),
    "/big.mp4": big,
    "/big.zip": big,
}


def crawl(url: str, archive: Path, *settings: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one `sourcekeeper archive` run in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    args = [sys.executable, "-m", "sourcekeeper", "archive", "--archive", str(archive), "--no-extract", url]
    # the site is on loopback, which the archive refuses unless allowed (issue 16)
    fast = [
        "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=False",
        "DOWNLOAD_TIMEOUT=600",
        "ARCHIVE_ALLOW_PRIVATE=127.0.0.0/8",
    ]
    fast += settings
    for setting in fast:
        args += ["-s", setting]
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode(errors="replace"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: a smaller later one does not lower it
    return elapsed, (peak if peak > before else float("nan")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    os.environ["BENCH_MEDIA_MB"] = str(args.mb)
    raise_limit = f"DOWNLOAD_MAXSIZE={(args.mb + 50) * MIB}"
    with ServedSite(f"{__file__}:ROUTES") as site, tempfile.TemporaryDirectory() as tmp:
        # smallest first: getrusage reports the largest child so far
        runs = [
            ("page only", site.url("/page.html"), ()),
            ("media", site.url("/video.html"), ()),
            ("attachment", site.url("/attachment.html"), (raise_limit, "ARCHIVE_ATTACHMENT_EXTENSIONS=zip")),
        ]
        for name, url, settings in runs:
            archive = Path(tmp) / name.replace(" ", "-")
            seconds, peak = crawl(url, archive, *settings)
            shown = "  <= previous" if math.isnan(peak) else f"{peak:7.0f} MiB"
            print(f"{name:11} {args.mb:4d} MiB body: peak RSS {shown}, {seconds:5.1f} s", flush=True)
            if name != "page only":
                stored = stored_size(archive)
                if stored != args.mb * MIB:
                    raise SystemExit(
                        f"{name}: the archive holds {stored} bytes of the body, not {args.mb * MIB}"
                    )


def stored_size(archive: Path) -> int:
    with sqlite3.connect(archive / "index.sqlite3") as db:
        row = db.execute("SELECT payload_length FROM captures WHERE url LIKE '%/big.%'").fetchone()
    return int(row[0]) if row else -1


if __name__ == "__main__":
    main()
