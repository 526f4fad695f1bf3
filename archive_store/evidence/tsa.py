"""RFC 3161 trusted time: a time-stamp authority signs each closed WARC's SHA-256.

The token (the TSA's whole TimeStampResp, DER) is kept beside the WARC as `<warc>.tsr`; anyone can
check it with `openssl ts -verify -digest <sha256> -in <warc>.tsr -CAfile <TSA CA>`. The OpenSSL
command line does the ASN.1 and CMS work: it is what a third party will use to check, too.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive_store.evidence.exports import custody_events
from archive_store.evidence.fixity import Manifest
from archive_store.hooks import FileClosedContext, count
from archive_store.layout import MANIFEST_NAME, WARCS_DIR, local_warc
from archive_store.warc.writer import file_sha256

if TYPE_CHECKING:
    from archive_store.evidence.custodychain import ChainLink
    from archive_store.warc.writer import ClosedFile

logger = logging.getLogger(__name__)

TOKEN_SUFFIX = ".tsr"
CUSTODY_TOKEN_SUFFIX = ".custody.tsr"
CA_DIR = "tsa"
QUERY_TYPE = "application/timestamp-query"
EVENTS = ("timestamped", "timestamp_failed")
_CA_COPY = re.compile(r"tsa/ca-[0-9a-f]{16}\.pem")


class TimestampError(Exception):
    """No usable token: the TSA did not answer, refused, or answered with a token that fails."""


def _openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise TimestampError("the openssl command is not installed")
    return subprocess.run([openssl, *args], input=data, capture_output=True, check=False, timeout=60)


def token_path(warc: Path) -> Path:
    return warc.with_name(warc.name + TOKEN_SUFFIX)


def custody_token_path(warc: Path) -> Path:
    """The token over the custody chain's head when this WARC was closed (custodychain)."""
    return warc.with_name(warc.name + CUSTODY_TOKEN_SUFFIX)


def timestamp_query(sha256_hex: str) -> bytes:
    """A TimeStampReq for the digest, with a nonce, asking the TSA to include its certificate."""
    result = _openssl("ts", "-query", "-sha256", "-digest", sha256_hex, "-cert")
    if result.returncode != 0 or not result.stdout:
        raise TimestampError(f"openssl ts -query failed: {_stderr(result)}")
    return result.stdout


