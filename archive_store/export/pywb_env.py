"""Where pywb lives: an environment of its own, beside the project's.

pywb 2.8 pins libraries (redis 2.10.6, greenlet < 3, gevent 22) that would hold the crawl's
environment back, so `make install` puts it in `.venv/pywb` (requirements/pywb.lock) and it is
run from there: our launcher (pywb_launch.py) by file path, pywb's own scripts (`wb-manager`)
from that environment's bin folder. `SOURCEKEEPER_PYWB_PYTHON` names another interpreter with
pywb installed; failing both, pywb installed in this very environment is used.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from archive_store.export import pywb_launch

PYWB_PYTHON_VARIABLE = "SOURCEKEEPER_PYWB_PYTHON"
_BESIDE_THIS_ENVIRONMENT = Path(sys.prefix) / "pywb" / "bin" / "python"


class PywbMissing(RuntimeError):
    """No environment with pywb was found."""


def pywb_python() -> Path:
    """The interpreter of the environment pywb is installed in."""
    named = os.environ.get(PYWB_PYTHON_VARIABLE)
    if named:
        path = Path(named)
        if not path.exists():
            raise PywbMissing(f"{PYWB_PYTHON_VARIABLE}={named}: no such interpreter")
        return path
    if _BESIDE_THIS_ENVIRONMENT.exists():
        return _BESIDE_THIS_ENVIRONMENT
    if importlib.util.find_spec("pywb") is not None:
        return Path(sys.executable)
    raise PywbMissing(
        f"pywb is not installed: `make install` puts it in {_BESIDE_THIS_ENVIRONMENT.parent.parent} "
        f"(or set {PYWB_PYTHON_VARIABLE} to a Python that has pywb 2.8)"
    )


def pywb_script(name: str) -> Path:
    """One of pywb's own commands (`wb-manager`, `wayback`, `cdx-indexer`) in its environment."""
    return pywb_python().parent / name


def wayback_command() -> list[str]:
    """pywb's `wayback` server through our launcher (see pywb_launch for why not the script).

    Run isolated (-I): the launcher's folder is not put on sys.path (its modules would shadow
    packages of pywb's environment), and no PYTHON* variable of ours leaks into pywb's."""
    return [str(pywb_python()), "-I", str(Path(pywb_launch.__file__).resolve())]
