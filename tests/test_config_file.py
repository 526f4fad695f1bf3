"""sourcekeeper.toml: looked up in the working directory, then the archive folder (which wins);
`--config FILE` alone when given; every command option and -s wins over every file; unknown keys
are errors that name the closest known key; `sourcekeeper config` says where each value came from."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from archive_helpers import archive_cli, run_cli, warc_files

from archive_store.warc.members import iter_records
from sourcekeeper.cli import build_parser
from sourcekeeper.configfile import ConfigError, effective_settings, load_config


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _args(cwd: Path, monkeypatch, *argv: str) -> argparse.Namespace:
    monkeypatch.chdir(cwd)
    args = build_parser().parse_args(["config", *argv])
    load_config(args)
    return args


def _effective(args: argparse.Namespace) -> dict[str, tuple[object, str]]:
    return {row.name: (row.value, row.source) for row in effective_settings(args)}


# the precedence table: (files present, command line) -> (DOWNLOAD_TIMEOUT, where it came from)
CASES = {
    "nothing": ([], [], (60, "project (settings.py)")),
    "cwd": (["cwd"], [], ("7", "cwd")),
    "cwd+archive": (["cwd", "archive"], [], ("9", "archive")),
    "archive only": (["archive"], [], ("9", "archive")),
    "--config": (["cwd", "archive", "extra"], ["--config", "extra.toml"], ("11", "--config")),
    "-s": (["cwd", "archive"], ["-s", "DOWNLOAD_TIMEOUT=13"], ("13", "command line")),
    "--config and -s": (
        ["extra"],
        ["--config", "extra.toml", "-s", "DOWNLOAD_TIMEOUT=13"],
        ("13", "command line"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_precedence(tmp_path, monkeypatch, case):
    files, argv, (value, source) = CASES[case]
    texts = {
        "cwd": (tmp_path / "sourcekeeper.toml", "[settings]\nDOWNLOAD_TIMEOUT = 7\nDOWNLOAD_DELAY = 4\n"),
        "archive": (tmp_path / "archive" / "sourcekeeper.toml", "[settings]\nDOWNLOAD_TIMEOUT = 9\n"),
        "extra": (tmp_path / "extra.toml", "[settings]\nDOWNLOAD_TIMEOUT = 11\n"),
    }
    for name in files:
        _write(*texts[name])
    found = _effective(_args(tmp_path, monkeypatch, *argv))
    got_value, got_source = found["DOWNLOAD_TIMEOUT"]
    assert got_value == value
    expected_source = {
        "cwd": str(tmp_path / "sourcekeeper.toml"),
        "archive": str(tmp_path / "archive" / "sourcekeeper.toml"),
        "--config": f"--config {Path('extra.toml')}",
    }.get(source, source)
    assert got_source == expected_source
    # a value only the working directory's file sets survives under the archive folder's file,
    # and is ignored when --config names the one file to read
    if "cwd" in files and "--config" not in argv:
        assert found["DOWNLOAD_DELAY"] == ("4", str(tmp_path / "sourcekeeper.toml"))
    elif "--config" in argv:
        assert found["DOWNLOAD_DELAY"][1] == "project (settings.py)"


def test_options_from_the_file_and_from_the_command_line(tmp_path, monkeypatch):
    _write(
        tmp_path / "sourcekeeper.toml", 'archive = "kept"\ndb = "sqlite:////tmp/x.db"\nstore = "s3://b/p"\n'
    )
    _write(tmp_path / "kept" / "sourcekeeper.toml", 'db = "sqlite:////tmp/y.db"\n')
    args = _args(tmp_path, monkeypatch)
    assert args.archive == tmp_path / "kept"  # relative to the file that names it
    assert args.db == "sqlite:////tmp/y.db"  # the archive folder's file wins
    assert dict(args.settings)["ARCHIVE_STORE_URI"] == "s3://b/p"
    found = _effective(args)
    assert found["archive"] == (str(tmp_path / "kept"), str(tmp_path / "sourcekeeper.toml"))
    assert found["db"] == ("sqlite:////tmp/y.db", str(tmp_path / "kept" / "sourcekeeper.toml"))
    given = _args(tmp_path, monkeypatch, "--archive", "other", "--db", "sqlite:////tmp/z.db")
    assert (given.archive, given.db) == (Path("other"), "sqlite:////tmp/z.db")
    assert _effective(given)["db"] == ("sqlite:////tmp/z.db", "command line")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('stroe = "s3://a/b"\n', "unknown key 'stroe' (did you mean 'store'?)"),
        ("[settings]\nDOWNLOAD_DELY = 2\n", "unknown key 'DOWNLOAD_DELY' (did you mean 'DOWNLOAD_DELAY'?)"),
        ("[settings]\nZZZ = 2\n", "unknown key 'ZZZ'"),
        ("db = [1]\n", "'db' has the wrong type"),
        ("db = \n", "not valid TOML"),
    ],
)
@pytest.mark.slow
def test_bad_files_are_usage_errors_naming_the_key(tmp_path, monkeypatch, text, message):
    path = _write(tmp_path / "sourcekeeper.toml", text)
    with pytest.raises(ConfigError, match=r".*") as raised:
        _args(tmp_path, monkeypatch)
    assert str(path) in str(raised.value) and message in str(raised.value)
    result = run_cli("config", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_missing_config_file_is_a_usage_error(tmp_path):
    result = run_cli("config", "--config", tmp_path / "nope.toml", cwd=tmp_path)
    assert result.returncode == 2 and "no such file" in result.stderr


@pytest.mark.slow
def test_config_command_json(tmp_path):
    _write(tmp_path / "sourcekeeper.toml", "[settings]\nDOWNLOAD_DELAY = 3\n")
    result = run_cli("config", "--json", "-s", "RETRY_TIMES=5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["DOWNLOAD_DELAY"] == {
        "name": "DOWNLOAD_DELAY",
        "value": "3",
        "source": str(tmp_path / "sourcekeeper.toml"),
    }
    assert rows["RETRY_TIMES"]["source"] == "command line"
    assert rows["ARCHIVE_GZIP_LEVEL"]["source"].startswith("archive default")
    assert rows["archive"] == {"name": "archive", "value": "archive", "source": "default"}


@pytest.mark.slow
def test_a_crawl_runs_with_the_files_settings(mocksite, tmp_path):
    archive = tmp_path / "archive"
    _write(
        archive / "sourcekeeper.toml", 'operator = "team-a"\n[settings]\nARCHIVE_WARC_PREFIX = "fromtoml"\n'
    )
    result = archive_cli(archive, mocksite.url("/plain"), "--no-extract")
    assert result.returncode == 0, result.stderr
    (warc,) = warc_files(archive)
    assert warc.name.startswith("fromtoml-")
    info = next(r for r in iter_records(warc) if r.record_type == "warcinfo")
    assert b"operator: team-a\r\n" in info.block
    overridden = archive_cli(
        archive, mocksite.url("/gzip"), "--no-extract", "-s", "ARCHIVE_WARC_PREFIX=fromcli"
    )
    assert overridden.returncode == 0, overridden.stderr
    assert any(w.name.startswith("fromcli-") for w in warc_files(archive))


def test_vantage_points_and_render_mode_from_the_file(tmp_path, monkeypatch):
    _write(
        tmp_path / "sourcekeeper.toml",
        'proxy = "socks5h://gw.example:1080"\nproxy_fallback = "http://second.example:3128"\n'
        'allow_private = "10.0.0.0/8"\nrender = "never"\n',
    )
    settings = dict(_args(tmp_path, monkeypatch).settings)
    assert settings["ARCHIVE_PROXY"] == "socks5h://gw.example:1080"
    assert settings["ARCHIVE_PROXY_FALLBACK"] == "http://second.example:3128"
    assert settings["ARCHIVE_ALLOW_PRIVATE"] == "10.0.0.0/8"
    assert settings["ARCHIVE_RENDER"] == "never"
