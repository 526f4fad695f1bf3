"""Vantage points (issue 16): fetching through an HTTP proxy or a SOCKS5 proxy started by the test;
the archive says which vantage point fetched each capture, and the proxy password reaches no WARC,
index or log."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import ROOT, all_records, archive_cli, names_failure, records_for, run_cli, warc_files
from tls_servers import free_port, issue, s_server, write_pair

PASSWORD = "s3cret-vantage-pw"


@contextlib.contextmanager
def proxy(kind: str, log: Path, user: str | None = None, name_map: str = "") -> Iterator[int]:
    port = free_port()
    login = [user, PASSWORD] if user else []
    command = [sys.executable, str(ROOT / "tests" / "proxies.py"), kind, str(port), str(log), *login]
    proc = subprocess.Popen(command, env={**os.environ, "PROXY_NAME_MAP": name_map})
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the {kind} proxy did not start")
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _leaks(archive: Path, *texts: str) -> list[str]:
    """Where any of `texts` appears: WARC bytes (decompressed), the index, CDXJ, custody log."""
    found = []
    blobs = [
        (str(r.get("WARC-Record-ID")), b"\n".join([str(r.fields).encode(), r.block]))
        for r in all_records(archive)
    ]
    for path in archive.rglob("*"):
        if path.is_file() and not path.name.endswith(".warc.gz"):
            blobs.append((str(path), path.read_bytes()))
    for where, blob in blobs:
        for text in texts:
            if text.encode() in blob:
                found.append(f"{text} in {where}")
    return found


@pytest.mark.slow
def test_http_proxy_with_a_login_from_the_environment(tmp_path: Path, mocksite: object) -> None:
    log = tmp_path / "proxy.log"
    url = mocksite.url("/plain")  # type: ignore[attr-defined]
    with proxy("http", log, user="archivist") as port:
        archive = tmp_path / "archive"
        result = archive_cli(
            archive,
            "--no-extract",
            "--proxy",
            f"http://archivist@127.0.0.1:{port}",
            url,
            env={"ARCHIVE_PROXY_PASSWORD": PASSWORD},
        )
    assert result.returncode == 0, result.stderr
    assert f"GET {url}\tarchivist:{PASSWORD}" in log.read_text()  # it did go through the proxy
    [response] = records_for(archive, url)
    [request] = records_for(archive, url, "request")
    assert b"Proxy-Authorization: [redacted]" in request.block
    warcinfo = next(r for r in all_records(archive) if r.record_type == "warcinfo")
    assert f"vantage-point: proxy http://archivist@127.0.0.1:{port}".encode() in warcinfo.block
    assert b"WARC-IP-Address is the proxy's address" in warcinfo.block
    [facts] = [r for r in all_records(archive) if r.record_type == "metadata" and b'"vantage"' in r.block]
    assert facts.get("WARC-Refers-To") == response.record_id
    assert f'"vantage": "http://archivist@127.0.0.1:{port}"'.encode() in facts.block
    assert _leaks(archive, PASSWORD) == []
    assert PASSWORD not in result.stderr and PASSWORD not in result.stdout


@pytest.mark.slow
def test_socks5_proxy_for_http_and_https_and_the_policy_behind_it(tmp_path: Path, mocksite: object) -> None:
    log = tmp_path / "socks.log"
    leaf = issue("localhost")
    http_url = mocksite.url("/plain")  # type: ignore[attr-defined]
    with (
        s_server(*write_pair(tmp_path, "leaf", leaf), "-tls1_2") as tls_port,
        proxy("socks5", log, "archivist") as port,
    ):
        https_url = f"https://127.0.0.1:{tls_port}/secure"
        intranet = "http://intranet.gov.cn.example/"
        archive = tmp_path / "archive"
        result = archive_cli(
            archive,
            "--no-extract",
            "--proxy",
            f"socks5://archivist@127.0.0.1:{port}",
            "-s",
            "TWISTED_DNS_RESOLVER=name_map_resolver.MappedResolver",
            http_url,
            https_url,
            intranet,
            env={
                "ARCHIVE_PROXY_PASSWORD": PASSWORD,
                "ARCHIVE_ALLOW_PRIVATE": "127.0.0.0/8",
                "TEST_NAME_MAP": "intranet.gov.cn.example=10.0.0.5",
                "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}",
            },
        )
    assert result.returncode == 1, result.stderr  # the intranet name is refused
    seen = log.read_text()
    http_port = http_url.split(":")[2].split("/")[0]
    assert f"CONNECT 127.0.0.1:{http_port}\tarchivist:{PASSWORD}" in seen
    assert f"CONNECT 127.0.0.1:{tls_port}\tarchivist:{PASSWORD}" in seen
    assert "10.0.0.5" not in seen and "intranet" not in seen  # refused before the proxy heard of it
    assert names_failure(result.stderr, intranet, "refused: private address 10.0.0.5"), result.stderr
    assert records_for(archive, http_url) and records_for(archive, https_url)
    shown = run_cli("show", "--archive", archive, "--json", https_url)
    assert f'"vantage": "socks5://archivist@127.0.0.1:{port}"' in shown.stdout
    assert '"protocol": "TLSv1.2"' in shown.stdout
    assert _leaks(archive, PASSWORD) == []
    assert PASSWORD not in result.stderr
    assert warc_files(archive)


@pytest.mark.slow
def test_a_password_on_the_command_line_is_refused(tmp_path: Path) -> None:
    result = run_cli(
        "archive",
        "--archive",
        tmp_path / "a",
        "--proxy",
        f"socks5://u:{PASSWORD}@127.0.0.1:1080",
        "http://x/",
    )
    assert result.returncode == 2
    assert "ARCHIVE_PROXY_PASSWORD" in result.stderr
    assert PASSWORD not in result.stderr


@pytest.mark.slow
def test_recheck_tries_a_second_vantage_point_before_calling_a_source_unreachable(
    tmp_path: Path, mocksite: object
) -> None:
    """The source's name resolves only at the proxy (as a site may answer only inside China):
    archived through it, then re-checked directly, which fails, and through the fallback."""
    port = mocksite.url("/plain").split(":")[2].split("/")[0]  # type: ignore[attr-defined]
    url = f"http://only-inside.gov.cn.example:{port}/plain"
    archive = tmp_path / "archive"
    log = tmp_path / "socks.log"
    with proxy("socks5", log, name_map="only-inside.gov.cn.example=127.0.0.1") as proxy_port:
        vantage = f"socks5h://127.0.0.1:{proxy_port}"
        first = archive_cli(archive, "--no-extract", "--proxy", vantage, url)
        assert first.returncode == 0, first.stderr
        alone = run_cli("recheck", "--archive", archive, "--json", url)
        checked = run_cli("recheck", "--archive", archive, "--json", "--proxy-fallback", vantage, url)
    assert '"state": "unreachable"' in alone.stdout  # without a second vantage point
    [line] = [json.loads(text) for text in checked.stdout.splitlines() if text.startswith("{")]
    assert line["state"] == "unchanged", line
    assert line["reason"].startswith(f"through {vantage}: ")
    assert "from direct: unreachable (DNS: no such host" in line["reason"]
    assert f"CONNECT only-inside.gov.cn.example:{port}" in log.read_text()  # socks5h: the proxy resolved it