def request_token(url: str, sha256_hex: str, timeout: float) -> bytes:
    """POST the query to the TSA and return its reply (not yet checked)."""
    request = urllib.request.Request(
        url, data=timestamp_query(sha256_hex), headers={"Content-Type": QUERY_TYPE}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body: bytes = answer.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TimestampError(f"TSA {url} did not answer: {exc}") from exc
    if not body:
        raise TimestampError(f"TSA {url} sent an empty reply")
    return body


def verify_token(token: Path, sha256_hex: str, ca: Path | None) -> str | None:
    """None if the token is granted, signed, and over this digest; else why not.
    With a CA the signer must chain to it; without one only the token's own certificate is used,
    which proves the token is intact but not who signed it."""
    if ca is not None:
        return _verify_with(token, sha256_hex, ["-CAfile", str(ca)])
    with tempfile.TemporaryDirectory() as scratch:
        embedded = Path(scratch) / "embedded.pem"
        if not _extract_certificates(token, embedded, Path(scratch) / "token.der"):
            return "the token carries no certificate and no TSA CA was configured"
        return _verify_with(token, sha256_hex, ["-CAfile", str(embedded), "-partial_chain"])


def _verify_with(token: Path, sha256_hex: str, trust: list[str]) -> str | None:
    result = _openssl("ts", "-verify", "-digest", sha256_hex, "-in", str(token), *trust)
    if result.returncode == 0 and b"Verification: OK" in result.stdout:
        return None
    return _stderr(result) or "openssl ts -verify failed"


def _extract_certificates(token: Path, out: Path, scratch: Path) -> bool:
    tokens = _openssl("ts", "-reply", "-in", str(token), "-token_out", "-out", str(scratch))
    if tokens.returncode != 0:
        return False
    certs = _openssl("pkcs7", "-inform", "DER", "-in", str(scratch), "-print_certs", "-out", str(out))
    return certs.returncode == 0 and b"BEGIN CERTIFICATE" in out.read_bytes()


def token_time(token: Path) -> str | None:
    """The TSA's time in the token, as OpenSSL prints it."""
    result = _openssl("ts", "-reply", "-in", str(token), "-text")
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Time stamp:"):
            return line.partition(":")[2].strip()
    return None


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    useful = [line for line in lines if not line.startswith("Using configuration")]
    return useful[-1] if useful else ""


def keep_ca_copy(root: Path, ca: Path) -> str:
    """Copy the TSA's CA certificate into the archive (`tsa/ca-<sha256>.pem`, never replaced),
    so `verify` can check tokens later; returns the path relative to the archive."""
    data = ca.read_bytes()
    relative = f"{CA_DIR}/ca-{hashlib.sha256(data).hexdigest()[:16]}.pem"
    target = root / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:
            handle.write(data)
    return relative


# the file-closed hook -----------------------------------------------------------------------
def timestamp_closed_file(context: FileClosedContext, closed: ClosedFile) -> None:
    """ARCHIVE_FILE_CLOSED_HOOKS entry: get a token for the WARC that just closed (if
    ARCHIVE_TSA_URL is set). A failure is logged, counted and written to the custody log; the
    capture itself is never at stake, and `verify` names the WARC until it has a token."""
    settings = context.settings
    url = settings.get("ARCHIVE_TSA_URL")
    if not url:
        return
    try:
        details = _timestamp(context.paths.root, closed, url, settings)
    except (TimestampError, OSError, subprocess.SubprocessError) as exc:
        logger.error("no RFC 3161 timestamp for %s: %s", closed.filename, exc)
        context.custody.record("timestamp_failed", file=closed.filename, tsa=url, reason=str(exc))
        count(context, "archive/tsa_failures")
        return
    context.custody.record("timestamped", file=closed.filename, tsa=url, **details)
    count(context, "archive/tsa_tokens")


def _timestamp(root: Path, closed: ClosedFile, url: str, settings: Any) -> dict[str, Any]:
    ca_setting = settings.get("ARCHIVE_TSA_CA")
    ca = keep_ca_copy(root, Path(ca_setting).expanduser()) if ca_setting else None
    timeout = settings.getfloat("ARCHIVE_TSA_TIMEOUT")
    when = _fetch_token(root, url, closed.sha256, token_path(closed.path), ca, timeout)
    token = f"{WARCS_DIR}/{token_path(closed.path).name}"
    details: dict[str, Any] = {"token": token, "ca": ca, "tsa_time": when}
    head = Manifest(root / MANIFEST_NAME).heads().get(f"{WARCS_DIR}/{closed.filename}")
    if head is not None:  # the custody chain's head at the close, time-stamped with the WARC
        custody = custody_token_path(closed.path)
        _fetch_token(root, url, head.sha256, custody, ca, timeout)
        details |= {"custody_token": f"{WARCS_DIR}/{custody.name}", "custody_head": head.sha256}
        details["custody_line"] = head.line
    return details


def _fetch_token(
    root: Path, url: str, digest: str, target: Path, ca: str | None, timeout: float
) -> str | None:
    """Ask the TSA to sign `digest`, check its reply, keep it at `target`; the TSA's time."""
    reply = request_token(url, digest, timeout)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / target.name
        candidate.write_bytes(reply)
        problem = verify_token(candidate, digest, root / ca if ca else None)
        if problem:
            raise TimestampError(f"the TSA's reply does not verify: {problem}")
        when = token_time(candidate)
    with target.open("xb") as handle:  # a token, once written, is never replaced
        handle.write(reply)
    return when


# verify ---------------------------------------------------------------------------------------
def _ca_copy(root: Path, recorded: object) -> Path | None:
    """The CA copy a custody entry names; only names keep_ca_copy makes become a path (S-5)."""
    if isinstance(recorded, str) and _CA_COPY.fullmatch(recorded):
        return root / recorded
    return None


def check_timestamps(root: Path, closed: Iterable[str], manifest: dict[str, str]) -> list[str]:
    """Every token verifies against its WARC's SHA-256 (and the custody token against the custody
    head the manifest recorded at the close); a WARC written with a TSA configured has them."""
    latest: dict[str, dict[str, Any]] = {}
    for event in custody_events(root):
        if event.get("event") in EVENTS and isinstance(event.get("file"), str):
            latest[event["file"]] = event
    problems = []
    heads = Manifest(root / MANIFEST_NAME).heads()
    for name in closed:
        warc = local_warc(root, name)
        token = token_path(warc)
        event = latest.get(name, {})
        if token.exists():
            digest = manifest.get(f"{WARCS_DIR}/{name}") or file_sha256(warc)
            ca = _ca_copy(root, event.get("ca"))
            reason = verify_token(token, digest, ca)
            if reason:
                problems.append(f"{WARCS_DIR}/{token.name}: RFC 3161 token does not verify: {reason}")
            problems += _check_custody_token(root, name, heads.get(f"{WARCS_DIR}/{name}"), event, ca)
        elif event:
            why = event.get("reason") or "the token file is missing"
            problems.append(f"{WARCS_DIR}/{name}: no RFC 3161 token although a TSA was configured ({why})")
    return problems


def _check_custody_token(
    root: Path, name: str, head: ChainLink | None, event: dict[str, Any], ca: Path | None
) -> list[str]:
    token = custody_token_path(local_warc(root, name))
    if not token.exists():
        if event.get("custody_token"):
            return [f"{WARCS_DIR}/{token.name}: custody-head token recorded in the custody log but missing"]
        return []
    if head is None:  # a WARC read back from S3 on another machine: its custody log stayed there
        return []
    reason = verify_token(token, head.sha256, ca)
    return [f"{WARCS_DIR}/{token.name}: RFC 3161 token does not verify: {reason}"] if reason else []
