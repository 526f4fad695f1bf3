"""Connections the recording handler makes: checked addresses, SOCKS5 vantage points.

Twisted's Agent connects with a HostnameEndpoint, which resolves the name and connects on its own;
no check of ours could sit between the two. Here the name is resolved first (through the
reactor's resolver, the one Scrapy installs from DNS_RESOLVER), every address is checked against
the private-address policy, and the connection is made to the checked address itself: nothing
resolves the name again before the connect, so DNS rebinding has no window.

A SOCKS5 vantage point (`socks5://host:port`, or `socks5h://` to let the proxy resolve the name)
is reached by a small client of RFC 1928/1929 CONNECT written here: Scrapy has none, and the
SOCKS packages on PyPI are for asyncio or blocking sockets, not Twisted endpoints.
"""

from __future__ import annotations

import ipaddress
import struct
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import _BindAddressAgent
from twisted.internet import defer
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP6ClientEndpoint, wrapClientTLS
from twisted.internet.error import ConnectError
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.web.client import URI, _StandardEndpointFactory
from twisted.web.error import SchemeNotSupported

from archive_store.net.netpolicy import AddressPolicy, PrivateAddressRefused, ip_literal

if TYPE_CHECKING:
    from twisted.internet.interfaces import IAddress
    from twisted.python.failure import Failure
    from twisted.web.iweb import IPolicyForHTTPS


class SocksError(ConnectError):
    """The SOCKS5 proxy refused or failed the CONNECT (its reply code, in words)."""

    def __init__(self, message: str) -> None:
        super().__init__(string=message)  # type: ignore[no-untyped-call]

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "SOCKS5 proxy error"


_SOCKS_REPLIES = {
    1: "general SOCKS server failure",
    2: "connection not allowed by the proxy's rules",
    3: "network unreachable from the proxy",
    4: "host unreachable from the proxy",
    5: "connection refused (seen from the proxy)",
    6: "TTL expired",
    7: "command not supported by the proxy",
    8: "address type not supported by the proxy",
}


async def resolve_checked(reactor: Any, host: str, policy: AddressPolicy, timeout: float | None) -> str:
    """The address to connect to for `host`, once it passed the policy."""
    literal = ip_literal(host)
    if literal is not None:
        address = str(literal)
    else:
        address = await reactor.resolve(host, timeout=(timeout or 60,))
    policy.check(address, host)
    return address


def _tcp_endpoint(reactor: Any, address: str, port: int, timeout: float | None, bind: Any) -> Any:
    kwargs: dict[str, Any] = {"bindAddress": bind}
    if timeout is not None:
        kwargs["timeout"] = timeout
    if isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address):
        return TCP6ClientEndpoint(reactor, address, port, **kwargs)  # type: ignore[no-untyped-call]
    return TCP4ClientEndpoint(reactor, address, port, **kwargs)


class CheckedEndpoint:
    """Resolve, check, then connect to that address (IStreamClientEndpoint)."""

    def __init__(
        self,
        reactor: Any,
        host: str,
        port: int,
        policy: AddressPolicy,
        timeout: float | None = None,
        bind_address: Any = None,
    ) -> None:
        self._reactor = reactor
        self._host = host
        self._port = port
        self._policy = policy
        self._timeout = timeout
        self._bind = bind_address

    def connect(self, protocol_factory: Factory) -> defer.Deferred[Protocol]:
        return defer.Deferred.fromCoroutine(self._connect(protocol_factory))

    async def _connect(self, protocol_factory: Factory) -> Protocol:
        address = await resolve_checked(self._reactor, self._host, self._policy, self._timeout)
        endpoint = _tcp_endpoint(self._reactor, address, self._port, self._timeout, self._bind)
        protocol: Protocol = await endpoint.connect(protocol_factory)
        return protocol


