"""Stopping is prompt and honest: the first Ctrl-C (or SIGTERM) stops fetching at once, gives the
downloads in flight a moment, closes the WARC, prints one line and exits 130 (143); the same
command resumes; a second Ctrl-C ends the process at once; a killed crawl leaves no worker behind.

Every crawl here runs against a site of its own (its mode is switched: slow pages, then fast).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import ROOT
from warcio.archiveiterator import ArchiveIterator

from sourcekeeper.demo.rawsite import ServedSite

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "ARCHIVE_ALLOW_PRIVATE": "true"}
# polite defaults off, but a per-site limit, so most seeds wait in the downloader's queue (as the
# politeness settings make them wait in a real crawl: that queue is what a stop must not drain)
SETTINGS = [
    *("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"),
    *("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "DOWNLOAD_TIMEOUT=30", "-s", "RETRY_TIMES=0"),
    *("-s", "EXTRACT_PROCESSES=1"),  # a worker process, which Ctrl-C used to kill with a traceback
]
FAST_SEEDS = 3
SLOW_SEEDS = 12
SLOW_MS = 8000
STOP_LINE = re.compile(
    r"^sourcekeeper (?P<command>\w+): (?P<what>interrupted|stopped by SIGTERM): (?P<captured>\d+) captured, "
    r"(?P<pending>\d+) not yet fetched; run the same command to resume; "
    r"(?P<again>Ctrl-C|SIGTERM) again to stop at once$"
)


@pytest.fixture
def site() -> Iterator[ServedSite]:
    with ServedSite("tests/mocksite.py:ROUTES") as served:
        yield served


def seeds(site: ServedSite) -> list[str]:
    fast = [site.url(f"/unique?i={i}") for i in range(FAST_SEEDS)]
    return fast + [site.url(f"/slow-unique?i={i}&ms={SLOW_MS}") for i in range(SLOW_SEEDS)]


def start(argv: list[str | Path], log: Path) -> subprocess.Popen[bytes]:
    """`sourcekeeper ARGV` in a session of its own (so a signal to its group reaches only it and
    its children, as Ctrl-C reaches the foreground job), stderr into `log`."""
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "sourcekeeper", *map(str, argv)],
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
        )  # fmt: skip


def wait_for(check, what: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert proc.poll() is None, f"the command ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def slow_hits(site: ServedSite) -> int:
    return sum(n for target, n in site.hits().items() if target.startswith("/slow-unique"))


def crawl_in_flight(site: ServedSite, archive: Path, proc: subprocess.Popen[bytes]) -> None:
    """Until the fast seeds are in the WARC and slow ones are being fetched."""
    wait_for(lambda: any((archive / "warcs").glob("*.open")), "the first capture", proc)
    wait_for(lambda: slow_hits(site) >= 2, "the slow downloads", proc)


def finish(proc: subprocess.Popen[bytes], log: Path, timeout: float) -> tuple[int, str, float]:
    """Exit code, stderr and seconds it took to exit (killed after `timeout`)."""
    began = time.monotonic()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail(f"still running {timeout} s after the signal:\n{log.read_text()}")
    return proc.returncode, log.read_text(encoding="utf-8", errors="replace"), time.monotonic() - began


def warc_responses(archive: Path) -> list[str]:
    """The target URIs of every response record, read by warcio from the closed WARCs."""
    uris = []
    for path in sorted((archive / "warcs").glob("*.warc.gz")):
        with path.open("rb") as handle:
            uris += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)
                     if r.rec_type == "response"]  # fmt: skip
    return uris


def run_status(archive: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(archive / "index.sqlite3") as db:
        return list(db.execute("SELECT id, status FROM runs ORDER BY id"))


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_the_first_signal_stops_promptly_and_the_same_command_resumes(site, tmp_path, signum, code):
    archive = tmp_path / "archive"
    argv: list[str | Path] = ["archive", "--archive", archive, *SETTINGS, *seeds(site)]
    proc = start(argv, tmp_path / "first.log")
    crawl_in_flight(site, archive, proc)
    asked = slow_hits(site)
    os.killpg(proc.pid, signum)  # what a terminal does on Ctrl-C; systemd sends SIGTERM alike
    returncode, stderr, took = finish(proc, tmp_path / "first.log", timeout=20)

    assert returncode == code, stderr
    assert took < 10, f"took {took:.1f} s to stop"  # grace 3 s; before: every queued seed fetched
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    (line,) = stderr.strip().splitlines()
    match = STOP_LINE.match(line)
    assert match, line
    assert match["command"] == "archive"
    assert (match["what"], match["again"]) == (
        ("interrupted", "Ctrl-C") if signum == signal.SIGINT else ("stopped by SIGTERM", "SIGTERM")
    )
    assert int(match["captured"]) >= FAST_SEEDS
    assert int(match["captured"]) + int(match["pending"]) == FAST_SEEDS + SLOW_SEEDS
    # nothing new was asked of the site once the stop began (Scrapy's per-site limit lets more
    # requests than CONCURRENT_REQUESTS_PER_DOMAIN go at times: two more may be on the way)
    assert slow_hits(site) <= asked + 2, (asked, site.hits())
    # the WARC was closed cleanly and warcio reads it; the run is resumable
    assert not list((archive / "warcs").glob("*.open"))
    fast = {site.url(f"/unique?i={i}") for i in range(FAST_SEEDS)}
    assert fast <= set(warc_responses(archive))
    assert run_status(archive) == [(1, "interrupted")]
    if signum == signal.SIGTERM:
        return  # resuming is the same after either

    site.set_mode("after")  # the slow pages answer at once now
    again = start(argv, tmp_path / "again.log")
    returncode, stderr, _ = finish(again, tmp_path / "again.log", timeout=120)
    assert returncode == 0, stderr
    assert "run 1 (finished)" in stderr  # the same run, resumed
    assert set(warc_responses(archive)) == set(seeds(site))
    hits = site.hits()
    assert all(hits[url.removeprefix(site.base_url)] == 1 for url in fast)  # not fetched again
    assert run_status(archive) == [(1, "finished")]


@pytest.mark.slow
def test_a_second_ctrl_c_stops_at_once_and_the_next_run_recovers(site, tmp_path):
    archive = tmp_path / "archive"
    grace = ["-s", "ARCHIVE_STOP_GRACE=30"]  # a first Ctrl-C alone would wait for the slow pages
    argv: list[str | Path] = ["archive", "--archive", archive, *SETTINGS, *grace, *seeds(site)]
    proc = start(argv, tmp_path / "first.log")
    crawl_in_flight(site, archive, proc)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    returncode, _, took = finish(proc, tmp_path / "first.log", timeout=15)
    time.sleep(1)  # what a helper process that outlived the crawl by a moment might still print
    stderr = (tmp_path / "first.log").read_text()

    assert returncode == 130, stderr
    assert took < 3, f"took {took:.1f} s after the second Ctrl-C"
    assert "Traceback" not in stderr, stderr
    first, second = stderr.strip().splitlines()
    assert STOP_LINE.match(first), first
    assert second.startswith("sourcekeeper archive: stopped at once"), second
    assert list((archive / "warcs").glob("*.open"))  # cut short; the next run closes it

    site.set_mode("after")
    again = start(argv, tmp_path / "again.log")
    returncode, stderr, _ = finish(again, tmp_path / "again.log", timeout=120)
    assert returncode == 0, stderr
    assert not list((archive / "warcs").glob("*.open"))
    assert set(warc_responses(archive)) == set(seeds(site))


def _children(pid: int) -> set[int]:
    """The live descendants of `pid` (zombies, already dead, left out)."""
    found: set[int] = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            child = int(status.parent.name)
            found |= {child, *_children(child)}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_the_crawl_leaves_no_worker_behind(site, tmp_path):
    archive = tmp_path / "archive"
    pages = [site.url(f"/unique?i={i}") for i in range(4)] + [site.url("/large-page-with-attachments")]
    pages += [site.url(f"/slow-unique?i={i}&ms={SLOW_MS}") for i in range(4)]
    more = ["-s", "EXTRACT_PROCESSES=2", "-s", "ARCHIVE_ATTACHMENT_EXTENSIONS=none"]
    proc = start(["archive", "--archive", archive, *SETTINGS, *more, *pages], tmp_path / "log")
    # the extraction pool's two workers, the link-scan worker and multiprocessing's resource tracker
    wait_for(lambda: len(_children(proc.pid)) >= 4, "the worker processes", proc)
    children = _children(proc.pid)
    proc.kill()  # SIGKILL to the crawl alone: nothing of it runs any more
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children if _alive(pid)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after the crawl was killed: {left}"


@pytest.mark.slow
def test_recheck_stopped_by_sigterm_exits_143(site, tmp_path):
    archive = tmp_path / "archive"
    site.set_mode("after")
    urls = seeds(site)
    first = start(["archive", "--archive", archive, *SETTINGS, "--no-extract", *urls], tmp_path / "a.log")
    assert finish(first, tmp_path / "a.log", timeout=120)[0] == 0
    site.set_mode("before")
    before = slow_hits(site)
    proc = start(["recheck", "--archive", archive, *SETTINGS], tmp_path / "recheck.log")
    wait_for(lambda: slow_hits(site) >= before + 2, "the slow re-checks", proc)
    os.killpg(proc.pid, signal.SIGTERM)  # a systemd timer's unit stopped
    returncode, stderr, took = finish(proc, tmp_path / "recheck.log", timeout=20)
    assert returncode == 143, stderr  # before: 0, as if the re-check had run to its end
    assert took < 10 and "Traceback" not in stderr, stderr
    (line,) = stderr.strip().splitlines()
    match = STOP_LINE.match(line)
    assert match and match["command"] == "recheck" and match["again"] == "SIGTERM", line
    assert int(match["captured"]) + int(match["pending"]) == FAST_SEEDS + SLOW_SEEDS


def _big_warc(path: Path, records: int) -> None:
    """A WARC of many small HTML responses (its import, with extraction, takes a while)."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for i in range(records):
            body = f"<html><head><title>通知 {i}</title></head><body><p>{'正文。' * 50}{i}</p></body></html>"
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                f"http://example.org/n/{i}.html",
                "response",
                payload=BytesIO(body.encode()),
                http_headers=headers,
            )
            writer.write_record(record)


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_import_stopped_by_a_signal_exits_143_or_130_and_resumes(tmp_path, signum, code):
    records = 400
    source = tmp_path / "other-tool.warc.gz"
    _big_warc(source, records)
    archive = tmp_path / "archive"
    log = tmp_path / "import.log"
    proc = start(["import", "--archive", archive, source], log)
    wait_for(lambda: any((archive / "warcs").glob("*.warc.gz")), "the import to begin", proc)
    os.killpg(proc.pid, signum)
    returncode, stderr, took = finish(proc, log, timeout=15)
    assert returncode == code, stderr
    assert took < 5 and "Traceback" not in stderr, stderr
    what = "interrupted" if signum == signal.SIGINT else "stopped by SIGTERM"
    assert stderr.strip() == f"sourcekeeper import: {what}; run the same command to resume"
    if signum == signal.SIGINT:
        return  # resuming is the same after either
    again = start(["import", "--archive", archive, source], tmp_path / "again.log")
    returncode, stderr, _ = finish(again, tmp_path / "again.log", timeout=120)
    assert returncode == 0, stderr
    assert f"{records} records" in stderr, stderr
    with sqlite3.connect(archive / "index.sqlite3") as db:
        (responses,) = db.execute("SELECT count(*) FROM captures WHERE record_type = 'response'").fetchone()
    assert responses == records


