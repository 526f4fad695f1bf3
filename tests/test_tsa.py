"""RFC 3161 trusted time: `archive --tsa URL` against a local TSA made with `openssl ts -reply`."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from archive_helpers import ROOT, archive_cli, cli_here, warc_files

from archive_store.evidence.tsa import token_path, verify_token
from archive_store.warc.writer import file_sha256

FIXTURES = ROOT / "tests" / "fixtures" / "tsa"
pytestmark = [
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command"),
    pytest.mark.slow,  # crawls in subprocesses (see conftest.py)
]


def _openssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True)


def make_ca(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    return folder / "ca.pem"


def make_tsa(folder: Path) -> Path:
    """CA + TSA certificate (extendedKeyUsage critical timeStamping) + `openssl ts` config."""
    make_ca(folder, "sourcekeeper test TSA root")
    _openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=sourcekeeper test TSA",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "tsa.pem", "-days", "2", "-extfile", FIXTURES / "tsa-cert.ext",
        cwd=folder,
    )  # fmt: skip
    (folder / "serial").write_text("01\n")
    config = (FIXTURES / "openssl-tsa.cnf").read_text().replace("{dir}", str(folder))
    (folder / "tsa.cnf").write_text(config)
    return folder / "tsa.cnf"


@dataclass
class LocalTsa:
    url: str
    ca: Path
    requests: int = 0


def _handler(config: Path, tsa: LocalTsa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the TSA protocol over HTTP (RFC 3161 section 3.4)
            query = self.rfile.read(int(self.headers["Content-Length"]))
            tsa.requests += 1
            with tempfile.TemporaryDirectory() as scratch:
                (Path(scratch) / "q.tsq").write_bytes(query)
                _openssl(
                    "ts",
                    "-reply",
                    "-config",
                    config,
                    "-queryfile",
                    "q.tsq",
                    "-out",
                    "r.tsr",
                    cwd=Path(scratch),
                )
                reply = (Path(scratch) / "r.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def local_tsa(tmp_path_factory) -> Iterator[LocalTsa]:
    folder = tmp_path_factory.mktemp("tsa")
    config = make_tsa(folder)
    tsa = LocalTsa("", folder / "ca.pem")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(config, tsa))
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/tsr"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tsa
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def stamped(mocksite, local_tsa, tmp_path_factory) -> Path:
    """An archive written with --tsa and a small WARC size, so several WARCs close and get tokens."""
    archive = tmp_path_factory.mktemp("stamped") / "archive"
    urls = [mocksite.url(p) for p in ("/plain", "/gbk/page.html", "/gzip")]
    result = archive_cli(
        archive, *urls, "--no-extract", "--tsa", local_tsa.url,
        "-s", f"ARCHIVE_TSA_CA={local_tsa.ca}", "-s", "ARCHIVE_WARC_MAX_SIZE=3000",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return archive


def _custody(archive: Path) -> list[dict]:
    return [json.loads(line) for line in (archive / "custody.jsonl").read_text().splitlines()]


def _copy(archive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(archive, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def test_each_closed_warc_gets_a_token_a_third_party_can_check(stamped, local_tsa):
    warcs = warc_files(stamped)
    assert len(warcs) >= 2
    for warc in warcs:
        token = token_path(warc)
        assert token.exists(), warc.name
        # what docs/evidence.md tells a third party to run
        check = subprocess.run(
            ["openssl", "ts", "-verify", "-digest", file_sha256(warc), "-in", token, "-CAfile", local_tsa.ca],
            capture_output=True,
            check=False,
        )
        assert check.returncode == 0 and b"Verification: OK" in check.stdout, check.stderr
    events = {e["file"]: e for e in _custody(stamped) if e["event"] == "timestamped"}
    assert set(events) == {w.name for w in warcs}
    assert all(e["tsa"] == local_tsa.url and e["ca"].startswith("tsa/ca-") for e in events.values())
    assert (stamped / events[warcs[0].name]["ca"]).read_bytes() == local_tsa.ca.read_bytes()
    assert cli_here("verify", "--archive", stamped).returncode == 0


def test_verify_names_a_token_that_fails_or_is_missing(stamped, tmp_path):
    archive = _copy(stamped, tmp_path)
    warc = warc_files(archive)[0]
    token = token_path(warc)
    data = bytearray(token.read_bytes())
    data[len(data) // 2] ^= 0xFF
    token.write_bytes(bytes(data))
    result = cli_here("verify", "--archive", archive)
    assert result.returncode == 1 and f"warcs/{token.name}: RFC 3161 token does not verify" in result.stderr
    token.unlink()
    result = cli_here("verify", "--archive", archive)
    assert result.returncode == 1 and f"warcs/{warc.name}: no RFC 3161 token" in result.stderr


def test_a_token_does_not_verify_for_other_bytes(stamped, local_tsa):
    warc = warc_files(stamped)[0]
    assert verify_token(token_path(warc), file_sha256(warc), local_tsa.ca) is None
    other = "0" * 64
    assert verify_token(token_path(warc), other, local_tsa.ca) is not None
    assert verify_token(token_path(warc), other, None) is not None


def test_without_a_ca_the_token_is_still_checked_for_integrity(stamped, tmp_path):
    warc = warc_files(stamped)[0]
    assert verify_token(token_path(warc), file_sha256(warc), None) is None
    broken = tmp_path / token_path(warc).name
    data = bytearray(token_path(warc).read_bytes())
    data[-20] ^= 0xFF  # inside the signature
    broken.write_bytes(bytes(data))
    assert verify_token(broken, file_sha256(warc), None) is not None


def test_a_tsa_that_is_down_never_costs_the_capture(mocksite, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    archive = tmp_path / "archive"
    result = archive_cli(
        archive, mocksite.url("/plain"), "--no-extract", "--tsa", f"http://127.0.0.1:{closed_port}/"
    )
    assert result.returncode == 0, result.stderr
    (warc,) = warc_files(archive)
    assert not token_path(warc).exists()
    failed = [e for e in _custody(archive) if e["event"] == "timestamp_failed"]
    assert failed and failed[0]["file"] == warc.name and "did not answer" in failed[0]["reason"]
    verify = cli_here("verify", "--archive", archive)
    assert verify.returncode == 1 and f"warcs/{warc.name}: no RFC 3161 token" in verify.stderr


def test_a_token_from_an_untrusted_tsa_is_refused(mocksite, local_tsa, tmp_path):
    stranger = make_ca(tmp_path / "stranger", "some other root")
    archive = tmp_path / "archive"
    result = archive_cli(
        archive,
        mocksite.url("/plain"),
        "--no-extract",
        "--tsa",
        local_tsa.url,
        "-s",
        f"ARCHIVE_TSA_CA={stranger}",
    )
    assert result.returncode == 0, result.stderr
    (warc,) = warc_files(archive)
    assert not token_path(warc).exists()
    failed = [e for e in _custody(archive) if e["event"] == "timestamp_failed"]
    assert failed and "does not verify" in failed[0]["reason"]
