"""The CLI starts fast: registering the commands, and `show`, load no crawler or document library.

Each check runs in a fresh interpreter, since this test process has imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from archive_helpers import ROOT

from archive_store.export.replay import DEFAULT_PORT
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Capture
from sourcekeeper.commands import replay as cmd_replay

# what only crawling, verifying, exporting or reading reports needs (top-level package names)
CRAWL_AND_DOCUMENTS = {"scrapy", "twisted", "cryptography", "pypdf", "docx", "redis", "boto3", "trafilatura"}
URL = "https://www.example.gov.cn/a.html"


def _modules_after(code: str) -> set[str]:
    """The modules loaded once `code` ran in a fresh interpreter (it may print to stdout)."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def _packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_registering_the_commands_imports_no_library():
    modules = _modules_after("from sourcekeeper.cli import build_parser\nbuild_parser()")
    heavy = _packages(modules) & (CRAWL_AND_DOCUMENTS | {"sqlalchemy"})
    assert not heavy, f"importing the CLI loads {sorted(heavy)}: import them in the command that needs them"
    assert "archive_store.export.replay" not in modules


def test_show_imports_the_index_only(tmp_path: Path):
    archive = tmp_path / "archive"
    archive.mkdir()
    index = ArchiveIndex(default_db_url(archive))
    index.add_capture(
        Capture(
            url=URL,
            method="GET",
            captured_at=datetime(2024, 6, 1, 8, 0, 0),
            warc_date="2024-06-01T08:00:00Z",
            http_status=200,
            record_type="response",
            record_id="<urn:uuid:00000000-0000-0000-0000-000000000001>",
            warc_file="example.warc.gz",
            warc_offset=0,
            warc_length=100,
            payload_digest="sha1:AAAA",
            block_digest="sha1:BBBB",
            payload_length=10,
            chunked=False,
            state="ok",
            hop=0,
        )
    )
    index.close()
    code = (
        "from sourcekeeper.cli import main\n"
        f"assert main(['show', '--json', '--archive', {str(archive)!r}, {URL!r}]) == 0"
    )
    modules = _modules_after(code)
    assert "sqlalchemy" in _packages(modules)  # the lookup itself ran
    # nor Alembic: the index is at the newest revision, which costs two small queries to see
    heavy = _packages(modules) & (CRAWL_AND_DOCUMENTS | {"alembic"})
    assert not heavy, f"`show` loads {sorted(heavy)}"


def test_replay_default_port_is_the_servers():
    assert cmd_replay.DEFAULT_PORT == DEFAULT_PORT


def test_a_crawl_loads_neither_the_remote_control_nor_the_extractors(mocksite, tmp_path: Path) -> None:
    """Scrapy imports every extension it lists to find out it is off; the remote control's aiohttp
    server cost up to 0.35 s a crawl. And with --no-extract, no extraction library is loaded."""
    archive, url = tmp_path / "archive", mocksite.url("/plain")
    loaded = _modules_after(
        "from pathlib import Path\n"
        "from sourcekeeper.jobs.archive import crawl_urls\n"
        f"summary = crawl_urls(Path({str(archive)!r}), [{url!r}], None, {{'DOWNLOAD_DELAY': '0'}},"
        " extract=False)\n"
        "assert summary['captured'] == 1, summary"
    )
    assert "scrapy" in loaded  # it did crawl
    assert not loaded & {"aiohttp", "scrapy.extensions.remote_control", "trafilatura", "htmldate"}
