"""scrapyd, as docs/scale-out.md documents it: a real scrapyd on 127.0.0.1 schedules the `urls` spider,
which writes WARCs, the index and the custody log into the archive folder a setting names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from archive_helpers import FAST, ROOT, records_for, run_cli
from services import free_port, wait_until

pytestmark = pytest.mark.slow


def _call(base: str, path: str, data: list[tuple[str, str]] | None = None) -> dict[str, object]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(base + path, data=body, timeout=30) as answer:
        result: dict[str, object] = json.loads(answer.read())
    return result


@pytest.fixture
def scrapyd(tmp_path) -> Iterator[str]:
    """scrapyd started inside a Scrapy project of its own (a scrapy.cfg naming our settings
    module), so project `default` runs the checkout's spiders without an egg."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapy.cfg").write_text(
        "[settings]\ndefault = settings\n\n[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\nlogs_dir = {home / 'logs'}\neggs_dir = {home / 'eggs'}\n"
        f"dbs_dir = {home / 'dbs'}\npoll_interval = 0.5\n",
        "utf-8",
    )
    log = (home / "scrapyd.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=home,
        env={**_environ(), "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until(lambda: _answers(base), "scrapyd")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _environ() -> dict[str, str]:
    return dict(os.environ)


def _answers(base: str) -> bool:
    try:
        return _call(base, "daemonstatus.json").get("status") == "ok"
    except OSError:
        return False


def test_scrapyd_schedules_a_crawl_that_writes_to_the_archive(scrapyd, mocksite, tmp_path):
    archive = tmp_path / "archive"
    seeds = tmp_path / "report-42.txt"
    url = mocksite.url("/gbk/page.html")
    seeds.write_text(url + "\n", "utf-8")
    fast = [value for flag, value in zip(FAST[::2], FAST[1::2], strict=True) if flag == "-s"]
    settings = [f"ARCHIVE_DIR={archive}", "ARCHIVE_ALLOW_PRIVATE=127.0.0.0/8", *fast]
    data = [("project", "default"), ("spider", "urls"), ("seeds", str(seeds))]
    data += [("setting", value) for value in settings]
    scheduled = _call(scrapyd, "schedule.json", data)
    assert scheduled.get("status") == "ok", scheduled
    job = str(scheduled["jobid"])

    def finished() -> bool:
        jobs = _call(scrapyd, "listjobs.json?project=default")
        return any(j.get("id") == job for j in jobs.get("finished", []))  # type: ignore[attr-defined]

    deadline = time.monotonic() + 180
    while not finished():
        assert time.monotonic() < deadline, "the scrapyd job did not finish"
        time.sleep(0.5)
    (response,) = records_for(archive, url)
    assert response.block.startswith(b"HTTP/1.1 200")
    shown = run_cli("show", url, "--json", "--archive", archive)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["http_status"] == 200
    custody = [json.loads(line) for line in (archive / "custody.jsonl").read_text("utf-8").splitlines()]
    assert {"run_started", "file_closed", "run_finished"} <= {e["event"] for e in custody}
    verified = run_cli("verify", "--archive", archive)
    assert verified.returncode == 0, verified.stdout + verified.stderr
