"""Several crawls in one process on one reactor (sourcekeeper.jobs.one_reactor), as `sourcekeeper
demo` runs its steps: each keeps its own run, WARC file and summary."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.slow  # crawls (in a child python, so this process's reactor stays free)

TWO_CRAWLS = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from sourcekeeper.demo.rawsite import ServedSite
    from sourcekeeper.jobs.archive import crawl_urls
    from sourcekeeper.jobs.one_reactor import one_reactor, running
    from sourcekeeper.jobs.runner import build_settings

    archive = Path(sys.argv[1])
    settings = {"ARCHIVE_ALLOW_PRIVATE": "127.0.0.0/8", "DOWNLOAD_DELAY": "0", "EXTRACT_PROCESSES": "0"}
    with ServedSite("sourcekeeper.demo.site:DEMO_ROUTES") as site:
        with one_reactor(build_settings(archive, settings, extract=False, log_level="WARNING")):
            first = crawl_urls(archive, [site.url("/xxgk/tzgg/index.html")], None, settings)
            second = crawl_urls(archive, [site.url("/xxgk/tzgg/index_1.html")], None, settings)
        print(json.dumps({"runs": [first, second], "after": running(), "base": site.base_url}))
    """
)


def _urls(warc: Path) -> set[str]:
    with warc.open("rb") as stream:
        return {
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(stream)
            if r.rec_type == "response"
        }


def test_two_crawls_on_one_reactor_each_get_their_run_and_warc(tmp_path):
    archive = tmp_path / "archive"
    done = subprocess.run(
        [sys.executable, "-c", TWO_CRAWLS, str(archive)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    first, second = out["runs"]
    assert (first["reason"], second["reason"]) == ("finished", "finished")
    assert first["run"] != second["run"]
    assert (first["failed"], second["failed"]) == (0, 0)
    assert not out["after"]  # the reactor's thread ended with the block
    first_files = [archive / "warcs" / name for name in first["files"]]
    second_files = [archive / "warcs" / name for name in second["files"]]
    assert first_files and second_files and not set(first_files) & set(second_files)
    base = out["base"]
    assert f"{base}/xxgk/tzgg/index.html" in set().union(*map(_urls, first_files))
    assert f"{base}/xxgk/tzgg/index_1.html" in set().union(*map(_urls, second_files))
    assert f"{base}/xxgk/tzgg/index_1.html" not in set().union(*map(_urls, first_files))


def test_ctrl_c_during_the_demos_recheck_stops_that_crawl_and_the_demo(tmp_path):
    """The re-check step crawls on the demo's reactor, in the demo's process: the first Ctrl-C
    stops that crawl promptly with its one line, the demo ends with 130, the archive verifies."""
    archive = tmp_path / "demo-archive"
    warcs = archive / "warcs"
    demo = subprocess.Popen(
        [sys.executable, "-m", "sourcekeeper", "demo", "--archive", str(archive)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            if "Re-checking every archived URL" in line:
                break
        deadline = time.monotonic() + 120
        # steps 1 and 2 wrote a WARC file each: the re-check's is its crawl under way
        while len(list(warcs.glob("*.warc.gz"))) < 3 and time.monotonic() < deadline:
            assert demo.poll() is None, demo.stderr.read() if demo.stderr else ""
            time.sleep(0.05)
        demo.send_signal(signal.SIGINT)
        stdout, stderr = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.communicate()
    assert demo.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "sourcekeeper demo: interrupted:" in stderr and "run the same command to resume" in stderr
    assert "5. Writing the report" not in stdout  # the demo did not go on to the next step
    verified = subprocess.run(
        [sys.executable, "-m", "sourcekeeper", "verify", "--archive", str(archive)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
