"""WACZ signing, the anonymous form of the WACZ signing spec (webrecorder wacz-auth 0.1.0).

`datapackage-digest.json` gets `signedData`: the datapackage hash, `created`, `software`, an ECDSA
signature (SHA-256) of the hash string, and the public key (base64 DER SubjectPublicKeyInfo).
The signature is IEEE P1363 (r || s), as WebCrypto makes and checks it: ReplayWeb.page (wabac.js)
verifies these signatures with WebCrypto and imports the key as P-384, so P-384 keys are what it
can check; P-256 keys are accepted here too (our verifier takes the curve from the key).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

CURVES = (ec.SECP384R1, ec.SECP256R1)


class SigningError(ValueError):
    """The key cannot sign WACZ packages (not an EC private key on P-384/P-256)."""


def load_signing_key(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path}: not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, CURVES):
        raise SigningError(f"{path}: need an ECDSA P-384 (or P-256) private key")
    return key


def _coordinate_size(curve: ec.EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def sign_hash(key: ec.EllipticCurvePrivateKey, hash_text: str, created: str, software: str) -> dict[str, Any]:
    """The anonymous `signedData` for `hash_text` ("sha256:<hex>" of datapackage.json)."""
    der = key.sign(hash_text.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    size = _coordinate_size(key.curve)
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "hash": hash_text,
        "created": created,
        "software": software,
        "signature": base64.b64encode(raw).decode("ascii"),
        "publicKey": base64.b64encode(public).decode("ascii"),
    }


def verify_signed_data(signed: dict[str, Any], expected_public_key: bytes | None = None) -> str | None:
    """None if `signature` is a valid signature of `hash` by `publicKey`; else why not.
    `expected_public_key` (DER SPKI) pins the key: without it, anyone could have signed."""
    try:
        public_der = base64.b64decode(signed["publicKey"], validate=True)
        raw = base64.b64decode(signed["signature"], validate=True)
        key = serialization.load_der_public_key(public_der)
    except (KeyError, TypeError, ValueError) as exc:
        return f"signedData is incomplete or not base64 ({exc})"
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return "publicKey is not an ECDSA key"
    if expected_public_key is not None and public_der != expected_public_key:
        return "signed with a different key than the one expected"
    size = _coordinate_size(key.curve)
    if len(raw) != 2 * size:
        return f"signature is {len(raw)} bytes, expected {2 * size} (r || s)"
    der = encode_dss_signature(int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big"))
    try:
        key.verify(der, str(signed.get("hash", "")).encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "the signature does not match the hash"
    return None


def public_key_der(path: Path) -> bytes:
    """A PEM public key (or the public half of a PEM private key) as DER SPKI, to pin a signer."""
    data = path.read_bytes()
    try:
        public = serialization.load_pem_public_key(data)
    except ValueError:
        public = load_signing_key(path).public_key()
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
