"""ReplayWeb.page's files for `publish`: `ui.js`, `sw.js` and `index.html` taken from its published
npm package at a pinned version (`npm pack`, run by `make install`: `python -m
sourcekeeper.web.replaywebpage`), kept in `.venv/replaywebpage-<version>/` with the package's
licence (AGPL-3.0-or-later). Not committed: the files are large and are ReplayWeb.page's own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "2.5.3"
ASSETS = ("ui.js", "sw.js", "index.html")
LICENCE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt")


def assets_dir() -> Path:
    return Path(sys.prefix) / f"replaywebpage-{VERSION}"


def find_assets() -> Path | None:
    """The folder holding the pinned version's files, if they were fetched."""
    checkout = Path(__file__).resolve().parents[2] / ".cache" / f"replaywebpage-{VERSION}"  # the tests' copy
    for folder in (assets_dir(), checkout):
        if all((folder / name).is_file() for name in ASSETS):
            return folder
    return None


def fetch_assets() -> Path | None:
    """`npm pack replaywebpage@VERSION` and its three files (and licence) taken out by fixed names
    (a member name never becomes a path); None when npm is absent or cannot fetch it."""
    found = find_assets()
    if found is not None:
        return found
    npm = shutil.which("npm")
    if npm is None:
        return None
    target = assets_dir()
    with tempfile.TemporaryDirectory() as scratch:
        packed = subprocess.run(
            [npm, "pack", f"replaywebpage@{VERSION}", "--pack-destination", scratch],
            capture_output=True,
            timeout=300,
            check=False,
        )
        tarball = Path(scratch) / f"replaywebpage-{VERSION}.tgz"
        if packed.returncode != 0 or not tarball.exists():
            return None
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as package:
            names = set(package.getnames())
            for name in (*ASSETS, *LICENCE_NAMES):
                if f"package/{name}" not in names:
                    continue
                member = package.extractfile(f"package/{name}")
                if member is not None:
                    (target / name).write_bytes(member.read())
    return target if all((target / n).is_file() for n in ASSETS) else None


if __name__ == "__main__":
    where = fetch_assets()
    missing = "not fetched (npm absent or offline); publish works without replay"
    print(f"ReplayWeb.page {VERSION}: {where or missing}")