def test_the_stop_line_and_exit_codes():
    from sourcekeeper.manners import Interrupted, Terminated, exit_code_for, interrupted_line, stopping_line

    assert exit_code_for(KeyboardInterrupt()) == 130
    assert exit_code_for(Terminated()) == 143
    assert exit_code_for(Interrupted({}, signal.SIGTERM, announced=True)) == 143
    assert interrupted_line("archive", Interrupted({}, signal.SIGINT, announced=True)) is None
    assert interrupted_line("search", KeyboardInterrupt()) == "sourcekeeper search: interrupted"
    line = stopping_line("archive", signal.SIGINT, 5, 15)
    assert line == (
        "sourcekeeper archive: interrupted: 5 captured, 15 not yet fetched; "
        "run the same command to resume; Ctrl-C again to stop at once"
    )
    assert STOP_LINE.match(line)


POOL_SCRIPT = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from archive_store.crawl.children import QuietSpawnContext, watch_parent

context = QuietSpawnContext()
pool = ProcessPoolExecutor(2, mp_context=context, initializer=watch_parent, initargs=(os.getpid(),))
futures = [pool.submit(time.sleep, 0.3) for _ in range(2)]
[f.result() for f in futures]
print(*pool._processes, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_ignore_ctrl_c_and_die_with_their_parent():
    """The mechanism alone, without a crawl: a worker of the pool the crawl uses survives SIGINT
    and SIGTERM (its parent decides), and ends when its parent is killed, as does the tracker."""
    parent = subprocess.Popen(
        [sys.executable, "-c", POOL_SCRIPT], env=ENV, stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2
        helpers = _children(parent.pid)  # the workers and multiprocessing's resource tracker
        assert set(workers) < helpers
        for worker in workers:
            os.kill(worker, signal.SIGINT)
            os.kill(worker, signal.SIGTERM)
        time.sleep(0.5)
        assert all(_alive(worker) for worker in workers)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in helpers if _alive(pid)]
    finally:
        for pid in _children(parent.pid):
            os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
