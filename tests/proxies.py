"""Small forward proxies for the vantage-point tests, run as `python tests/proxies.py KIND PORT LOG
[USER PASSWORD]` on 127.0.0.1 (KIND: http or socks5) and stopped by PID.

http: absolute-form GET and CONNECT (RFC 9110), with Basic Proxy-Authorization when USER is given.
socks5: RFC 1928 CONNECT (IPv4, IPv6, domain names), RFC 1929 login when USER is given.
Each line of LOG is one connection: the target it was asked for and the login it got (a test can
then show that the traffic went through the proxy, and with which credentials).
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import os
import struct
import sys

# names only this proxy can resolve ("name=ip,…"): a source reachable from one vantage point only
_NAMES = dict(pair.split("=", 1) for pair in os.environ.get("PROXY_NAME_MAP", "").split(",") if "=" in pair)


async def _open(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(_NAMES.get(host, host), port)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    await asyncio.gather(_pipe(client[0], upstream[1]), _pipe(upstream[0], client[1]))


class Proxy:
    def __init__(self, log: str, user: str | None, password: str | None) -> None:
        self.log = log
        self.login = (user, password) if user else None

    def note(self, target: str, login: str) -> None:
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(f"{target}\t{login}\n")

    async def http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, http_version = request_line.split(" ", 2)
        headers = [line for line in header_lines if line]
        auth = next(
            (h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("proxy-authorization:")), ""
        )
        login = base64.b64decode(auth.split(" ", 1)[1]).decode() if auth.startswith("Basic ") else ""
        self.note(f"{method} {target}", login)
        if self.login and login != f"{self.login[0]}:{self.login[1]}":
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = await _open(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), upstream)
            return
        rest = target.split("://", 1)[1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        upstream = await _open(host, int(port or 80))
        kept = [h for h in headers if not h.lower().startswith(("proxy-authorization:", "proxy-connection:"))]
        upstream[1].write(f"{method} /{path} {http_version}\r\n".encode("latin-1"))
        upstream[1].write(("\r\n".join(kept) + "\r\n\r\n").encode("latin-1"))
        await upstream[1].drain()
        await _splice((reader, writer), upstream)

    async def socks5(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        login = ""
        if self.login:
            if 2 not in methods:
                writer.write(b"\x05\xff")
                writer.close()
                return
            writer.write(b"\x05\x02")
            _, ulen = await reader.readexactly(2)
            user = (await reader.readexactly(ulen)).decode()
            (plen,) = await reader.readexactly(1)
            password = (await reader.readexactly(plen)).decode()
            login = f"{user}:{password}"
            ok = (user, password) == self.login
            writer.write(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                self.note("login refused", login)
                writer.close()
                return
        else:
            writer.write(b"\x05\x00")
        _, _command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        self.note(f"CONNECT {host}:{port}", login)
        try:
            upstream = await _open(host, port)
        except OSError:
            writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            writer.close()
            return
        writer.write(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", port))
        await writer.drain()
        await _splice((reader, writer), upstream)


async def main() -> None:
    kind, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    user, password = (sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else (None, None)
    proxy = Proxy(log, user, password)
    handler = proxy.http if kind == "http" else proxy.socks5
    server = await asyncio.start_server(handler, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
