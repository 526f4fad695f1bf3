"""TLS for archiving: modern first, then per host a legacy context that completes old handshakes.

County-level government servers still speak only TLS 1.0/1.1, need legacy renegotiation, offer
ciphers below OpenSSL 3's security level 1, or break on SNI. Browsers gave up on them; an archive
must not. Each host starts with Scrapy's own context (so modern sites keep modern TLS). When a
handshake fails, the handler asks `next_mode` and tries again with the next context here:

- "legacy": pyOpenSSL context with TLS 1.0 as the minimum, cipher list `DEFAULT:@SECLEVEL=0`,
  OP_LEGACY_SERVER_CONNECT, no verification (an expired, self-signed or incomplete chain is
  archived; `tlsfacts` records whether and why it would not have verified);
- "legacy-no-sni": the same without the server-name extension, for servers that fail on it.

Scrapy's own TLS settings (DOWNLOAD_TLS_MIN_VERSION, DOWNLOADER_CLIENT_TLS_CIPHERS) stay in force
for the modern attempt; ARCHIVE_TLS_LEGACY = False turns the fallback off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from OpenSSL import SSL
from scrapy.core.downloader.contextfactory import _ScrapyClientContextFactory
from twisted.internet.interfaces import IOpenSSLClientConnectionCreator
from zope.interface import implementer

from archive_store.net.netpolicy import ip_literal

if TYPE_CHECKING:
    from twisted.protocols.tls import TLSMemoryBIOProtocol

MODES = ("modern", "legacy", "legacy-no-sni")
LEGACY_CIPHERS = b"DEFAULT:@SECLEVEL=0"


def legacy_context() -> SSL.Context:
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_VERSION)
    ctx.set_cipher_list(LEGACY_CIPHERS)
    # renegotiation with servers that never learnt RFC 5746; allowed to talk to the same servers
    ctx.set_options(SSL.OP_LEGACY_SERVER_CONNECT | getattr(SSL, "OP_IGNORE_UNEXPECTED_EOF", 0))
    ctx.set_verify(SSL.VERIFY_NONE)
    return ctx


@implementer(IOpenSSLClientConnectionCreator)
class LegacyConnectionCreator:
    """What Twisted's TLS wrapper asks for a connection: one from the legacy context."""

    def __init__(self, ctx: SSL.Context, hostname: str, *, sni: bool) -> None:
        self._ctx = ctx
        self._hostname = hostname
        self._sni = sni and ip_literal(hostname) is None

    def clientConnectionForTLS(self, tlsProtocol: TLSMemoryBIOProtocol) -> SSL.Connection:  # noqa: N802, N803
        connection = SSL.Connection(self._ctx, None)
        connection.set_app_data(tlsProtocol)
        if self._sni:
            connection.set_tlsext_host_name(self._hostname.encode("idna"))
        connection.set_connect_state()
        return connection


class ArchiveContextFactory(_ScrapyClientContextFactory):
    """Scrapy's context factory, with a per-host TLS mode the download handler may step down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._modes: dict[tuple[bytes, int], str] = {}
        self._legacy: SSL.Context | None = None
        # why each host left the modern context: the first failure, recorded with its captures
        self.fallback_reasons: dict[tuple[bytes, int], str] = {}

    def mode_for(self, hostname: bytes, port: int) -> str:
        return self._modes.get((hostname, port), "modern")

    def next_mode(self, hostname: bytes, port: int, failed_mode: str) -> str | None:
        """After a failed handshake in `failed_mode`: the mode to try next, now the host's mode
        (later requests to the host start there), or None when there is none left."""
        current = self.mode_for(hostname, port)
        if MODES.index(current) > MODES.index(failed_mode):
            return current  # another request already stepped this host down
        index = MODES.index(failed_mode) + 1
        if index >= len(MODES):
            return None
        self._modes[(hostname, port)] = MODES[index]
        return MODES[index]

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:  # noqa: N802 (Twisted's name)
        mode = self.mode_for(hostname, port)
        if mode == "modern":
            return super().creatorForNetloc(hostname, port)
        if self._legacy is None:
            self._legacy = legacy_context()
        return LegacyConnectionCreator(self._legacy, hostname.decode("ascii"), sni=mode == "legacy")
