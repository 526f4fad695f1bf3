"""What the user typed is what runs: seed files and their comments, setting names, WHEN values,
URLs typed without a scheme, unknown options, and URLs shown as the IRIs they stand for.

The command line runs in this process (`sourcekeeper.cli.main`) wherever no crawl is needed; the
one test that crawls does it in a subprocess and is marked slow."""

from __future__ import annotations

import json
import socket
import urllib.error
from datetime import datetime
from pathlib import Path

import pytest
from archive_helpers import archive_cli, records_for

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.lookup import normalise_url
from archive_store.index.schema import Capture
from archive_store.index.when import parse_when
from pipelines.documents.seeds import parse_seeds, read_seed_files
from sourcekeeper.cli import build_parser, main
from sourcekeeper.urltext import shown

ENCODED = "https://www.example.gov.cn/%E9%80%9A%E7%9F%A5/%E5%8A%9D%E8%BF%94.html?q=%E5%85%AC%E5%91%8A"
DECODED = "https://www.example.gov.cn/通知/劝返.html?q=公告"
ALLOW_HINT = "-s ARCHIVE_ALLOW_PRIVATE=true, or allow_private = true in sourcekeeper.toml"


def _capture(url: str, when: datetime, n: int) -> Capture:
    return Capture(
        url=url,
        method="GET",
        captured_at=when,
        warc_date=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        http_status=200,
        record_type="response",
        record_id=f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",
        warc_file="example.warc.gz",
        warc_offset=0,
        warc_length=100,
        payload_digest=f"sha1:AAAA{n}",
        block_digest=f"sha1:BBBB{n}",
        payload_length=10,
        chunked=False,
        state="ok",
        hop=0,
    )


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An index with one capture of ENCODED, made on 2026-12-07 at 15:20 UTC (no crawl)."""
    monkeypatch.chdir(tmp_path)  # no sourcekeeper.toml of the checkout applies
    folder = tmp_path / "archive"
    folder.mkdir()
    index = ArchiveIndex(default_db_url(folder))
    index.add_capture(_capture(ENCODED, datetime(2026, 12, 7, 15, 20, 0), 1))
    index.close()
    return folder


# --- seed files ------------------------------------------------------------------------------


def test_every_seeds_option_is_kept_by_the_parser():
    args = build_parser().parse_args(["archive", "--seeds", "a.txt", "--seeds", "b.txt"])
    assert args.seeds == ["a.txt", "b.txt"]


def test_two_seed_files_are_both_read_in_order(tmp_path: Path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("http://one.example.gov.cn/\n")
    second.write_text("http://two.example.gov.cn/\n")
    urls, errors = parse_seeds(read_seed_files([str(first), str(second)]))
    assert urls == ["http://one.example.gov.cn/", "http://two.example.gov.cn/"] and errors == []


def test_a_seed_line_may_end_with_a_comment(tmp_path: Path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(
        "# cited in the report\n"
        "http://a.example.gov.cn/x.html   # cited in report 3\n"
        "http://b.example.gov.cn/y.html\t# tab, then the comment\n"
        "http://c.example.gov.cn/z.html#section\n"  # no white space before #: a fragment (not fetched)
    )
    urls, errors = parse_seeds(read_seed_files(str(seeds)))
    assert errors == []
    assert urls == [
        "http://a.example.gov.cn/x.html",
        "http://b.example.gov.cn/y.html",
        "http://c.example.gov.cn/z.html",
    ]


def test_a_bad_seed_line_is_named_by_file_and_line_with_a_scheme_hint(tmp_path: Path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("http://ok.example.gov.cn/\nwww.gov.cn/x.html  # forgot the scheme\nhttp://a b\n")
    _, errors = parse_seeds(read_seed_files(str(seeds)))
    assert [str(e).split(": ")[0] for e in errors] == [f"{seeds}:2", f"{seeds}:3"]
    assert str(errors[0]).startswith(f"{seeds}:2: no scheme; did you mean http://www.gov.cn/x.html?")


@pytest.mark.slow
def test_archive_reads_every_seeds_file_and_names_a_bad_line_once(mocksite, tmp_path: Path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(f"{mocksite.url('/plain')}   # cited in report 3\n")
    second.write_text(f"# second file\n{mocksite.url('/gbk/page.html')}\nnot a url\n")
    result = archive_cli(tmp_path / "archive", "--seeds", first, "--seeds", second, "--no-extract")
    assert result.returncode == 1, result.stderr  # the bad line is a failure; the rest ran
    assert records_for(tmp_path / "archive", mocksite.url("/plain"))
    assert records_for(tmp_path / "archive", mocksite.url("/gbk/page.html"))
    assert result.stderr.count("not a url") == 1, result.stderr
    assert f"{second}:3: contains white space" in result.stderr


# --- setting names -------------------------------------------------------------------------


def test_a_typo_in_a_setting_name_exits_2_with_the_closest_name(archive, capsys):
    code = main(
        ["archive", "--archive", str(archive), "-s", "ARCHIVE_ALOW_PRIVATE=true", "http://x.invalid/"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown setting ARCHIVE_ALOW_PRIVATE; did you mean ARCHIVE_ALLOW_PRIVATE?" in err


def test_scrapy_and_archive_setting_names_pass(archive, capsys):
    code = main(
        [
            "show",
            "--archive",
            str(archive),
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "ARCHIVE_ALLOW_PRIVATE=1",
            ENCODED,
        ]
    )
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("toml", "hint"),
    [
        (
            "ARCHIVE_ALLOW_PRIVATE = true\n",
            "ARCHIVE_ALLOW_PRIVATE is a setting: put it under [settings], or use allow_private = true",
        ),
        ("DOWNLOAD_DELAY = 2\n", "DOWNLOAD_DELAY is a setting: put it under [settings]"),
        (
            "ARCHIVE_ALOW_PRIVATE = true\n",
            "did you mean the setting ARCHIVE_ALLOW_PRIVATE? Put it under [settings], or use allow_private",
        ),
    ],
)
def test_a_setting_at_the_top_of_the_config_file_says_where_it_belongs(archive, capsys, toml, hint):
    Path("sourcekeeper.toml").write_text(toml)
    assert main(["show", "--archive", str(archive), ENCODED]) == 2
    assert hint in capsys.readouterr().err


# --- WHEN values ---------------------------------------------------------------------------


def test_a_bare_date_at_finds_a_capture_made_that_day(archive, capsys):
    assert main(["show", "--archive", str(archive), "--json", "--at", "2026-12-07", ENCODED]) == 0
    assert json.loads(capsys.readouterr().out)["captured_at"].startswith("2026-12-07T15:20")
    assert main(["show", "--archive", str(archive), "--json", "--at", "20261207", ENCODED]) == 0
    capsys.readouterr()
    assert main(["show", "--archive", str(archive), "--at", "2026-12-06", ENCODED]) == 1
    assert "no capture" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-12-07", datetime(2026, 12, 7), datetime(2026, 12, 8)),
        ("20261207", datetime(2026, 12, 7), datetime(2026, 12, 8)),
        ("2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1)),
        ("2026", datetime(2026, 1, 1), datetime(2027, 1, 1)),
        ("2026-12-07T10:30", datetime(2026, 12, 7, 10, 30), datetime(2026, 12, 7, 10, 31)),
        ("20261207103015", datetime(2026, 12, 7, 10, 30, 15), datetime(2026, 12, 7, 10, 30, 16)),
        ("2026-12-07T18:30:15+08:00", datetime(2026, 12, 7, 10, 30, 15), datetime(2026, 12, 7, 10, 30, 16)),
        (
            "2026-12-07T10:30:15.5Z",
            datetime(2026, 12, 7, 10, 30, 15, 500000),
            datetime(2026, 12, 7, 10, 30, 15, 600000),
        ),
    ],
)
def test_a_when_value_spans_as_much_as_it_says(text, start, end):
    when = parse_when(text)
    assert (when.start, when.end) == (start, end)


@pytest.mark.parametrize("argv", [["crawl", "p.toml", "--since"], ["export", "wacz", "o.wacz", "--until"]])
def test_every_command_reads_when_values_the_same_way(argv):
    args = build_parser().parse_args([*argv, "2026-12-07"])
    when = args.since if argv[0] == "crawl" else args.until
    assert (when.start, when.last) == (datetime(2026, 12, 7), datetime(2026, 12, 7, 23, 59, 59, 999999))


def test_a_time_that_is_not_one_is_a_usage_error(archive, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["show", "--archive", str(archive), "--at", "yesterday", ENCODED])
    assert stop.value.code == 2 and "not a time: 'yesterday'" in capsys.readouterr().err


# --- URLs typed without a scheme, unknown options, --help ------------------------------------


def test_a_url_without_its_scheme_gets_a_hint(archive, capsys):
    assert main(["show", "--archive", str(archive), "www.example.gov.cn/x.html"]) == 1
    err = capsys.readouterr().err
    assert "no capture of www.example.gov.cn/x.html" in err
    assert "did you mean http://www.example.gov.cn/x.html?" in err
    # only the https:// spelling is archived: that is the one suggested
    typed = DECODED.removeprefix("https://")
    assert main(["show", "--archive", str(archive), typed]) == 1
    assert f"did you mean {DECODED}?" in capsys.readouterr().err
    assert main(["history", "--archive", str(archive), typed]) == 1
    assert f"did you mean {DECODED}?" in capsys.readouterr().err


def test_an_unknown_option_prints_the_subcommands_usage(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["show", "--bogus", "http://x.invalid/"])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith("usage: sourcekeeper show") and "unrecognized arguments: --bogus" in err
    with pytest.raises(SystemExit):
        main(["export", "wacz", "out.wacz", "--bogus"])
    assert capsys.readouterr().err.startswith("usage: sourcekeeper export wacz")


def test_help_opens_with_what_the_tool_does(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    opening = capsys.readouterr().out.split("\n\n")[1]
    assert "WARC" in opening and "re-check" in opening
    assert "subcommand" not in opening and "module" not in opening


# --- IRIs --------------------------------------------------------------------------------------


def test_human_output_shows_the_iri_and_json_the_exact_url(archive, capsys):
    assert main(["show", "--archive", str(archive), ENCODED]) == 0
    out = capsys.readouterr().out
    assert f"url             {DECODED}\n" in out
    assert main(["show", "--archive", str(archive), "--json", ENCODED]) == 0
    assert json.loads(capsys.readouterr().out)["url"] == ENCODED
    assert main(["history", "--archive", str(archive), ENCODED]) == 0
    assert DECODED in capsys.readouterr().out
    assert main(["history", "--archive", str(archive), "--json", ENCODED]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["url"] == ENCODED


def test_what_is_shown_can_be_typed_back(archive, capsys):
    assert main(["show", "--archive", str(archive), "--json", DECODED]) == 0
    assert json.loads(capsys.readouterr().out)["url"] == ENCODED


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("http://xn--fiqs8s.xn--fiqs8s/a.html", "http://中国.中国/a.html"),
        ("http://www.gov.cn/?q=a+b%2Bc%20d%0A", "http://www.gov.cn/?q=a+b%2Bc%20d%0A"),  # ASCII stays
        ("http://www.gov.cn/s?kw=%D6%D0%CE%C4", "http://www.gov.cn/s?kw=%D6%D0%CE%C4"),  # GBK stays
        ("http://www.gov.cn/%E2%80%AEfdp.exe", "http://www.gov.cn/%E2%80%AEfdp.exe"),  # bidi control
        ("http://www.gov.cn/a%E3%80%80b", "http://www.gov.cn/a%E3%80%80b"),  # ideographic space
        ("http://www.gov.cn/%e9%80%9a%FF", "http://www.gov.cn/通%FF"),
    ],
)
def test_an_iri_is_shown_only_where_it_reads_back_the_same(stored, expected):
    assert shown(stored) == expected
    assert normalise_url(shown(stored)).lower() == stored.lower()


# --- private addresses -------------------------------------------------------------------------


def test_every_refusal_of_a_private_address_says_how_to_allow_it():
    from archive_store.crawl.failures import describe_failure
    from archive_store.net.netpolicy import AddressPolicy, PrivateAddressRefused
    from archive_store.net.urlguard import guarded_opener

    # the crawl's reason (run summary, index, logs)
    assert ALLOW_HINT in describe_failure(PrivateAddressRefused("10.0.0.5"))
    # the fetches made outside the crawl (Memento TimeMaps, recover, push)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(urllib.error.URLError) as refused:
            guarded_opener(AddressPolicy()).open(f"http://127.0.0.1:{port}/", timeout=5)
    assert "refused: private address 127.0.0.1" in str(refused.value.reason)
    assert ALLOW_HINT in str(refused.value.reason)
