"""The demo's later steps run in `python -m sourcekeeper` children started ahead of their step
(sourcekeeper.demo.warm): each must behave as the command it is given, and end when never used."""

from __future__ import annotations

import subprocess

import pytest

from sourcekeeper.demo.child import SOURCEKEEPER, run_child, start_sourcekeeper

pytestmark = pytest.mark.slow  # starts `python -m sourcekeeper` children (see conftest.py)


def test_a_child_started_ahead_runs_its_command_as_sourcekeeper_does(tmp_path):
    command = [*SOURCEKEEPER, "history", "--archive", str(tmp_path / "none"), "http://example.org/"]
    direct = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    started = start_sourcekeeper(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ahead = run_child(command, started=started)
    assert direct.returncode == 2, direct.stderr
    assert (ahead.returncode, ahead.stdout, ahead.stderr) == (direct.returncode, direct.stdout, direct.stderr)
    assert "no archive at" in ahead.stderr


def test_a_child_never_given_a_command_ends_when_its_stdin_closes():
    started = start_sourcekeeper(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = started.communicate(timeout=60)  # closes its stdin with nothing written
    assert started.returncode == 0, stderr
    assert (stdout, stderr) == ("", "")
