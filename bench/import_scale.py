"""Time of `import` against the number of records (issue 24): is it linear?

    .venv/bin/python bench/import_scale.py [--counts 10000,100000] [--extract]

Writes a `.warc.gz` of N tiny HTML responses (one gzip member each) per count, imports it into a
fresh archive (`--no-extract` unless --extract: the extractors cost ~10 ms a page on their own)
and prints wall time, CPU time (user + system: what counts on a shared machine), CPU time per
record and the import's peak RSS (getrusage of the child).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def member(data: bytes) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def write_warc(path: Path, count: int) -> None:
    with path.open("wb") as out:
        for n in range(count):
            body = b"<html><head><title>t%d</title></head><body><p>notice %d</p></body></html>" % (n, n)
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
            block = http + body
            head = (
                b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
                b"WARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Target-URI: http://example.org/p%d.html\r\n"
                b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
            ) % (str(uuid.uuid4()).encode(), n, len(block))
            out.write(member(head + block + b"\r\n\r\n"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="10000,100000")
    parser.add_argument("--extract", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-scale-") as scratch:
        for count in (int(c) for c in args.counts.split(",")):
            warc = Path(scratch) / f"r{count}.warc.gz"
            write_warc(warc, count)
            archive = Path(scratch) / f"a{count}"
            command = [sys.executable, "-m", "sourcekeeper", "import", "--archive", str(archive), "-q"]
            command += [] if args.extract else ["--no-extract"]
            started = time.monotonic()
            pid = subprocess.Popen(
                [*command, str(warc)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
            ).pid
            _, status, usage = os.wait4(pid, 0)
            took = time.monotonic() - started
            cpu = usage.ru_utime + usage.ru_stime
            print(
                f"{count:>8} records: {took:7.1f} s wall, {cpu:7.1f} s CPU, "
                f"{1000 * cpu / count:.2f} ms CPU/record, "
                f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB, exit {os.waitstatus_to_exitcode(status)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
