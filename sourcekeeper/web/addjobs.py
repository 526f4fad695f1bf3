"""Add: what a pasted list or an uploaded report cites, and the background job that archives it.

The job is `sourcekeeper archive --from-report FILE` (or `archive URL…` for pasted URLs) in a
child process, exactly as the command line runs it: the same code path, its own Twisted reactor,
the archive's writer lock, its own custody entries. The page shows its progress lines and its
exit code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

_URL = re.compile(r"https?://[^\s<>\"'，。；、）)]+", re.I)
MAX_PASTED = 500
PROGRESS_LINES = 40


def pasted_urls(text: str) -> list[str]:
    """The http(s) URLs in pasted text, in order, once each."""
    return list(dict.fromkeys(m.group(0).rstrip(".,;") for m in _URL.finditer(text)))[:MAX_PASTED]


@dataclass
class Proposal:
    """What the confirmation page lists before anything is fetched."""

    id: str
    urls: list[str]
    report_file: Path | None = None  # the uploaded report, kept for the job
    report_name: str | None = None
    anchors: dict[str, str] = field(default_factory=dict)


def report_citations(data: bytes, name: str, content_type: str | None) -> list[tuple[str, str]]:
    """(URL, anchor text) of each citation `archive --from-report` would archive."""
    from pipelines.documents.report import parse_report  # noqa: PLC0415

    parsed = parse_report(data, name, content_type)
    return [(link.url, link.anchor or "") for link in parsed.links]


@dataclass
class Job:
    id: str
    account: str
    what: str
    command: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    ok_codes: tuple[int, ...] = (0,)
    _log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    @property
    def ok(self) -> bool:
        return self.exit_code in self.ok_codes

    def lines(self) -> list[str]:
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return []
        return text.splitlines()[-PROGRESS_LINES:]


class JobRunner:
    """The add jobs of this server, one child process each, their logs in a private folder."""

    def __init__(self, archive: Path, db_url: str | None, settings: list[tuple[str, str]]) -> None:
        self.archive, self.db_url, self.settings = archive, db_url, settings
        self.folder = Path(tempfile.mkdtemp(prefix="sourcekeeper-serve-"))
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def keep_upload(self, job_id: str, name: str, data: bytes) -> Path:
        """The uploaded report in the private folder, under a fixed name (never the client's)."""
        suffix = Path(name).suffix.lower()
        if suffix not in (".html", ".htm", ".md", ".markdown", ".pdf", ".docx", ".txt"):
            suffix = ".bin"
        path = self.folder / f"report-{job_id}{suffix}"
        path.write_bytes(data)
        return path

    def _base(self, command: str) -> list[str]:
        base = [sys.executable, "-m", "sourcekeeper", command, "--archive", str(self.archive)]
        if self.db_url:
            base += ["--db", self.db_url]
        for name, value in self.settings:
            base += ["-s", f"{name}={value}"]
        return base

    def start(self, job_id: str, account: str, proposal: Proposal) -> Job:
        base = self._base("archive")
        if proposal.report_file is not None:
            command = [*base, "--from-report", str(proposal.report_file)]
            what = proposal.report_name or proposal.report_file.name
        else:
            command = [*base, "--list", *proposal.urls]
            what = f"{len(proposal.urls)} URL(s)"
        return self._run(Job(job_id, account, what, command, self.folder / f"job-{job_id}.log"))

    def recheck(self, job_id: str, account: str, url: str) -> Job:
        """`sourcekeeper recheck URL`: the command line's re-check of one source."""
        command = [*self._base("recheck"), url]
        log_path = self.folder / f"job-{job_id}.log"
        # exit code 3: the re-check ran and found new removals (sourcekeeper.exitcodes)
        return self._run(Job(job_id, account, f"re-check of {url}", command, log_path, ok_codes=(0, 3)))

    def _run(self, job: Job) -> Job:
        log_path = job.log_path
        log = log_path.open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        job.process = subprocess.Popen(job.command, stdout=log, stderr=subprocess.STDOUT, env=env)
        job._log = log
        with self._lock:
            self.jobs[job.id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self.jobs.get(job_id)

    def stop_all(self) -> None:
        with self._lock:
            jobs = list(self.jobs.values())
        for job in jobs:
            if job.running and job.process is not None:
                job.process.terminate()
                try:
                    job.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    job.process.kill()
            if job._log is not None:
                job._log.close()
