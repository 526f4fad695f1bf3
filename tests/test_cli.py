"""The command line as a user meets it: show, usage errors, exit codes, JSON fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive_helpers import archive_cli, cli_here, run_cli

from archive_store.warc.members import read_record
from sourcekeeper.jobs.show import SHOW_FIELDS

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)


@pytest.fixture(scope="module")
def archive(mocksite, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("cli") / "archive"
    mocksite.set_mode("before")
    first = archive_cli(
        archive,
        mocksite.url("/flip"),
        mocksite.url("/gbk/page.html"),
        mocksite.url("/status/404"),
        "--no-extract",
    )
    assert first.returncode == 1, first.stderr  # /status/404 was gone at its first fetch
    assert f"{mocksite.url('/status/404')}: gone (HTTP 404) at first fetch" in first.stderr
    mocksite.set_mode("after")
    second = archive_cli(archive, mocksite.url("/flip"), "--no-extract")
    mocksite.set_mode("before")
    assert second.returncode == 1, second.stderr  # /flip is gone now
    return archive


def test_show_json_has_the_contract_fields_and_points_at_the_record(archive, mocksite):
    result = cli_here("show", "--archive", archive, "--json", mocksite.url("/gbk/page.html"))
    assert result.returncode == 0, result.stderr
    fields = json.loads(result.stdout)
    assert set(SHOW_FIELDS) <= set(fields)
    assert fields["http_status"] == 200 and fields["state"] == "ok"
    record = read_record(
        archive / "warcs" / fields["warc_file"], fields["warc_offset"], fields["warc_length"]
    )
    assert record.record_id == fields["record_id"]
    assert record.get("WARC-Payload-Digest") == fields["payload_digest"]


def test_show_prefers_the_latest_good_capture(archive, mocksite):
    fields = json.loads(cli_here("show", "--archive", archive, "--json", mocksite.url("/flip")).stdout)
    assert fields["http_status"] == 200  # the later 404 does not hide it


def test_show_falls_back_to_the_latest_capture_when_none_is_good(archive, mocksite):
    fields = json.loads(cli_here("show", "--archive", archive, "--json", mocksite.url("/status/404")).stdout)
    assert fields["http_status"] == 404 and fields["state"] == "error:http-404"


def test_show_raw_writes_the_response_exactly_as_archived(archive, mocksite):
    result = cli_here("show", "--archive", archive, "--raw", mocksite.url("/gbk/page.html"))
    assert result.stdout_bytes == mocksite.sent("/gbk/page.html")


def test_show_at_a_time_before_any_capture(archive, mocksite):
    result = cli_here("show", "--archive", archive, "--at", "2001-01-01", mocksite.url("/flip"))
    assert result.returncode == 1 and "no capture" in result.stderr
    later = cli_here("show", "--archive", archive, "--at", "20991231000000", "--json", mocksite.url("/flip"))
    assert later.returncode == 0


def test_show_text_output_names_the_fields(archive, mocksite):
    result = cli_here("show", "--archive", archive, mocksite.url("/gbk/page.html"))
    assert result.returncode == 0 and "warc_file" in result.stdout and "record_id" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["archive", "--archive", "{tmp}/a"], 2, "at least one URL"),
        (
            ["archive", "--archive", "{tmp}/a", "--seeds", "{tmp}/missing.txt"],
            2,
            "seed file not found",
        ),
        (
            ["archive", "--archive", "{tmp}/a", "-s", "NOVALUE", "http://x.invalid/"],
            2,
            "NAME=VALUE",
        ),
        (["show", "--archive", "{tmp}/none", "http://x.invalid/"], 2, "no archive"),
        (
            ["show", "--archive", "{archive}", "--at", "yesterday", "http://x.invalid/"],
            2,
            "not a time",
        ),
        (["show", "--archive", "{archive}", "http://never.invalid/"], 1, "no capture"),
        (["verify", "--archive", "{tmp}/none"], 2, "no archive"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_usage_errors_and_exit_codes(archive, tmp_path, args, code, message):
    args = [a.format(tmp=tmp_path, archive=archive) for a in args]
    result = (cli_here if args[0] in ("show", "verify") else run_cli)(*args)  # reading: in-process
    assert result.returncode == code, result.stderr
    assert message in result.stderr


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("sourcekeeper ")
    help_text = run_cli("archive", "--help").stdout
    assert "--seeds" in help_text and "--no-extract" in help_text


def test_a_crawl_that_cannot_start_ends_with_one_line_and_exit_1(tmp_path):
    # the index URL is refused inside Scrapy's start-up (the archive extension's from_crawler)
    result = archive_cli(tmp_path / "archive", "http://127.0.0.1:9/", "-s", "ARCHIVE_DB_URL=bogus://x")
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("the crawl ended without a run summary; see the log above")
    assert "Crawler.extensions is not set" not in result.stderr
