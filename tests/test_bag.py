"""`export bag DIR`: a BagIt bag of the closed WARCs and their evidence that bagit.py accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from archive_helpers import archive_cli, cli_here, warc_files

from archive_store.evidence.exports import export_entries
from archive_store.warc.writer import file_sha256

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

BAGIT = Path(sys.executable).parent / "bagit.py"


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("bag") / "archive"
    urls = [mocksite.url(p) for p in ("/plain", "/gbk/page.html", "/same/a", "/same/b")]
    result = archive_cli(archive, *urls, "--no-extract", "-s", "ARCHIVE_WARC_MAX_SIZE=3000")
    assert result.returncode == 0, result.stderr
    return archive


@pytest.fixture(scope="module")
def bag(crawled, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bags") / "deposit"
    result = cli_here("export", "bag", out, "--archive", crawled)
    assert result.returncode == 0, result.stderr
    return out


def test_bagit_accepts_the_bag(bag):
    result = subprocess.run([BAGIT, "--validate", bag], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    assert b"is valid" in result.stderr


def test_the_bag_holds_the_warcs_their_cdxj_manifest_and_custody_log(crawled, bag):
    data = bag / "data"
    warcs = warc_files(crawled)
    assert len(warcs) >= 2
    for warc in warcs:
        assert (data / "warcs" / warc.name).read_bytes() == warc.read_bytes()
        assert (data / "indexes" / f"{warc.name}.cdxj").exists()
    assert (data / "manifest-sha256.txt").exists() and (data / "custody.jsonl").exists()
    # the archive's own manifest still checks out inside the bag, with the standard tool
    check = subprocess.run(
        ["sha256sum", "-c", "manifest-sha256.txt"], cwd=data, capture_output=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    info = (bag / "bag-info.txt").read_text()
    assert "Bag-Software-Agent: sourcekeeper" in info and "Payload-Oxum" in info


def test_the_export_is_recorded_and_verify_watches_it(crawled, bag):
    tag_manifest = bag / "tagmanifest-sha256.txt"
    assert export_entries(crawled)[str(tag_manifest)] == file_sha256(tag_manifest)
    events = [json.loads(line) for line in (crawled / "custody.jsonl").read_text().splitlines()]
    assert any(e["event"] == "exported" and e["kind"] == "bag" for e in events)
    assert cli_here("verify", "--archive", crawled).returncode == 0


def test_an_existing_folder_is_never_used(crawled, tmp_path):
    (tmp_path / "taken").mkdir()
    result = cli_here("export", "bag", tmp_path / "taken", "--archive", crawled)
    assert result.returncode == 2 and "exists" in result.stderr
    assert list((tmp_path / "taken").iterdir()) == []


def test_a_bag_changed_after_export_is_named_by_verify(crawled, tmp_path):
    out = tmp_path / "second"
    assert cli_here("export", "bag", out, "--archive", crawled).returncode == 0
    with (out / "data" / "custody.jsonl").open("a") as handle:
        handle.write("{}\n")
    result = cli_here("verify", "--archive", crawled)
    assert result.returncode == 1 and f"{out}: the exported bag changed" in result.stderr
    bagit = subprocess.run([BAGIT, "--validate", out], capture_output=True, check=False)
    assert bagit.returncode != 0
