"""`export wacz`: WACZ 1.1.1 (Z-1..Z-4), byte-for-byte record copies, revisit originals, signing."""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from archive_helpers import archive_cli, cli_here, warc_files
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from archive_store.audit.verify import verify_archive
from archive_store.evidence.exports import export_entries
from archive_store.export.pywb_env import pywb_python, wayback_command
from archive_store.export.wacz import ExportError, export_wacz
from archive_store.export.waczcheck import check_wacz
from archive_store.export.waczselect import ExportFilter
from archive_store.export.waczsign import public_key_der
from archive_store.index.cdxj import parse_cdxj
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.validate.validator import validate_collection
from archive_store.warc.members import iter_members, iter_records
from archive_store.warc.writer import file_sha256

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

PATHS = ["/redirect/301", "/gbk/page.html", "/gzip", "/same/a", "/same/b"]
WACZ_CLI = Path(sys.executable).parent / "wacz"


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("wacz") / "archive"
    result = archive_cli(archive, *(mocksite.url(p) for p in PATHS), "-s", "EXTRACT_PROCESSES=0")
    assert result.returncode == 0, result.stderr
    return archive


@pytest.fixture(scope="module")
def full_export(crawled, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "all.wacz"
    result = cli_here("export", "wacz", out, "--archive", crawled, "--title", "测试导出")
    assert result.returncode == 0, result.stderr
    return out


def _key(tmp_path: Path, curve: ec.EllipticCurve, name: str = "key.pem") -> Path:
    key = ec.generate_private_key(curve)
    path = tmp_path / name
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def _paths_in(lines: list[str]) -> set[str]:
    return {urlsplit(e.fields["url"]).path for e in parse_cdxj("\n".join(lines), "index")}


def test_py_wacz_validates_the_package(full_export):
    result = subprocess.run([WACZ_CLI, "validate", "-f", full_export], capture_output=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert b"Validation succeeded" in result.stdout


def test_z1_to_z4_hold(full_export):
    assert check_wacz(full_export) == []  # our own check, over what `wacz validate` skips
    with zipfile.ZipFile(full_export) as package:
        names = package.namelist()
        # Z-1 layout
        assert {
            "datapackage.json",
            "datapackage-digest.json",
            "pages/pages.jsonl",
            "indexes/index.cdx",
        } <= set(names)
        assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
        # Z-4 WARCs and indexes stored, not recompressed
        for info in package.infolist():
            if info.filename.startswith(("archive/", "indexes/")):
                assert info.compress_type == zipfile.ZIP_STORED, info.filename
        # Z-2 datapackage
        data = json.loads(package.read("datapackage.json"))
        assert data["profile"] == "data-package" and data["wacz_version"] == "1.1.1"
        assert data["title"] == "测试导出" and data["created"].endswith("Z") and data["software"]
        assert data["mainPageUrl"] and data["mainPageDate"]
        listed = {r["path"]: r for r in data["resources"]}
        assert set(listed) == set(names) - {"datapackage.json", "datapackage-digest.json"}
        for name, resource in listed.items():
            content = package.read(name)
            assert resource["bytes"] == len(content)
            assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        digest = json.loads(package.read("datapackage-digest.json"))
        assert digest["path"] == "datapackage.json"
        assert digest["hash"] == "sha256:" + hashlib.sha256(package.read("datapackage.json")).hexdigest()
        # Z-3 pages carry title and the extracted text
        lines = package.read("pages/pages.jsonl").decode("utf-8").splitlines()
        header = json.loads(lines[0])
        assert header["format"] == "json-pages-1.0" and header["id"] == "pages"
        pages = {urlsplit(p["url"]).path: p for p in map(json.loads, lines[1:])}
        assert {"url", "ts", "title", "text"} <= pages["/gbk/page.html"].keys()
        # the notice's own headline, not its <title> ("测试县公安局 通知公告": the site and the column)
        assert pages["/gbk/page.html"]["title"] == "关于进一步做好在外人员劝返工作的通知"
        assert "劝返" in pages["/gbk/page.html"]["text"]


def test_package_records_are_byte_copies_of_the_archive_members(crawled, full_export, tmp_path):
    source_members = {}
    for warc in warc_files(crawled):
        raw = warc.read_bytes()
        source_members[warc.name] = [raw[m.offset : m.offset + m.length] for m in iter_members(warc)]
    with zipfile.ZipFile(full_export) as package:
        inner = [n for n in package.namelist() if n.startswith("archive/")]
        for name in inner:
            copy = tmp_path / Path(name).name
            copy.write_bytes(package.read(name))
            raw = copy.read_bytes()
            members = [raw[m.offset : m.offset + m.length] for m in iter_members(copy)]
            original = source_members[copy.name]
            assert members[0] == original[0]  # the source's warcinfo comes first
            assert all(m in original for m in members)
            types = [r.record_type for r in iter_records(copy)]
            assert {"request", "response", "revisit", "metadata"} <= set(types)
        # our structural validator on the package WARCs: every Concurrent-To / Refers-To resolves
        assert validate_collection(sorted(tmp_path.glob("*.warc.gz"))) == []


def _revisit_path(archive: Path) -> tuple[str, str]:
    """(revisit, original) among /same/a and /same/b: fetched concurrently, either can be first."""
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        (revisit,) = [c for c in index.all_captures() if c.record_type == "revisit"]
    finally:
        index.close()
    path = urlsplit(revisit.url).path
    return path, "/same/a" if path == "/same/b" else "/same/b"


def test_a_filtered_export_brings_the_original_of_its_revisit(crawled, mocksite, tmp_path):
    revisit, original = _revisit_path(crawled)
    out = tmp_path / "revisit.wacz"
    result = cli_here("export", "wacz", out, "--archive", crawled, "--url-prefix", mocksite.url(revisit))
    assert result.returncode == 0, result.stderr
    assert check_wacz(out) == []
    with zipfile.ZipFile(out) as package:
        index = package.read("indexes/index.cdx").decode().splitlines()
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").decode().splitlines()[1:]]
        data = json.loads(package.read("datapackage.json"))
    assert _paths_in(index) == {revisit, original}  # W-REV-4: the original is in the WACZ
    assert [urlsplit(p["url"]).path for p in pages] == [revisit]  # but it is not a page
    assert data["sourcekeeper"]["revisit_originals"] == 1


def test_time_filters_and_an_empty_selection(crawled, tmp_path):
    empty = tmp_path / "none.wacz"
    result = cli_here("export", "wacz", empty, "--archive", crawled, "--until", "2000-01-01")
    assert result.returncode == 1 and "no capture" in result.stderr
    assert not empty.exists()
    wide = export_wacz(
        crawled, tmp_path / "wide.wacz", ExportFilter(None, datetime(2000, 1, 1), datetime(2999, 1, 1))
    )
    assert wide.captures == 7
    bad = cli_here("export", "wacz", tmp_path / "x.wacz", "--archive", crawled, "--since", "yesterday")
    assert bad.returncode == 2


def test_a_warc_still_being_written_is_never_packed(crawled, tmp_path):
    archive = tmp_path / "copy"
    shutil.copytree(crawled, archive, ignore=shutil.ignore_patterns(".lock"))
    with sqlite3.connect(archive / "index.sqlite3") as db:
        db.execute("UPDATE warc_files SET status = 'open'")  # W-FILE-3: as during a crawl
    with pytest.raises(ExportError, match="still being written"):
        export_wacz(archive, tmp_path / "x.wacz", ExportFilter())
    assert not (tmp_path / "x.wacz").exists()


def test_an_export_never_replaces_a_file(crawled, full_export):
    before = full_export.read_bytes()
    result = cli_here("export", "wacz", full_export, "--archive", crawled)
    assert result.returncode == 2 and "exists" in result.stderr
    assert full_export.read_bytes() == before


def test_exports_are_in_the_custody_log_and_the_exports_manifest(crawled, full_export):
    assert export_entries(crawled)[str(full_export)] == file_sha256(full_export)
    events = [json.loads(line) for line in (crawled / "custody.jsonl").read_text().splitlines()]
    exported = [e for e in events if e["event"] == "exported" and e["path"] == str(full_export)]
    assert exported and exported[0]["kind"] == "wacz" and exported[0]["sha256"] == file_sha256(full_export)


def test_verify_names_an_export_changed_after_it_was_made(crawled, tmp_path):
    out = tmp_path / "changed.wacz"
    export_wacz(crawled, out, ExportFilter())
    assert verify_archive(crawled).ok
    out.write_bytes(out.read_bytes() + b"\0")
    assert f"{out}: SHA-256 differs from exports-sha256.txt" in " ".join(verify_archive(crawled).problems)
    out.unlink()  # an export moved away is not a problem
    assert verify_archive(crawled).ok


@pytest.mark.parametrize("curve", [ec.SECP384R1(), ec.SECP256R1()], ids=["P-384", "P-256"])
def test_a_signed_package_verifies_and_tampering_breaks_it(crawled, tmp_path, curve):
    key = _key(tmp_path, curve)
    out = tmp_path / "signed.wacz"
    export_wacz(crawled, out, ExportFilter(), sign_key=key)
    with zipfile.ZipFile(out) as package:
        signed = json.loads(package.read("datapackage-digest.json"))["signedData"]
        created = json.loads(package.read("datapackage.json"))["created"]
    assert signed["created"] == created and {"hash", "signature", "publicKey", "software"} <= signed.keys()
    assert check_wacz(out, public_key_der(key)) == []
    assert subprocess.run([WACZ_CLI, "validate", "-f", out], capture_output=True, check=False).returncode == 0

    other = _key(tmp_path, curve, "other.pem")
    assert any("different key" in p for p in check_wacz(out, public_key_der(other)))

    retitled = _rewrite(out, tmp_path / "retitled.wacz", "datapackage.json", lambda d: {**d, "title": "x"})
    assert any("does not match datapackage.json" in p for p in check_wacz(retitled))

    def forge(digest: dict) -> dict:
        return {**digest, "signedData": {**digest["signedData"], "hash": "sha256:" + "0" * 64}}

    forged = _rewrite(out, tmp_path / "forged.wacz", "datapackage-digest.json", forge)
    assert any("signature does not verify" in p for p in check_wacz(forged))


def test_the_signed_export_from_the_command_line(crawled, tmp_path):
    key, other = _key(tmp_path, ec.SECP384R1()), _key(tmp_path, ec.SECP384R1(), "other.pem")
    out = tmp_path / "signed.wacz"
    result = cli_here("export", "wacz", out, "--archive", crawled, "--sign-key", key)
    assert result.returncode == 0 and "signed" in result.stderr, result.stderr
    assert cli_here("export", "check", out, "--public-key", key).returncode == 0
    wrong_key = cli_here("export", "check", out, "--public-key", other)
    assert wrong_key.returncode == 1 and "different key" in wrong_key.stderr


def test_a_key_that_cannot_sign_is_a_usage_error(crawled, tmp_path):
    not_a_key = tmp_path / "key.pem"
    not_a_key.write_text("not a key")
    result = cli_here("export", "wacz", tmp_path / "x.wacz", "--archive", crawled, "--sign-key", not_a_key)
    assert result.returncode == 2 and not (tmp_path / "x.wacz").exists()


def test_the_export_replays_in_pywb_as_the_readme_says(full_export, mocksite, tmp_path):
    """`wb-manager add --unpack-wacz`, then pywb (our launcher of `wayback`), from pywb's own environment."""
    bin_dir = pywb_python().parent
    subprocess.run(
        [bin_dir / "wb-manager", "init", "exported"], cwd=tmp_path, check=True, capture_output=True
    )
    subprocess.run(
        [bin_dir / "wb-manager", "add", "--unpack-wacz", "exported", full_export],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    launch = [*wayback_command(), "-p", str(port), "-b", "127.0.0.1"]
    pywb = subprocess.Popen(launch, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        get = _wait_for_http(port)
        gbk = get(f"/exported/id_/{mocksite.url('/gbk/page.html')}")
        assert "劝返" in gbk.decode("gb18030")
        assert get(f"/exported/id_/{mocksite.url('/same/b')}") == get(
            f"/exported/id_/{mocksite.url('/same/a')}"
        )
    finally:
        pywb.terminate()
        pywb.wait(timeout=30)


def _wait_for_http(port: int):
    def get(path: str) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = conn.getresponse()
        assert response.status == 200, path
        return response.read()

    for _ in range(300):  # pywb starts in a few seconds; give up after 30
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return get
        except OSError:
            time.sleep(0.1)
    pytest.fail("pywb did not start")


def _rewrite(source: Path, target: Path, name: str, change) -> Path:
    """A copy of the package with one JSON member changed (as a forger would)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == name:
                data = json.dumps(change(json.loads(data))).encode()
            new.writestr(info, data)
    return target
