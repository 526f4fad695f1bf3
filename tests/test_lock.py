"""Installs are reproducible: the environments hold exactly what the committed lock files say.

`make install` installs requirements/lock.txt into this environment and requirements/pywb.lock
into pywb's (.venv/pywb), with hashes checked; a version that differs from its lock means an
install took something else (a newer upstream release, a hand-installed package).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from archive_store.export.pywb_env import pywb_python

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
PYWB_LOCK = ROOT / "requirements" / "pywb.lock"
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.M)
# installed by the Makefile outside the lock (the installer itself, and the project)
_NOT_LOCKED = {"uv", "pip", "sourcekeeper", "setuptools", "wheel"}


def _pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in _PIN.findall(lock.read_text("utf-8"))}


def _installed_here() -> dict[str, str]:
    """What is installed in this environment's site-packages (not what another package vendors:
    once something imports pkg_resources, setuptools puts its own `_vendor` folder on sys.path)."""
    site_packages = sysconfig.get_paths()["purelib"]
    found = metadata.distributions(path=[site_packages])
    return {canonicalize_name(d.metadata["Name"]): d.version for d in found}


def test_every_pin_carries_hashes() -> None:
    for lock in (LOCK, PYWB_LOCK, ROOT / "requirements" / "uv.txt"):
        entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", lock.read_text("utf-8"))
        pinned = [entry for entry in entries if _PIN.match(entry)]
        assert pinned, lock
        for entry in pinned:
            assert "--hash=sha256:" in entry, f"{lock.name}: {entry.splitlines()[0]} has no hash"


def test_the_lock_covers_every_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    declared += project["optional-dependencies"]["media"]
    pins = _pins(LOCK)
    for spec in declared:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared but not locked: run `make upgrade`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement.name}=={pins[name]} in the lock is outside the declared {requirement.specifier}"
        )


def test_this_environment_holds_exactly_the_locked_versions() -> None:
    pins, installed = _pins(LOCK), _installed_here()
    differing = {
        name: (version, pins.get(name))
        for name, version in installed.items()
        if name not in _NOT_LOCKED and pins.get(name) != version
    }
    assert not differing, f"installed (version, locked): {differing}; `make install` installs the lock"


def test_pywb_has_its_own_environment_holding_its_lock() -> None:
    python = pywb_python()
    if python == Path(sys.executable):
        pytest.fail("pywb is installed in the crawl's environment, not in its own (.venv/pywb)")
    listed = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m, json;"
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {canonicalize_name(name): version for name, version in json.loads(listed.stdout).items()}
    pins = _pins(PYWB_LOCK)
    assert installed.get("pywb") == pins["pywb"] == "2.8.0"
    differing = {
        n: (v, pins.get(n)) for n, v in installed.items() if n not in _NOT_LOCKED and pins.get(n) != v
    }
    assert not differing, f"pywb's environment (installed, locked): {differing}"
    # and the crawl's environment is free of pywb's old pins
    here = _installed_here()
    assert "pywb" not in here
    assert int(here["greenlet"].split(".")[0]) >= 3
