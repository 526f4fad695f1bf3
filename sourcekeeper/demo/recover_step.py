"""The demo's recover step: a local "public web archive" (pywb with Memento, serving a
WARC a stand-in crawler wrote with warcio before the takedown) holds a notice the site has since
removed; `sourcekeeper recover` fetches it from there and the report shows it as a third-party copy."""

from __future__ import annotations

import shutil
import socket
import sys
import urllib.request
from pathlib import Path

from archive_store.export.replay import ReplayServer
from archive_store.index.database import ArchiveIndex, default_db_url
from sourcekeeper.demo.child import SOURCEKEEPER, run_step
from sourcekeeper.printable import printable


def _say(text: str = "") -> None:
    print(text, flush=True)


def public_archive_dir(archive_dir: Path) -> Path:
    return archive_dir.parent / f"{archive_dir.name}-public-archive"


def prepare_public_archive(archive_dir: Path, url: str) -> Path:
    """Before the takedown: another archive captures `url` (warcio's capture_http, as a colleague's
    tool would) and keeps it in its own folder."""
    from warcio.capture_http import capture_http  # noqa: PLC0415 (patches http.client for urllib)

    from archive_store.storage.importer import import_files  # noqa: PLC0415

    root = public_archive_dir(archive_dir)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    warc = root.parent / f"{root.name}-source.warc.gz"
    warc.unlink(missing_ok=True)
    with capture_http(str(warc)), urllib.request.urlopen(url, timeout=30) as answer:
        answer.read()
    import_files(root, [warc], default_db_url(root))
    warc.unlink()
    return root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_public_archive(public: Path) -> ReplayServer:
    """pywb over the other archive, started now and waited for only when the recover step needs
    it: its start (seconds of imports) overlaps the takedown steps. Stop it with `.stop()`."""
    server = ReplayServer(public, _free_port())
    server.start(wait=False)
    return server


def recover_step(
    archive_dir: Path,
    server: ReplayServer,
    url: str,
    overrides: dict[str, str],
    step: int,
) -> bool:
    """`sourcekeeper recover` in the demo's process (sourcekeeper.demo.child), its stderr held back
    unless it failed."""
    from sourcekeeper.commands.report import write_html_report  # noqa: PLC0415

    _say(f"\n{step}. Recovering the removed notice from a local public web archive (pywb, Memento) ...")
    server.wait_until_listening()
    endpoint = f"{server.base_url}timemap/link/"
    _say(f"  TimeMap endpoint: {endpoint}")
    command = [*SOURCEKEEPER, "recover", "--archive", str(archive_dir)]
    command += ["--endpoint", endpoint, "-q"]
    for name, value in overrides.items():
        command += ["-s", f"{name}={value}"]
    done = run_step([*command, url], capture_stderr=True)
    server.stop()
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr, end="")
        return False
    # `sourcekeeper history URL`'s lines, read here rather than in a child process (a second of imports)
    third_party = [line for line in history_lines(archive_dir, url) if "THIRD-PARTY" in line]
    for line in third_party:
        _say(f"  {line}")
    report = archive_dir / "report.html"
    write_html_report(archive_dir, default_db_url(archive_dir), report, "http://127.0.0.1:8090/archive/")
    _say(f"  {report} now lists it under “third-party copies (not our captures)”")
    return bool(third_party)


def history_lines(archive_dir: Path, url: str) -> list[str]:
    """What `sourcekeeper history --archive ARCHIVE_DIR URL` prints."""
    from sourcekeeper.commands.history import history_line, url_history  # noqa: PLC0415

    index = ArchiveIndex(default_db_url(archive_dir), create=False)
    try:
        entries = url_history(index, url)
    finally:
        index.close()
    return [printable(history_line(entry), one_line=True) for entry in entries]
