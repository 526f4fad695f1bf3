"""Manners of a command-line tool: a listing whose reader went away ends quietly; Ctrl-C ends any
command with one line and exit 130; sites are asked for Chinese, and the warcinfo says so."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from archive_helpers import FAST, ROOT, archive_cli, records_for, warc_files

from archive_store.warc.members import iter_records

ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.5"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def archived(mocksite, tmp_path_factory) -> tuple[Path, str]:
    archive = tmp_path_factory.mktemp("manners") / "archive"
    url = mocksite.url("/gbk/page.html")
    result = archive_cli(archive, url, mocksite.url("/plain"), "-s", "EXTRACT_PROCESSES=0")
    assert result.returncode == 0, result.stderr
    return archive, url


def _into_a_closed_pipe(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run with stdout on a pipe whose reader is already gone (as after `| head -1` exits)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "sourcekeeper", *map(str, args)],
            cwd=ROOT, env=ENV, stdout=writer, stderr=subprocess.PIPE, timeout=240, check=False,
        )  # fmt: skip
    finally:
        os.close(writer)


LISTINGS = {
    "search": lambda a, u: ("search", "劝返", "--json", "--archive", a),
    "history": lambda a, u: ("history", u, "--json", "--archive", a),
    "history-text": lambda a, u: ("history", u, "--archive", a),
    "report": lambda a, u: ("report", "--json", "--archive", a),
    "report-text": lambda a, u: ("report", "--archive", a),
    "show-json": lambda a, u: ("show", u, "--json", "--archive", a),
    "show-text": lambda a, u: ("show", u, "--text", "--archive", a),
    "show-raw": lambda a, u: ("show", u, "--raw", "--archive", a),
    "recheck": lambda a, u: ("recheck", "--json", "--archive", a, *FAST, "-s", "EXTRACT_PROCESSES=0"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_a_listing_into_a_closed_pipe_ends_quietly(archived, name):
    archive, url = archived
    result = _into_a_closed_pipe(*LISTINGS[name](archive, url))
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr
    assert result.returncode in (0, 3), stderr  # 3: recheck found a removal, not a pipe problem


@pytest.mark.slow
def test_report_piped_into_head(archived):
    archive, _ = archived
    line = f"{sys.executable} -m sourcekeeper report --json --archive {archive} | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=ROOT, env=ENV,
                            capture_output=True, timeout=120, check=False)  # fmt: skip
    assert b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr, result.stderr
    assert result.returncode == 0 and result.stdout.count(b"\n") == 1


def _interrupt_after_start(argv: list[str | Path], ready: str | Path) -> tuple[int, str]:
    """Start a command, wait until it prints a line on stdout (`ready` a string) or the file
    `ready` exists, send SIGINT to its process group (what a terminal sends on Ctrl-C); exit code
    and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sourcekeeper", *map(str, argv)],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    if isinstance(ready, Path):
        deadline = time.monotonic() + 90
        while not ready.exists():
            assert time.monotonic() < deadline and proc.poll() is None, "the crawl did not start"
            time.sleep(0.05)
    else:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=90), "the command did not start"
        proc.stdout.readline()
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=90)
    return proc.returncode, stderr.decode("utf-8", "replace")


@pytest.mark.slow
def test_ctrl_c_during_a_crawl_is_one_line_and_130(mocksite, tmp_path):
    slow = [mocksite.url(f"/slow?ms=5000&n={n}") for n in range(3)]
    archive = tmp_path / "archive"
    argv = ["archive", "--archive", archive, *FAST, *slow, "--no-extract"]
    code, stderr = _interrupt_after_start(argv, archive / "custody.jsonl")  # the run has started
    assert code == 130, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    line = stderr.strip()
    assert line == (
        "sourcekeeper archive: interrupted: 0 captured, 3 not yet fetched; "
        "run the same command to resume; Ctrl-C again to stop at once"
    ), line


@pytest.mark.slow
def test_ctrl_c_during_replay_is_one_line_and_130(archived):
    archive, _ = archived
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, stderr = _interrupt_after_start(["replay", "--archive", archive, "--port", port, "--json"], "url")
    assert code == 130, stderr
    lines = stderr.strip().splitlines()
    assert lines[-1] == "sourcekeeper replay: interrupted", stderr  # after what it printed at start
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in lines)


@pytest.mark.slow
def test_chinese_is_asked_for_and_recorded(archived):
    archive, url = archived
    request = records_for(archive, url, "request")[0]
    assert f"Accept-Language: {ACCEPT_LANGUAGE}\r\n".encode() in request.block
    for warc in warc_files(archive):
        (info,) = [r for r in iter_records(warc) if r.record_type == "warcinfo"]
        assert f"http-header-accept-language: {ACCEPT_LANGUAGE}\r\n".encode() in info.block
