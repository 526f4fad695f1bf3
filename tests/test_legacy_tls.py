"""Legacy TLS and TLS facts (issue 16): servers that modern clients refuse are archived, and every
HTTPS capture says how its TLS went, in a metadata record and in `show --json`.

The servers are `openssl s_server` variants on 127.0.0.1 with certificates made by the test. All
of them are archived by one crawl (a crawl costs seconds; a server costs nothing).
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import ExitStack
from pathlib import Path

import pytest
from archive_helpers import ROOT, all_records, archive_cli, records_for, run_cli
from tls_servers import issue, s_server, write_pair

from archive_store.crawl.capture.tlspolicy import LEGACY_CIPHERS, legacy_context

LEGACY = ("-cipher", "DEFAULT:@SECLEVEL=0")


def _show(archive: Path, url: str) -> dict[str, object]:
    result = run_cli("show", "--archive", archive, "--json", url)
    assert result.returncode == 0, result.stderr
    shown: dict[str, object] = json.loads(result.stdout)
    return shown


@pytest.mark.slow
def test_old_and_broken_tls_servers_are_archived_with_their_tls_facts(tmp_path: Path) -> None:
    root = issue("Test Root CA", ca=True)
    intermediate = issue("Test Intermediate CA", root, ca=True)
    leaf = issue("localhost", intermediate)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    expired = issue("localhost", intermediate, not_before=past, not_after=past + dt.timedelta(days=90))
    full = write_pair(tmp_path, "full", leaf, intermediate)
    leaf_only = write_pair(tmp_path, "leaf-only", leaf)
    expired_pair = write_pair(tmp_path, "expired", expired, intermediate)
    # a server that ends the handshake when asked for a name it does not serve (SNI)
    other = write_pair(tmp_path, "other", issue("good.example", intermediate))
    sni_options = ("-cert2", other[1], "-key2", other[3], "-servername", "good.example", "-servername_fatal")
    store = tmp_path / "system-store.pem"  # the "system store" for this test: our root only
    store.write_bytes(_pem(root))

    with ExitStack() as stack:
        ports = {
            "tls1": stack.enter_context(s_server(*full, "-tls1", *LEGACY)),
            "tls1_1": stack.enter_context(s_server(*full, "-tls1_1", *LEGACY)),
            "renegotiation": stack.enter_context(s_server(*full, "-tls1", "-legacy_renegotiation", *LEGACY)),
            "modern": stack.enter_context(s_server(*full, "-tls1_3")),
            "expired": stack.enter_context(s_server(*expired_pair, "-tls1_2")),
            "no-intermediate": stack.enter_context(s_server(*leaf_only, "-tls1_2")),
            "sni": stack.enter_context(s_server(*full, *sni_options)),
        }
        urls = {name: f"https://127.0.0.1:{port}/{name}" for name, port in ports.items()}
        urls["sni"] = f"https://sni-breaks.example:{ports['sni']}/sni"
        archive = tmp_path / "archive"
        result = archive_cli(
            archive,
            "--no-extract",
            "-s",
            "RETRY_TIMES=0",
            "-s",
            "TWISTED_DNS_RESOLVER=name_map_resolver.MappedResolver",
            *urls.values(),
            env={
                "SSL_CERT_FILE": str(store),
                "ARCHIVE_ALLOW_PRIVATE": "127.0.0.0/8",
                "TEST_NAME_MAP": "sni-breaks.example=127.0.0.1",
                "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}",
            },
        )
    assert result.returncode == 0, result.stderr
    assert "7 captured" in result.stderr and "0 failed" in result.stderr

    shown = {name: _show(archive, url) for name, url in urls.items()}
    tls = {name: s["tls"] for name, s in shown.items()}
    assert all(isinstance(t, dict) for t in tls.values()), tls
    facts: dict[str, dict[str, object]] = {name: t for name, t in tls.items() if isinstance(t, dict)}

    # old protocols: the modern attempt failed, the legacy context completed, both are said
    assert facts["tls1"]["protocol"] == "TLSv1"
    assert facts["tls1_1"]["protocol"] == "TLSv1.1"
    assert facts["renegotiation"]["protocol"] == "TLSv1"
    for name in ("tls1", "tls1_1", "renegotiation"):
        assert facts[name]["mode"] == "legacy", facts[name]
        assert "TLS handshake failed" in str(facts[name]["fallback_reason"])
        assert "old TLS version" in str(facts[name]["fallback_reason"])
    # SNI refused: modern and legacy fail on it, the last mode leaves the name out
    assert facts["sni"]["mode"] == "legacy-no-sni"
    assert "does not know the name it was asked for (SNI)" in str(facts["sni"]["fallback_reason"])
    # a modern server keeps modern TLS, with no fallback
    assert facts["modern"]["protocol"] == "TLSv1.3"
    assert facts["modern"]["mode"] == "modern" and facts["modern"]["fallback_reason"] is None
    assert facts["modern"]["verified"] is True, facts["modern"]["verify_error"]
    assert facts["modern"]["verify_error"] is None

    # archived although they would not verify, and why not
    assert facts["expired"]["verified"] is False
    assert "expired" in str(facts["expired"]["verify_error"])
    assert facts["no-intermediate"]["verified"] is False
    assert "trusted root" in str(facts["no-intermediate"]["verify_error"])
    assert len(facts["no-intermediate"]["chain_sha256"]) == 1  # type: ignore[arg-type]
    assert len(facts["modern"]["chain_sha256"]) == 2  # type: ignore[arg-type]
    for t in facts.values():
        assert isinstance(t["cipher"], str) and t["cipher"]

    # the metadata record: refers to the response, the same exchange, with the chain in PEM
    records = all_records(archive)
    by_id = {r.record_id: r for r in records}
    for name, url in urls.items():
        [response] = records_for(archive, url)
        assert response.block.startswith(b"HTTP/1.0 200")
        metadata = [
            r
            for r in records
            if r.record_type == "metadata" and r.get("WARC-Refers-To") == response.record_id
        ]
        facts_records = [r for r in metadata if b'"tls"' in r.block]
        assert len(facts_records) == 1, name
        record = facts_records[0]
        assert record.get("WARC-Concurrent-To") == response.record_id
        assert record.get("WARC-Refers-To") in by_id
        body = json.loads(record.block)
        assert body["vantage"] == "direct"
        assert body["tls"]["chain_pem"][0].startswith("-----BEGIN CERTIFICATE-----")
        assert body["tls"]["protocol"] == facts[name]["protocol"]


def _pem(issued: object) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return issued.cert.public_bytes(serialization.Encoding.PEM)  # type: ignore[attr-defined, no-any-return]


@pytest.mark.slow
def test_legacy_fallback_off_gives_a_plain_reason(tmp_path: Path) -> None:
    leaf = issue("localhost")
    pair = write_pair(tmp_path, "self", leaf)
    with s_server(*pair, "-tls1", *LEGACY) as port:
        url = f"https://127.0.0.1:{port}/"
        result = archive_cli(
            tmp_path / "a", "--no-extract", "-s", "ARCHIVE_TLS_LEGACY=False", "-s", "RETRY_TIMES=0", url
        )
    assert result.returncode == 1
    line = next(line for line in result.stderr.splitlines() if "failed:" in line)
    assert "TLS handshake failed: the server only offers an old TLS version" in line
    assert "Failure" not in result.stderr and "<" not in line
    assert "Gave up retrying" not in result.stderr


def test_legacy_context_allows_tls1_weak_ciphers_and_legacy_renegotiation() -> None:
    from OpenSSL import SSL

    ctx = legacy_context()
    assert ctx.set_options(0) & SSL.OP_LEGACY_SERVER_CONNECT  # set_options returns them all
    assert ctx.get_verify_mode() == SSL.VERIFY_NONE
    assert LEGACY_CIPHERS == b"DEFAULT:@SECLEVEL=0"
