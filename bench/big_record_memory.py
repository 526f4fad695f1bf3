"""Peak memory of every command that reads a big record (issue 24): import, verify, show --raw,
export wacz, export check.

    .venv/bin/python bench/big_record_memory.py [--mb 1024]
    .venv/bin/python bench/big_record_memory.py --crawl [--mb 1024]

With --crawl the big record is written by a crawl instead (a page with a --mb MiB video from a
local site, bench/media_memory.py's), so `verify` and `export check` run the WARC validator over
it as over any file of ours (an imported file is checked only for whole records).

Writes a `.warc.gz` holding one small page and one response whose body is --mb MiB of random
bytes (in a gzip member of stored deflate blocks: random bytes do not compress), imports it into a
fresh archive, then runs each command on it and prints its peak RSS (getrusage of the child) next
to the same command's peak on an archive of the small page alone. Compare with the crawl's own
figure for a big body (bench/media_memory.py).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import uuid
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20
URL = "http://bench.example.org/big.mp4"


def record_head(uri: str, length: int) -> bytes:
    return (
        f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        f"WARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def small_page() -> bytes:
    body = b"<html><head><title>small</title></head><body><p>a page</p></body></html>"
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(record_head("http://bench.example.org/", len(block)) + block + b"\r\n\r\n") + (
        compressor.flush()
    )


def write_warc(path: Path, size: int) -> None:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: %d\r\n\r\n" % size
    rng = random.Random(24)
    with path.open("wb") as out:
        out.write(small_page())
        if not size:
            return
        compressor = zlib.compressobj(0, zlib.DEFLATED, 31)
        out.write(compressor.compress(record_head(URL, len(http) + size) + http))
        left = size
        while left:
            n = min(left, 16 * MIB)
            out.write(compressor.compress(rng.randbytes(n)))
            left -= n
        out.write(compressor.compress(b"\r\n\r\n") + compressor.flush())


def peak(*args: str | Path) -> tuple[int, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sourcekeeper", *map(str, args)], cwd=ROOT, env=env, stdout=sink
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024


def crawled(mb: int) -> None:
    """verify, export wacz and export check of archives a crawl wrote: a page alone, and a page
    with a video of mb MiB."""
    sys.path.insert(0, str(ROOT))
    from sourcekeeper.demo.rawsite import ServedSite  # noqa: PLC0415

    os.environ["BENCH_MEDIA_MB"] = str(mb)
    crawl = ["archive", "--no-extract", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
    crawl += ["-s", "DOWNLOAD_TIMEOUT=600", "-s", "ARCHIVE_ALLOW_PRIVATE=127.0.0.0/8"]
    rows: dict[str, list[str]] = {}
    with (
        ServedSite(f"{ROOT}/bench/media_memory.py:ROUTES") as site,
        tempfile.TemporaryDirectory(prefix="big-record-") as scratch,
    ):
        for label, path in (("page", "/page.html"), ("video", "/video.html")):
            archive = Path(scratch) / label
            code, mb_crawl = peak(*crawl, "--archive", archive, site.url(path))
            rows.setdefault("archive (crawl)", []).append(f"{mb_crawl:6.0f} MiB (exit {code})")
            package = Path(scratch) / f"{label}.wacz"
            for name, command in {
                "verify": ("verify",),
                "export wacz": ("export", "wacz", package),
                "export check": ("export", "check", package),
            }.items():
                code, used = peak(*command, "--archive", archive)
                rows.setdefault(name, []).append(f"{used:6.0f} MiB (exit {code})")
    print(f"{'command':16} {'page alone':>20} {mb:>10} MiB video")
    for name, figures in rows.items():
        print(f"{name:16} {figures[0]:>20} {figures[1]:>20}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--crawl", action="store_true", help="the big record written by a crawl")
    args = parser.parse_args()
    if args.crawl:
        crawled(args.mb)
        return
    with tempfile.TemporaryDirectory(prefix="big-record-") as scratch:
        rows: dict[str, list[str]] = {}
        for label, size in (("small", 0), (f"{args.mb} MiB", args.mb * MIB)):
            folder = Path(scratch) / label.replace(" ", "")
            folder.mkdir()
            warc = folder / "in.warc.gz"
            write_warc(warc, size)
            archive = folder / "archive"
            package = folder / "out.wacz"
            commands = {
                "import": ("import", warc, "--no-extract", "-s", "ARCHIVE_IMPORT_MAX_RATIO=0"),
                "verify": ("verify",),
                "show --raw": ("show", "--raw", URL if size else "http://bench.example.org/"),
                "export wacz": ("export", "wacz", package),
                "export check": ("export", "check", package),
            }
            for name, command in commands.items():
                code, mb = peak(*command, "--archive", archive)
                rows.setdefault(name, []).append(f"{mb:6.0f} MiB (exit {code})")
        print(f"{'command':14} {'small archive':>20} {args.mb:>10} MiB record")
        for name, figures in rows.items():
            print(f"{name:14} {figures[0]:>20} {figures[1]:>20}")


if __name__ == "__main__":
    main()
