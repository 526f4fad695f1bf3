"""`sourcekeeper serve [--archive DIR | --db URL] [--host H] [--port N] [--replay-port N] [--login]`:
the web view of the archive (docs/web-view.md), on 127.0.0.1; any other address only with
`--login`. Replay runs beside it as pywb on a port of its own (another origin)."""

from __future__ import annotations

import argparse
import ipaddress
import json
import socket
from collections.abc import Callable
from typing import Any

from sourcekeeper.options import UsageError, db_url, err, require_archive

DEFAULT_PORT = 8070


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser(
        "serve", help="the web view: sources, search, timelines, compare, replay, add"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)"
    )
    parser.add_argument(
        "--replay-port", type=int, default=None, help="replay's own port (default: --port + 1; -1: no replay)"
    )
    parser.add_argument("--login", action="store_true", help="require an account (`sourcekeeper users add`)")
    add_common_options(parser)
    parser.set_defaults(func=run)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _has_accounts(index: Any) -> bool:
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from archive_store.index.accounts import list_accounts  # noqa: PLC0415

    try:
        return bool(list_accounts(index))
    except SQLAlchemyError:  # an index from before accounts: `users add` brings it up to date
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(args: argparse.Namespace) -> int:
    if not _loopback(args.host) and not args.login:
        raise UsageError(
            f"serving on {args.host} lets other machines in: add --login (and accounts with "
            "`sourcekeeper users add NAME --role viewer`), or serve on 127.0.0.1"
        )
    if not 0 <= args.port < 65536:
        raise UsageError(f"--port: not a port: {args.port}")
    require_archive(args)
    import uvicorn  # noqa: PLC0415

    from archive_store.export.replay import ReplayError, ReplayServer  # noqa: PLC0415
    from archive_store.index.database import ArchiveIndex  # noqa: PLC0415
    from sourcekeeper.web.app import Settings, create_app  # noqa: PLC0415

    index = ArchiveIndex(db_url(args), create=False)
    if args.login and not _has_accounts(index):
        index.close()
        raise UsageError("--login: no account yet; add one with `sourcekeeper users add NAME --role admin`")
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        index.close()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    port = int(sock.getsockname()[1])
    replay_port = args.replay_port
    if replay_port is None:
        replay_port = port + 1 if args.port else _free_port()
    replay = None
    if replay_port >= 0:
        replay = ReplayServer(args.archive, replay_port or _free_port())
        try:
            replay.start(wait=False)  # pywb takes seconds to import; the pages work meanwhile
        except ReplayError as exc:
            err(f"sourcekeeper serve: replay is off: {exc}")
            replay = None
    settings = Settings(
        archive=args.archive,
        db_url=db_url(args),
        login=args.login,
        replay_port=replay.port if replay else None,
        crawl_settings=list(getattr(args, "settings", []) or []),
        db_given=bool(args.db),
    )
    app = create_app(settings, index)
    url = f"http://{args.host if ':' not in args.host else f'[{args.host}]'}:{port}/"
    if args.json:
        print(json.dumps({"url": url, "replay": replay.base_url if replay else None}), flush=True)
    if not args.quiet:
        err(f"Serving {args.archive} at {url} (Ctrl-C to stop)")
        if replay:
            err(f"  replay on its own origin: {replay.base_url}")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    try:
        server.run(sockets=[sock])
    finally:
        app.state.runner.stop_all()
        if replay:
            replay.stop()
        index.close()
        sock.close()
    return 0
