"""ARCHIVE_ALLOW_PRIVATE for the calls made outside the crawl with urllib (issue 17): Memento
TimeMaps, the CDX API (`recover`) and push endpoints.

These URLs come from settings, but the answers steer them: a TimeMap can redirect or page to
any address, and a push endpoint can redirect too. Like the crawl (`netpolicy`, `endpoints`),
every connection resolves the host, checks each address against the policy, and connects to an
address that passed, never to the name again (a second lookup could answer otherwise: DNS
rebinding). Redirects go through the same opener, so each hop is checked. A refusal reaches the
caller as a `urllib.error.URLError` whose reason is the `PrivateAddressRefused`, so code that
already reports `OSError`s reports it with its reason ("refused: private address ...").
"""

from __future__ import annotations

import http.client
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from archive_store.net.netpolicy import SETTING, AddressPolicy, PrivateAddressRefused, ip_literal


def policy_from_environment() -> AddressPolicy:
    """The policy when no settings are at hand: the environment variable, else refuse private."""
    return AddressPolicy.parse(os.environ.get(SETTING))


def checked_connection(
    policy: AddressPolicy,
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
    *args: Any,
) -> socket.socket:
    """`socket.create_connection`, to an address of the host that the policy allows."""
    host, port = address[0], address[1]
    literal = ip_literal(host)
    if literal is not None:
        candidates = [str(literal)]
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        candidates = list(dict.fromkeys(str(info[4][0]) for info in infos))
    allowed = [a for a in candidates if not policy.refuses(a)]
    if not allowed:
        raise PrivateAddressRefused(candidates[0] if candidates else host, host)
    error: OSError | None = None
    for candidate in allowed:
        try:
            return socket.create_connection((candidate, port), timeout, source_address)
        except OSError as exc:
            error = exc
    assert error is not None
    raise error


def _guarded(base: type[http.client.HTTPConnection], policy: AddressPolicy) -> Callable[..., Any]:
    def build(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        connection = base(*args, **kwargs)
        # http.client connects through this attribute (HTTPS then wraps the socket, with SNI and
        # certificate checks against the host name as usual)
        connection._create_connection = (  # type: ignore[attr-defined]
            lambda address, timeout=None, source_address=None: checked_connection(
                policy, address, timeout, source_address
            )
        )
        return connection

    return build


def _refusal_as_url_error(open_: Callable[[], Any]) -> Any:
    try:
        return open_()
    except PrivateAddressRefused as exc:
        raise urllib.error.URLError(exc) from exc


class GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__()
        self.policy = policy

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = _guarded(http.client.HTTPConnection, self.policy)
        return _refusal_as_url_error(lambda: self.do_open(connection, req))  # type: ignore[no-any-return]


class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__()
        self.policy = policy

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = _guarded(http.client.HTTPSConnection, self.policy)
        context = getattr(self, "_context", None)
        return _refusal_as_url_error(  # type: ignore[no-any-return]
            lambda: self.do_open(connection, req, context=context)
        )


def guarded_opener(
    policy: AddressPolicy | None = None, *handlers: urllib.request.BaseHandler
) -> urllib.request.OpenerDirector:
    """An opener whose every connection (redirect hops included) passes the address policy."""
    chosen = policy if policy is not None else policy_from_environment()
    return urllib.request.build_opener(GuardedHTTPHandler(chosen), GuardedHTTPSHandler(chosen), *handlers)
