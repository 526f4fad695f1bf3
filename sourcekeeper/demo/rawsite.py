"""A raw HTTP test server that writes exact bytes on a socket.

Web frameworks normalise status lines, header case and order, chunk framing and broken lengths away;
captures must be compared with what a server really sent, so handlers here return a list of actions
(send bytes, sleep, close, reset, stall) that run in order on the connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http
import importlib
import importlib.util
import json
import logging
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal, Self, cast
from urllib.parse import parse_qsl, quote, quote_from_bytes, unquote_to_bytes

log = logging.getLogger(__name__)

Header = tuple[bytes, bytes]
CONTROL_PREFIX = "/__control/"
SENT_RECORD_LIMIT = 64 << 20  # keep memory bounded when tests ask for huge bodies
NO_BODY_STATUSES = frozenset({204, 304})


@dataclass(frozen=True)
class Send:
    data: bytes


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Close:
    """Flush what was sent, then FIN."""


@dataclass(frozen=True)
class Reset:
    """Abort with a TCP RST (SO_LINGER 0), so the client sees ECONNRESET."""


@dataclass(frozen=True)
class Stall:
    """Send nothing more and hold the connection until the client gives up."""


Action = Send | Sleep | Close | Reset | Stall
RawReply = list[Action]


@dataclass(frozen=True)
class RawRequest:
    method: str
    target: bytes  # path + query exactly as sent
    version: bytes
    headers: list[Header]
    body: bytes
    raw: bytes  # the exact request bytes received

    @property
    def path(self) -> str:
        """Percent-decoded path, so routes can be written as `/通知.html`."""
        return unquote_to_bytes(self.target.partition(b"?")[0]).decode("utf-8", "replace")

    @property
    def raw_query(self) -> bytes:
        return self.target.partition(b"?")[2]

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query.decode("latin-1"), keep_blank_values=True))

    def header(self, name: bytes) -> bytes | None:
        """Last value of a header, compared case-insensitively."""
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return values[-1] if values else None


Handler = Callable[[RawRequest, "SiteState"], RawReply]
# Keys: exact paths; prefixes ending in "/" (longest wins; "/" alone is exact, so a home page does
# not swallow unknown paths); "*" handles whatever is left (else a plain 404).
Routes = Mapping[str, Handler]


@dataclass
class SiteState:
    routes: Routes
    mode: str = "before"
    hits: Counter[str] = field(default_factory=Counter)
    sent: dict[bytes, bytearray] = field(default_factory=dict)
    sent_total: dict[bytes, int] = field(default_factory=dict)
    received: dict[bytes, bytes] = field(default_factory=dict)

    def handler_for(self, path: str) -> Handler | None:
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("/") and p != "/" and path.startswith(p)]
        return self.routes[max(prefixes, key=len)] if prefixes else self.routes.get("*")

    def record_sent(self, target: bytes, data: bytes) -> None:
        self.sent_total[target] += len(data)
        buffer = self.sent[target]
        buffer += data[: max(0, SENT_RECORD_LIMIT - len(buffer))]


# --- reply builders -------------------------------------------------------------------------------


def reason_for(status: int) -> bytes:
    try:
        return http.HTTPStatus(status).phrase.encode()
    except ValueError:
        return b"Unknown"


def has_header(headers: Sequence[Header], name: bytes) -> bool:
    return any(n.lower() == name.lower() for n, _ in headers)


def status_head(status: int, reason: bytes, headers: Sequence[Header], version: bytes = b"HTTP/1.1") -> bytes:
    """Status line and headers exactly as given, ending with the blank line."""
    lines = [b"%s %d %s" % (version, status, reason), *(n + b": " + v for n, v in headers)]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def chunk_body(
    body: bytes,
    sizes: Sequence[int],
    *,
    extensions: Sequence[bytes] = (),
    trailers: Sequence[Header] = (),
) -> bytes:
    """Chunked framing; bytes left over after `sizes` go into one more chunk."""
    pieces, pos = [], 0
    for size in sizes:
        if size > 0 and pos < len(body):
            pieces.append(body[pos : pos + size])
            pos += size
    if pos < len(body):
        pieces.append(body[pos:])
    out = [
        b"%x%s\r\n%s\r\n" % (len(p), extensions[i] if i < len(extensions) else b"", p)
        for i, p in enumerate(pieces)
    ]
    out.append(b"0\r\n" + b"".join(n + b": " + v + b"\r\n" for n, v in trailers) + b"\r\n")
    return b"".join(out)


def http_response(
    status: int,
    reason: bytes,
    headers: Sequence[Header],
    body: bytes = b"",
    *,
    version: bytes = b"HTTP/1.1",
    chunked: list[int] | None = None,
    content_length: int | Literal["auto"] | None = "auto",
    chunk_extensions: Sequence[bytes] = (),
    trailers: Sequence[Header] = (),
) -> RawReply:
    """One response. Headers go out as given; the only one added is the framing header asked for.

    `chunked` (chunk sizes) adds `Transfer-Encoding: chunked` unless given; `content_length="auto"`
    adds the real length unless chunked or already given, an int adds that (possibly wrong) value.
    The reply ends with a Close when the response is close-delimited (no framing) or says so
    (`Connection: close`, or HTTP/1.0 without keep-alive).
    """
    headers = list(headers)
    payload = body
    if chunked is not None:
        if not has_header(headers, b"transfer-encoding"):
            headers.append((b"Transfer-Encoding", b"chunked"))
        payload = chunk_body(body, chunked, extensions=chunk_extensions, trailers=trailers)
    if content_length == "auto":
        if chunked is None and not has_header(headers, b"content-length"):
            headers.append((b"Content-Length", b"%d" % len(body)))
    elif content_length is not None:
        headers.append((b"Content-Length", b"%d" % content_length))
    reply: RawReply = [Send(status_head(status, reason, headers, version) + payload)]
    framed = has_header(headers, b"content-length") or has_header(headers, b"transfer-encoding")
    close_delimited = not framed and status not in NO_BODY_STATUSES
    connection = b",".join(v.lower() for n, v in headers if n.lower() == b"connection")
    http10_close = version == b"HTTP/1.0" and b"keep-alive" not in connection
    if close_delimited or http10_close or b"close" in connection:
        reply.append(Close())
    return reply


def page(
    body: bytes,
    *,
    status: int = 200,
    content_type: bytes = b"text/html; charset=utf-8",
    headers: Sequence[Header] = (),
) -> RawReply:
    """An ordinary response: Content-Type, any extra headers, Content-Length."""
    headers = [(b"Content-Type", content_type), *headers]
    return http_response(status, reason_for(status), headers, body)


def redirect(location: bytes, status: int = 301) -> RawReply:
    body = b'<html><body><a href="%s">moved</a></body></html>' % location
    return http_response(
        status, reason_for(status), [(b"Location", location), (b"Content-Type", b"text/html")], body
    )


# --- server ---------------------------------------------------------------------------------------


def control_reply(req: RawRequest, site: SiteState) -> RawReply:
    name = req.path.removeprefix(CONTROL_PREFIX)
    if name in ("sent", "received"):
        params = [p.partition(b"=") for p in req.raw_query.split(b"&")]
        target = unquote_to_bytes(next((v for k, _, v in params if k == b"target"), b""))
        store = site.sent if name == "sent" else site.received
        if target not in store:
            return page(b"not requested yet", status=404, content_type=b"text/plain")
        headers = [(b"Content-Type", b"application/octet-stream")]
        if name == "sent":
            headers.append((b"X-Sent-Total", b"%d" % site.sent_total[target]))
        return http_response(200, b"OK", headers, bytes(store[target]))
    if name == "mode":
        site.mode = req.query.get("set", site.mode)
        return page(site.mode.encode(), content_type=b"text/plain; charset=utf-8")
    if name == "hits":
        return page(json.dumps(site.hits).encode(), content_type=b"application/json")
    return page(b"unknown control endpoint", status=404, content_type=b"text/plain")


def run_handler(req: RawRequest, site: SiteState) -> RawReply:
    handler = site.handler_for(req.path)
    if handler is None:
        return page(b"<html><body><h1>404 Not Found</h1></body></html>", status=404)
    try:
        return handler(req, site)
    except Exception:
        log.exception("handler for %s failed", req.path)
        return page(b"handler error", status=500, content_type=b"text/plain")


async def read_request(reader: asyncio.StreamReader) -> RawRequest | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # the client closed between requests
    lines = head[:-4].split(b"\r\n")
    method, target, version = lines[0].split(b" ", 2)
    headers = [(n, v.strip()) for n, _, v in (line.partition(b":") for line in lines[1:])]
    length = int(dict((n.lower(), v) for n, v in headers).get(b"content-length", b"0"))
    body = await reader.readexactly(length) if length else b""
    return RawRequest(method.decode("latin-1"), target, version, headers, body, head + body)


def wants_close(req: RawRequest) -> bool:
    connection = (req.header(b"connection") or b"").lower()
    http10_default = req.version == b"HTTP/1.0" and b"keep-alive" not in connection
    return b"close" in connection or http10_default


async def perform(
    reply: RawReply,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    record: Callable[[bytes], None],
) -> bool:
    """Run the actions; True if the connection may serve another request."""
    for action in reply:
        match action:
            case Send(data):
                record(data)
                writer.write(data)
                await writer.drain()
            case Sleep(seconds):
                await asyncio.sleep(seconds)
            case Close():
                writer.close()
                return False
            case Reset():
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return False
            case Stall():
                while await reader.read(65536):
                    pass  # discard until EOF: the client timing out is the point
                return False
    return True


def ignore_sent(data: bytes) -> None:
    """Recorder for control replies, which are not part of the site."""


async def serve_connection(
    site: SiteState, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    # drain() then waits until the kernel holds every byte, so a Reset cannot drop queued data
    writer.transport.set_write_buffer_limits(high=0)
    try:
        while (req := await read_request(reader)) is not None:
            if req.path.startswith(CONTROL_PREFIX):  # control calls are not counted or recorded
                reply, record = control_reply(req, site), ignore_sent
            else:
                # surrogateescape: raw non-UTF-8 targets survive the trip through JSON
                site.hits[req.target.decode("utf-8", "surrogateescape")] += 1
                site.received[req.target] = req.raw
                site.sent[req.target], site.sent_total[req.target] = bytearray(), 0
                reply, record = run_handler(req, site), partial(site.record_sent, req.target)
            if not await perform(reply, reader, writer, record) or wants_close(req):
                break
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        pass  # clients hanging up or sending garbage are routine in these tests
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await writer.wait_closed()


async def serve(routes: Routes, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until SIGTERM/SIGINT; prints the URL line once listening."""
    site = SiteState(routes)
    connections: set[asyncio.Task[object]] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        try:
            await serve_connection(site, reader, writer)
        finally:
            connections.discard(task)

    server = await asyncio.start_server(on_connect, host, port, limit=1 << 20)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    print(f"http://{host}:{server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()
    for task in list(connections):  # stalled connections would otherwise keep us alive
        task.cancel()
    await asyncio.gather(*connections, return_exceptions=True)
    await server.wait_closed()


def load_routes(spec: str) -> Routes:
    """`package.module:ATTR` or `path/to/file.py:ATTR`; ATTR is a route table or a factory."""
    module_name, _, attr = spec.rpartition(":")
    if module_name.endswith(".py"):
        # by file, because site-packages may hold a `tests` package that shadows ours (pywb does)
        file_spec = importlib.util.spec_from_file_location(Path(module_name).stem, module_name)
        if file_spec is None or file_spec.loader is None:
            raise ImportError(f"cannot load {module_name}")
        module = importlib.util.module_from_spec(file_spec)
        sys.modules[file_spec.name] = module
        file_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    table = getattr(module, attr)
    return cast(Routes, table if isinstance(table, Mapping) else table())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sourcekeeper.demo.rawsite", description=__doc__)
    parser.add_argument("routes", help="MODULE:ATTR or FILE.py:ATTR (route table or factory)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, format="rawsite %(levelname)s: %(message)s")
    asyncio.run(serve(load_routes(args.routes), args.host, args.port))


# --- the server as a child process, for tests and the demo ----------------------------------------

# the folder that holds the `sourcekeeper` package (a checkout or site-packages), so the child
# imports the same code as its parent
IMPORT_ROOT = Path(__file__).resolve().parents[2]
PRINTABLE_ASCII = "".join(map(chr, range(0x21, 0x7F)))


class ServedSite:
    """`with ServedSite("tests/mocksite.py:ROUTES") as site: site.url("/plain")`."""

    def __init__(
        self,
        routes: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout: float = 20,
        prefix: Sequence[str] = (),
    ) -> None:
        self.routes, self.host, self.port, self.timeout = routes, host, port, timeout
        # a command the server runs under, e.g. `ip netns exec NAME` (it must exec the server)
        self.prefix = list(prefix)
        self.base_url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        # a file, not a pipe: a pipe nobody reads fills up and blocks the child
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        # control calls must never go through an http_proxy set in the environment
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        env = dict(os.environ)
        paths = [str(IMPORT_ROOT), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        args = ["--host", self.host, "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*self.prefix, sys.executable, "-m", "sourcekeeper.demo.rawsite", self.routes, *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )
        url = self._read_url_line(self.proc)
        if url is None:
            self._terminate(self.proc)
            message = f"rawsite {self.routes!r} did not start (exit {self.proc.returncode})"
            stderr = self.stderr_text()
            self.stop()
            raise RuntimeError(f"{message}:\n{stderr}")
        self.base_url = url

    def stderr_text(self) -> str:
        """What the child logged so far (handler tracebacks land here)."""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip()

    def _read_url_line(self, proc: subprocess.Popen[bytes]) -> str | None:
        assert proc.stdout is not None
        deadline = time.monotonic() + self.timeout
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if selector.select(timeout=0.05):
                    line = proc.stdout.readline().decode("utf-8", "replace").strip()
                    return line if line.startswith("http://") else None
                if proc.poll() is not None:
                    return None
        return None

    @staticmethod
    def _terminate(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            self._terminate(self.proc)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
        self._stderr.close()

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def _control(self, name: str, query: str = "") -> tuple[bytes, dict[str, str]]:
        with self._opener.open(self.url(CONTROL_PREFIX + name + query), timeout=10) as resp:
            return resp.read(), dict(resp.headers.items())

    def _recorded(self, name: str, target: str | bytes) -> tuple[bytes, dict[str, str]]:
        # str targets are percent-encoded as clients send them (non-ASCII, spaces); bytes go as is
        raw = target if isinstance(target, bytes) else quote(target, safe=PRINTABLE_ASCII).encode()
        try:
            return self._control(name, "?target=" + quote_from_bytes(raw, safe=""))
        except urllib.error.HTTPError as exc:
            raise KeyError(f"{target!r} has not been requested") from exc

    def sent(self, target: str | bytes) -> bytes:
        """Exact bytes sent for the latest request of `target` (path + query)."""
        body, headers = self._recorded("sent", target)
        if int(headers.get("X-Sent-Total", len(body))) != len(body):
            raise ValueError(f"{target!r}: more than {SENT_RECORD_LIMIT} bytes sent, not all kept")
        return body

    def received(self, target: str | bytes) -> bytes:
        """Exact request bytes received for the latest request of `target`."""
        return self._recorded("received", target)[0]

    def set_mode(self, mode: str) -> None:
        self._control("mode", "?set=" + quote(mode, safe=""))

    def mode(self) -> str:
        return self._control("mode")[0].decode()

    def hits(self) -> dict[str, int]:
        return cast(dict[str, int], json.loads(self._control("hits")[0]))


if __name__ == "__main__":
    # Re-import under the package name so route modules and the engine share one set of classes.
    from sourcekeeper.demo.rawsite import main as package_main

    package_main()