class Socks5Endpoint:
    """CONNECT through a SOCKS5 proxy, then hand the connection to the wrapped factory's protocol.

    With `resolve_locally` (socks5://) the target name is resolved and checked here and the proxy
    is given the address; otherwise (socks5h://) the proxy resolves it, and only IP literals can be
    checked. The proxy's own address is not checked: the operator chose it (often 127.0.0.1)."""

    def __init__(
        self,
        reactor: Any,
        proxy: tuple[str, int],
        target: tuple[str, int],
        *,
        policy: AddressPolicy,
        resolve_locally: bool,
        credentials: tuple[str, str] | None = None,
        timeout: float | None = None,
        bind_address: Any = None,
    ) -> None:
        self._reactor = reactor
        self._proxy = proxy
        self._target = target
        self._policy = policy
        self._resolve_locally = resolve_locally
        self._credentials = credentials
        self._timeout = timeout
        self._bind = bind_address

    def connect(self, protocol_factory: Factory) -> defer.Deferred[Protocol]:
        return defer.Deferred.fromCoroutine(self._connect(protocol_factory))

    async def _connect(self, protocol_factory: Factory) -> Protocol:
        host, port = self._target
        if self._resolve_locally:
            host = await resolve_checked(self._reactor, host, self._policy, self._timeout)
        else:
            literal = ip_literal(host)
            if literal is not None:
                self._policy.check(str(literal), host)
        proxy_address = self._proxy[0]
        if ip_literal(proxy_address) is None:
            proxy_address = await self._reactor.resolve(proxy_address, timeout=(self._timeout or 60,))
        handshake: defer.Deferred[Protocol] = defer.Deferred()
        factory = _Socks5Factory(handshake, protocol_factory, (host, port), self._credentials)
        endpoint = _tcp_endpoint(self._reactor, proxy_address, self._proxy[1], self._timeout, self._bind)
        socks = await endpoint.connect(factory)
        assert isinstance(socks, _Socks5Protocol)
        handshake.addErrback(_lose_connection, socks)
        return await handshake


def _lose_connection(failure: Failure, protocol: Protocol) -> Failure:
    transport: Any = protocol.transport
    if transport is not None:
        transport.loseConnection()
    return failure


class _Socks5Factory(Factory):
    noisy = False

    def __init__(
        self,
        handshake: defer.Deferred[Protocol],
        wrapped: Factory,
        target: tuple[str, int],
        credentials: tuple[str, str] | None,
    ) -> None:
        self.handshake = handshake
        self.wrapped = wrapped
        self.target = target
        self.credentials = credentials

    def buildProtocol(self, addr: IAddress | None) -> Protocol:  # noqa: N802 (Twisted's name)
        protocol = _Socks5Protocol()
        protocol.factory = self
        protocol.addr = addr
        return protocol


class _Socks5Protocol(Protocol):
    """Greeting, optional username/password, CONNECT; then a pass-through to the inner protocol."""

    factory: _Socks5Factory
    addr: IAddress | None

    def __init__(self) -> None:
        self._buffer = b""
        self._state = "greeting"
        self._inner: Any = None

    def _write(self, data: bytes) -> None:
        transport: Any = self.transport
        transport.write(data)

    def connectionMade(self) -> None:  # noqa: N802
        methods = b"\x00\x02" if self.factory.credentials else b"\x00"
        self._write(b"\x05" + bytes([len(methods)]) + methods)

    def dataReceived(self, data: bytes) -> None:  # noqa: N802
        if self._inner is not None:
            self._inner.dataReceived(data)
            return
        self._buffer += data
        try:
            self._advance()
        except SocksError as exc:
            self._state = "failed"
            if not self.factory.handshake.called:
                self.factory.handshake.errback(exc)
            transport: Any = self.transport
            transport.loseConnection()

    def _advance(self) -> None:
        if self._state == "greeting" and len(self._buffer) >= 2:
            version, method = self._buffer[0], self._buffer[1]
            self._buffer = self._buffer[2:]
            if version != 5 or method == 0xFF:
                raise SocksError("the SOCKS5 proxy accepts none of our login methods")
            if method == 2:
                user, password = self.factory.credentials or ("", "")
                u, p = user.encode(), password.encode()
                self._write(b"\x01" + bytes([len(u)]) + u + bytes([len(p)]) + p)
                self._state = "auth"
            else:
                self._send_connect()
        if self._state == "auth" and len(self._buffer) >= 2:
            status = self._buffer[1]
            self._buffer = self._buffer[2:]
            if status != 0:
                raise SocksError("the SOCKS5 proxy refused the user name or password")
            self._send_connect()
        if self._state == "connect":
            self._read_connect_reply()

    def _send_connect(self) -> None:
        host, port = self.factory.target
        literal = ip_literal(host)
        if isinstance(literal, ipaddress.IPv4Address):
            address = b"\x01" + literal.packed
        elif isinstance(literal, ipaddress.IPv6Address):
            address = b"\x04" + literal.packed
        else:
            name = host.encode("idna")
            address = b"\x03" + bytes([len(name)]) + name
        self._write(b"\x05\x01\x00" + address + struct.pack("!H", port))
        self._state = "connect"

    def _read_connect_reply(self) -> None:
        buf = self._buffer
        if len(buf) < 5:
            return
        if buf[1] != 0:
            reply = _SOCKS_REPLIES.get(buf[1], f"SOCKS reply {buf[1]}")
            raise SocksError(f"the SOCKS5 proxy could not connect: {reply}")
        length = {1: 4, 4: 16, 3: 1 + buf[4]}.get(buf[3])
        if length is None:
            raise SocksError("the SOCKS5 proxy sent a reply we cannot read")
        total = 4 + length + 2
        if len(buf) < total:
            return
        rest, self._buffer = buf[total:], b""
        inner: Any = self.factory.wrapped.buildProtocol(self.addr)
        if inner is None:
            raise SocksError("no protocol for the tunnelled connection")
        self._inner = inner
        self._state = "open"
        inner.makeConnection(self.transport)
        self.factory.handshake.callback(inner)
        if rest:
            inner.dataReceived(rest)

    def connectionLost(self, reason: Failure = connectionDone) -> None:  # noqa: N802
        if self._inner is not None:
            self._inner.connectionLost(reason)
        elif not self.factory.handshake.called:
            self.factory.handshake.errback(SocksError("the SOCKS5 proxy closed the connection"))


