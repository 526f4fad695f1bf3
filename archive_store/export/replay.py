"""`replay`: pywb serving the archive as collection `archive`, on 127.0.0.1, on a port of its own.

pywb runs as a child process with a configuration written to a private temporary folder; it reads
the CDXJ files in `indexes/` and the WARCs in place in `warcs/` (nothing is copied) and lists the
index folder on each lookup, so captures closed while it runs become visible. Only the replay is
served on that port: archived pages' scripts share their origin with nothing else of ours (S-1).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Self

from archive_store.export.pywb_env import PywbMissing, wayback_command
from archive_store.index.cdxj import fill_missing_cdxj
from archive_store.layout import INDEXES_DIR, S3_CACHE_DIR, WARCS_DIR

COLLECTION = "archive"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090
_PR_SET_PDEATHSIG = 1


class ReplayError(RuntimeError):
    """pywb could not be started (port taken, pywb missing or failing)."""


def pywb_config(root: Path) -> dict[str, object]:
    """One fixed collection; no live web, no recording, no proxy, no collections from the folder."""
    root = root.resolve()
    return {
        "collections": {
            COLLECTION: {
                "index_paths": str(root / INDEXES_DIR) + "/",
                # WARCs that only S3 holds are read from the checked local cache
                "archive_paths": [str(root / WARCS_DIR) + "/", str(root / S3_CACHE_DIR) + "/"],
            }
        },
        "enable_auto_colls": False,
        "framed_replay": True,
        "enable_memento": True,
    }


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies, so a killed `replay` leaves no pywb behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ReplayServer:
    """`with ReplayServer(root, port) as server: server.url(...)`; pywb stops when the block ends."""

    def __init__(self, root: Path, port: int = DEFAULT_PORT, host: str = DEFAULT_HOST) -> None:
        self.root, self.port, self.host = root, port, host
        self.proc: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._log: IO[bytes] | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/{COLLECTION}/"

    def start(self, *, log_to_terminal: bool = False, timeout: float = 60, wait: bool = True) -> None:
        """Start pywb; with `wait` false, return at once (pywb takes seconds to import) and call
        `wait_until_listening` before the first request."""
        if not (self.root / WARCS_DIR).is_dir():
            raise ReplayError(f"no archive at {self.root} (no warcs/ folder)")
        if not port_is_free(self.host, self.port):
            raise ReplayError(f"port {self.port} on {self.host} is in use; choose another with --port")
        try:
            wayback = wayback_command()
        except PywbMissing as missing:
            raise ReplayError(str(missing)) from None
        fill_missing_cdxj(self.root)
        (self.root / INDEXES_DIR).mkdir(exist_ok=True)
        self._workdir = Path(tempfile.mkdtemp(prefix="sourcekeeper-replay-"))
        # JSON is YAML: pywb reads this as its config.yaml
        (self._workdir / "config.yaml").write_text(json.dumps(pywb_config(self.root), indent=2), "utf-8")
        self._log = None if log_to_terminal else (self._workdir / "pywb.log").open("wb")
        self.proc = subprocess.Popen(
            [*wayback, "-p", str(self.port), "-b", self.host],
            cwd=self._workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log else None,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (no threads run pywb-side work yet)
        )
        if wait:
            self.wait_until_listening(timeout)

    def wait_until_listening(self, timeout: float = 60) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.log_text()
                self.stop()
                raise ReplayError(f"pywb exited with {self.proc.returncode} on start:\n{log}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 0.5):
                return
            time.sleep(0.1)
        self.stop()
        raise ReplayError(f"pywb did not listen on {self.host}:{self.port} within {timeout:.0f} s")

    def log_text(self) -> str:
        if self._workdir is None or not (self._workdir / "pywb.log").exists():
            return ""
        return (self._workdir / "pywb.log").read_text("utf-8", "replace")[-4000:]

    def wait(self) -> int:
        assert self.proc is not None
        return self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
