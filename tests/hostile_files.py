"""Hostile files for `import` (issue 24), each made here in a second or two: decompression bombs
(a gzip member, a WACZ member), damage in the middle of a file, files that are not WARCs at all,
the same WARC under several names in a WACZ, and a big honest record. Big records are written in
pieces, so the test process never holds one whole either.

`run_measured` runs the command line and gives its peak resident memory (the child's own
getrusage), so each case can assert memory as well as its outcome."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archive_helpers import ROOT, CliResult

MIB = 1 << 20
HOST = "http://hostile.example.org"
DATE = "2021-06-01T10:00:00Z"


@dataclass
class Measured:
    result: CliResult
    peak_mb: float


# a parent of its own for each measured run: RUSAGE_CHILDREN of that parent is exactly the one
# command's peak (the test process's own RUSAGE_CHILDREN keeps the maximum of every child it ran)
_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_measured(*args: str | Path, timeout: float = 120) -> Measured:
    """`sourcekeeper ARGS` in a child process; its exit code, output and peak RSS in MiB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as peak:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                _WRAPPER,
                peak.name,
                sys.executable,
                "-m",
                "sourcekeeper",
                *map(str, args),
            ],
            cwd=ROOT,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=timeout,
            check=False,
        )
        peak_kb = int(peak.read() or "0")
    result = CliResult(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        proc.stdout,
    )
    return Measured(result, peak_kb / 1024)


# records ---------------------------------------------------------------------------------------
def warc_head(rtype: str, uri: str | None, length: int, **extra: str) -> bytes:
    fields = [
        ("WARC-Type", rtype),
        ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
        ("WARC-Date", DATE),
    ]
    if uri is not None:
        fields.append(("WARC-Target-URI", uri))
    fields += [(k.replace("_", "-"), v) for k, v in extra.items()]
    fields.append(("Content-Length", str(length)))
    return ("WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n").encode()


def page(n: int) -> bytes:
    body = (
        f"<html><head><meta charset='utf-8'><title>通知第{n}号</title></head><body><article>"
        + "".join(f"<p>县公安局关于开展劝返工作的通知，第{n}号，第{i}段。</p>" for i in range(4))
        + "</article></body></html>"
    ).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + (
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )


def response_record(n: int) -> bytes:
    block = page(n)
    head = warc_head(
        "response", f"{HOST}/notice/{n}.html", len(block), Content_Type="application/http; msgtype=response"
    )
    return head + block + b"\r\n\r\n"


def gz(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def write_pages(path: Path, count: int) -> Path:
    """`count` small HTML responses, one gzip member each."""
    path.write_bytes(b"".join(gz(response_record(n)) for n in range(count)))
    return path


def member_offsets(path: Path) -> list[int]:
    """Where each gzip member of a file written by `write_pages` starts."""
    data = path.read_bytes()
    offsets, pos = [], 0
    while pos < len(data):
        offsets.append(pos)
        inflater = zlib.decompressobj(31)
        inflater.decompress(data[pos:])
        pos = len(data) - len(inflater.unused_data)
    return offsets


def corrupt_member(path: Path, count: int, bad: int) -> tuple[Path, int]:
    """`count` pages with member number `bad` (0-based) damaged inside its deflate data; returns
    the file and the damaged member's offset."""
    write_pages(path, count)
    offset = member_offsets(path)[bad]
    data = bytearray(path.read_bytes())
    for i in range(20, 40):  # past the gzip header: the compressed stream itself
        data[offset + i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path, offset


def big_response_chunks(size: int, *, entropy: bool = True) -> tuple[bytes, Iterator[bytes]]:
    """A response record whose body is `size` bytes: (WARC header + HTTP head, body pieces)."""
    http_head = b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: %d\r\n\r\n" % size
    head = warc_head(
        "response",
        f"{HOST}/big.mp4",
        len(http_head) + size,
        Content_Type="application/http; msgtype=response",
    )

    def pieces() -> Iterator[bytes]:
        rng = random.Random(24)
        left = size
        while left:
            n = min(left, 4 * MIB)
            yield rng.randbytes(n) if entropy else bytes(n)
            left -= n
        yield b"\r\n\r\n"

    return head + http_head, pieces()


def write_big_record(path: Path, size: int, *, entropy: bool = True, level: int = 1) -> Path:
    """A `.warc.gz`: one page, then one response of `size` body bytes in one gzip member (random
    bytes unless entropy=False: zeros, i.e. a decompression bomb), then one more page."""
    first, pieces = big_response_chunks(size, entropy=entropy)
    with path.open("wb") as out:
        out.write(gz(response_record(0)))
        compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
        out.write(compressor.compress(first))
        for piece in pieces:
            out.write(compressor.compress(piece))
        out.write(compressor.flush())
        out.write(gz(response_record(1)))
    return path


def write_zip_bomb_wacz(path: Path, inflated: int) -> Path:
    """A WACZ whose archive/data.warc.gz entry inflates from a few hundred KB to `inflated` bytes."""
    with zipfile.ZipFile(path, "w") as package:
        info = zipfile.ZipInfo("archive/data.warc.gz")
        info.compress_type = zipfile.ZIP_DEFLATED
        with package.open(info, "w", force_zip64=True) as out:
            out.write(gz(response_record(0)))
            zeros = bytes(4 * MIB)
            for _ in range(inflated // len(zeros)):
                out.write(zeros)
        package.writestr("datapackage.json", "{}")
    return path


def write_duplicate_wacz(path: Path, warc: Path, names: list[str]) -> Path:
    """A WACZ holding the same WARC bytes under each of `names` (archive/…)."""
    with zipfile.ZipFile(path, "w") as package:
        for name in names:
            package.write(warc, f"archive/{name}", compress_type=zipfile.ZIP_STORED)
        package.writestr("datapackage.json", "{}")
    return path


def not_warcs(directory: Path) -> dict[str, Path]:
    """Files that start like a WARC or a gzip file and are neither a WARC."""
    made = {
        "random-behind-gzip-magic.warc.gz": b"\x1f\x8b\x08\x00" + random.Random(1).randbytes(64 * 1024),
        "gzipped-text.warc.gz": gz("县公安局通知，不是 WARC。\n".encode() * 200),
        "warc-garbage.warc": b"WARC garbage" + bytes(range(256)) * 4,
    }
    paths = {}
    for name, data in made.items():
        paths[name] = directory / name
        paths[name].write_bytes(data)
    return paths


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