class CheckedEndpointFactory(_StandardEndpointFactory):
    """Twisted's factory for HTTP/HTTPS endpoints, with checked (or SOCKS5) TCP underneath."""

    def __init__(
        self,
        reactor: Any,
        context_factory: IPolicyForHTTPS,
        connect_timeout: float | None,
        bind_address: Any,
        policy: AddressPolicy,
        socks: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(reactor, context_factory, connect_timeout, bind_address)  # type: ignore[no-untyped-call]
        self._policy = policy
        self._socks = socks

    def endpointForURI(self, uri: URI) -> Any:  # noqa: N802 (Twisted's name)
        host = uri.host.decode("ascii")
        endpoint: Any
        if self._socks is not None:
            endpoint = Socks5Endpoint(
                self._reactor,
                self._socks["proxy"],
                (host, uri.port),
                policy=self._policy,
                resolve_locally=self._socks["resolve_locally"],
                credentials=self._socks.get("credentials"),
                timeout=self._connectTimeout,
                bind_address=self._bindAddress,
            )
        else:
            endpoint = CheckedEndpoint(
                self._reactor, host, uri.port, self._policy, self._connectTimeout, self._bindAddress
            )
        if uri.scheme == b"http":
            return endpoint
        if uri.scheme == b"https":
            creator = self._policyForHTTPS.creatorForNetloc(uri.host, uri.port)
            return wrapClientTLS(creator, endpoint)
        raise SchemeNotSupported(f"Unsupported scheme: {uri.scheme!r}")


class CheckedAgent(_BindAddressAgent):
    """Scrapy's direct-connection agent over `CheckedEndpointFactory`; pooled connections are
    kept apart per SOCKS proxy, so one vantage point's connection never serves another's request."""

    def __init__(
        self,
        *,
        reactor: Any,
        contextFactory: IPolicyForHTTPS,  # noqa: N803 (Scrapy's name)
        connectTimeout: float | None,  # noqa: N803
        bindAddress: Any,  # noqa: N803
        pool: Any,
        policy: AddressPolicy,
        socks: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(reactor, contextFactory, connectTimeout, bindAddress, pool)
        self._endpointFactory = CheckedEndpointFactory(
            reactor, contextFactory, connectTimeout, bindAddress, policy, socks
        )
        self._socks_key = (socks["proxy"],) if socks else ()

    def _requestWithEndpoint(self, key: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return super()._requestWithEndpoint(key + self._socks_key, *args, **kwargs)


__all__ = ["CheckedAgent", "CheckedEndpoint", "PrivateAddressRefused", "Socks5Endpoint", "SocksError"]
