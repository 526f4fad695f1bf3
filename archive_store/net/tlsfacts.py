"""What the TLS layer of an HTTPS capture was: protocol, cipher, the server's chain, verification.

Taken from the OpenSSL connection when the first response bytes arrive (the handshake is done by
then), kept on the exchange's tape, written as a `metadata` record beside the response and indexed
(`capture_tls`). The archive fetches without verifying certificates (an expired or self-signed
chain is still evidence), so whether the chain *would* have verified against the system store, and
why not, is worked out here afterwards with `cryptography`'s verifier.
"""

from __future__ import annotations

import hashlib
import json
import ssl
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import DNSName, IPAddress
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from archive_store.net.netpolicy import ip_literal

CONTENT_TYPE = "application/json"
PROFILE = "https://sourcekeeper.invalid/tls-facts/1"  # names the JSON layout of the metadata record


def connection_facts(connection: Any, mode: str) -> dict[str, Any] | None:
    """Protocol, cipher and chain of a pyOpenSSL connection whose handshake is done."""
    try:
        protocol = connection.get_protocol_version_name()
        cipher = connection.get_cipher_name()
        chain = connection.get_peer_cert_chain(as_cryptography=True) or []
    except Exception:
        return None
    if not protocol or protocol == "Unknown":
        return None
    return {
        "protocol": protocol,
        "cipher": cipher,
        "cipher_bits": connection.get_cipher_bits(),
        "mode": mode,
        "chain_pem": [cert.public_bytes(Encoding.PEM).decode("ascii") for cert in chain],
    }


def complete_facts(facts: dict[str, Any], host: str, when: datetime | None = None) -> dict[str, Any]:
    """The facts as stored: fingerprints, subjects, validity and the verification verdict."""
    when = when or datetime.now(UTC)
    chain = [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in facts.get("chain_pem", [])]
    certs = [_describe(cert) for cert in chain]
    verified, reason = verify_chain(chain, host, when)
    return {
        "host": host,
        "protocol": facts.get("protocol"),
        "cipher": facts.get("cipher"),
        "cipher_bits": facts.get("cipher_bits"),
        "mode": facts.get("mode", "modern"),
        "fallback_reason": facts.get("fallback_reason"),
        "chain_sha256": [c["sha256"] for c in certs],
        "certificates": certs,
        "verified": verified,
        "verify_error": reason,
        "checked_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "chain_pem": facts.get("chain_pem", []),
    }


def facts_block(facts: dict[str, Any]) -> bytes:
    return json.dumps({"profile": PROFILE, "tls": facts}, ensure_ascii=False, indent=1).encode()


def summary(facts: dict[str, Any]) -> dict[str, Any]:
    """What `show --json` gives as `tls` (the PEM stays in the WARC record)."""
    return {key: value for key, value in facts.items() if key != "chain_pem"}


def _describe(cert: x509.Certificate) -> dict[str, Any]:
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
    }


_UNTRUSTED = "the chain does not lead to a trusted root (missing intermediate or untrusted issuer)"


@lru_cache(maxsize=1)
def _system_store() -> Store | None:
    paths = ssl.get_default_verify_paths()
    for name in (paths.cafile, paths.openssl_cafile):
        if name and Path(name).is_file():
            certs = x509.load_pem_x509_certificates(Path(name).read_bytes())
            return Store(certs) if certs else None
    return None


def verify_chain(chain: list[x509.Certificate], host: str, when: datetime) -> tuple[bool, str | None]:
    """Would a browser-like client have accepted this chain for this host? (verdict, plain reason)"""
    if not chain:
        return False, "the server sent no certificate"
    leaf = chain[0]
    if leaf.not_valid_after_utc < when:
        return False, f"the certificate expired on {leaf.not_valid_after_utc:%Y-%m-%d}"
    if leaf.not_valid_before_utc > when:
        return False, f"the certificate is not valid before {leaf.not_valid_before_utc:%Y-%m-%d}"
    if len(chain) == 1 and leaf.issuer == leaf.subject:
        return False, "the certificate is self-signed"
    store = _system_store()
    if store is None:
        return False, "no system certificate store to check against"
    literal = ip_literal(host)
    subject = IPAddress(literal) if literal is not None else DNSName(host)
    try:
        verifier = PolicyBuilder().store(store).time(when).build_server_verifier(subject)
        verifier.verify(leaf, chain[1:])
    except VerificationError as exc:
        text = str(exc)
        if "candidates exhausted" in text or "issuer" in text.lower():
            return False, f"{_UNTRUSTED}: {text}"
        return False, text
    except ValueError as exc:  # a name cryptography will not take as a DNS name
        return False, str(exc)
    return True, None
