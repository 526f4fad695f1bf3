"""Helpers for tests: run the CLI in a subprocess, read records back from an archive.

Imported as a top-level module (pywb installs a `tests` package that hides `tests.*`)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from archive_store.warc.members import iter_records
from archive_store.warc.record import StoredRecord

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
# Fast, deterministic crawls against 127.0.0.1: no politeness delays, short timeouts.
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s",
    "DOWNLOAD_TIMEOUT=4",
    "-s",
    "RETRY_TIMES=1",
]


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 240,
    env: dict[str, str] | None = None,
) -> CliResult:
    """Run `sourcekeeper ...` in a fresh process (a Twisted reactor cannot restart in-process)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "sourcekeeper", *map(str, args)],
        cwd=cwd or ROOT,
        capture_output=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )
    return CliResult(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        proc.stdout,
    )


def cli_here(*args: str | Path) -> CliResult:
    """`run_cli` for a command that starts no crawl (show, verify, history, search; a re-check
    refused or with nothing to do), run in this process: the same code and output without the
    1.5-2 s of CPU a fresh interpreter spends importing. `sourcekeeper.cli.main(argv)` with its
    stdout and stderr captured (as bytes, decoded as a child's pipes are), in the repository's
    directory, as `run_cli` gives a child. A call that installs a Twisted reactor fails: it
    would leave this process unable to run another crawl (use `run_cli`)."""
    argv = [str(a) for a in args]
    had_reactor = "twisted.internet.reactor" in sys.modules
    from sourcekeeper.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: usage errors and --help
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
            stdout.flush()
            stderr.flush()
    finally:
        os.chdir(here)
    if not had_reactor and "twisted.internet.reactor" in sys.modules:
        raise AssertionError(f"sourcekeeper {' '.join(argv)} installed a reactor here: use run_cli")
    return CliResult(
        code,
        out.getvalue().decode("utf-8", "replace"),
        err.getvalue().decode("utf-8", "replace"),
        out.getvalue(),
    )


def archive_cli(archive: Path, *args: str | Path, **kwargs: object) -> CliResult:
    return run_cli("archive", "--archive", archive, *FAST, *args, **kwargs)  # type: ignore[arg-type]


def names_failure(stderr: str, url: str, reason: str = "") -> bool:
    """The run summary names `url` as failed with a reason starting `reason`: in its verdict line
    when it is a seed (`  URL: failed: reason`, or `  URL: refused: …` for a refusal), else in a
    failure line (`  failed: URL — reason`)."""
    forms = [f"failed: {url} — {reason}", f"{url}: failed: {reason}"]
    if reason.startswith("refused"):
        forms.append(f"{url}: {reason}")
    return any(line.strip().startswith(tuple(forms)) for line in stderr.splitlines())


def warc_files(archive: Path) -> list[Path]:
    return sorted((archive / "warcs").glob("*.warc.gz"))


def all_records(archive: Path) -> list[StoredRecord]:
    return [record for path in warc_files(archive) for record in iter_records(path)]


def records_for(archive: Path, url: str, record_type: str = "response") -> list[StoredRecord]:
    return [
        r for r in all_records(archive) if r.get("WARC-Target-URI") == url and r.record_type == record_type
    ]
