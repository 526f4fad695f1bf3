"""The structural WARC validator against a good file, an edge-case file and the broken corpus."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from broken_warcs import (
    BROKEN_CASES,
    GOOD_NAME,
    HOST,
    good_records,
    member,
    rid,
    write_edge_warc,
    write_good_warc,
    write_records,
)

from archive_store.validate.validator import (
    Problem,
    iter_gzip_members,
    main,
    validate_collection,
    validate_warc_file,
)

VENV_BIN = Path(sys.executable).parent
WARCIO = VENV_BIN / "warcio"


def _warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WARCIO), "check", "-v", str(path)], capture_output=True, text=True, check=False
    )


def _gzip_t(path: Path) -> subprocess.CompletedProcess[str]:
    gzip_bin = shutil.which("gzip")
    assert gzip_bin, "gzip(1) is needed: docs/capture-rules.md W-FILE-4 asks for `gzip -t`"
    return subprocess.run([gzip_bin, "-t", str(path)], capture_output=True, text=True, check=False)


def build(name: str, directory: Path) -> Path:
    """Write broken case `name` into its own folder under directory."""
    folder = directory / name
    folder.mkdir(exist_ok=True)
    return BROKEN_CASES[name][0](folder)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_good_warc(tmp_path / GOOD_NAME)


def test_good_file_has_no_problems(good: Path) -> None:
    problems, summaries = validate_warc_file(good)
    assert problems == []
    assert validate_collection([good]) == []
    assert [s.record_type for s in summaries] == [
        "warcinfo",
        *["response", "request"] * 3,
        "revisit",
        "request",
        "conversion",
        "metadata",
    ]
    page = summaries[1]
    assert page.record_id == rid("page") and page.target_uri == "http://example.com/notice?id=7"
    assert page.payload_digest and page.block_digest and page.concurrent_to == ()
    assert summaries[2].concurrent_to == (rid("page"),)
    assert summaries[7].refers_to == rid("page")


def test_good_file_passes_warcio_check_and_gzip_t(good: Path) -> None:
    result = _warcio_check(good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout
    assert result.stdout.count("digest pass") >= 10
    assert _gzip_t(good).returncode == 0


def test_summary_offsets_give_whole_members(good: Path) -> None:
    """What the index stores (offset, length) reads back one gzip member holding one record."""
    _, summaries = validate_warc_file(good)
    data = good.read_bytes()
    assert summaries[0].offset == 0
    assert sum(s.length for s in summaries) == len(data)
    for summary in summaries:
        raw = data[summary.offset : summary.offset + summary.length]
        decompressor = zlib.decompressobj(wbits=31)
        record = decompressor.decompress(raw)
        assert decompressor.eof and not decompressor.unused_data
        assert record.startswith(b"WARC/1.1\r\n") and summary.record_id.encode() in record


def test_correct_chunked_payload_digest_passes_but_warcio_check_disagrees(tmp_path: Path) -> None:
    """W-DIG-2 hashes the de-chunked body; warcio 1.8 hashes the framing (warcio#74, #75).

    If this starts failing because warcio passes, warcio fixed the bug: drop the default
    digest_chunked_payload=False in broken_warcs.good_records.
    """
    path = write_good_warc(tmp_path / GOOD_NAME, digest_chunked_payload=True)
    assert validate_collection([path]) == []
    result = _warcio_check(path)
    failures = [line for line in result.stdout.splitlines() if "failed" in line]
    assert result.returncode == 1 and len(failures) == 1 and "payload digest" in failures[0]
    assert rid("list") in result.stdout


def test_warcio_check_misses_payload_digest_over_chunked_bytes(tmp_path: Path) -> None:
    path = build("payload_digest_over_chunked_bytes", tmp_path)
    assert _warcio_check(path).returncode == 0  # so our validator has to catch it
    assert {p.rule for p in validate_collection([path])} == {"W-DIG-2"}


def test_edge_cases_are_accepted(tmp_path: Path) -> None:
    path = write_edge_warc(tmp_path / GOOD_NAME)
    problems = validate_collection([path])
    assert problems == [], "\n".join(map(str, problems))
    assert _gzip_t(path).returncode == 0


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_case_is_flagged(tmp_path: Path, name: str) -> None:
    builder, expected = BROKEN_CASES[name]
    path = builder(tmp_path)
    problems = validate_collection([path])
    assert problems, f"{name}: nothing flagged"
    assert {p.rule for p in problems} == {expected}, "\n".join(map(str, problems))
    for problem in problems:
        assert problem.path == str(path)
        assert str(problem).startswith(str(path)) and path.name in str(problem)
        assert "\n" not in str(problem) and problem.message


def test_per_file_and_member_checks_need_no_collection(tmp_path: Path) -> None:
    for name in ("truncated_last_member", "whole_file_gzip", "http2_status_line", "bad_file_name"):
        problems, _ = validate_warc_file(build(name, tmp_path))
        assert {p.rule for p in problems} == {BROKEN_CASES[name][1]}
    problems, _ = validate_warc_file(build("bad_file_name", tmp_path), expect_name=False)
    assert problems == []


def test_iter_gzip_members(tmp_path: Path, good: Path) -> None:
    members = list(iter_gzip_members(good))
    assert len(members) == len(good_records())
    assert all(error is None and data for _, _, data, error in members)
    assert [m[0] for m in members[1:]] == [o + n for o, n, _, _ in members[:-1]]
    cut = build("truncated_last_member", tmp_path)
    *_, (offset, length, data, error) = iter_gzip_members(cut)
    assert data is None and error and f"cut the file back to {offset}" in error
    assert offset + length == cut.stat().st_size
    whole = build("whole_file_gzip", tmp_path)
    [(offset, length, data, error)] = iter_gzip_members(whole)
    assert data is not None and data.count(b"WARC/1.1\r\n") >= len(good_records())
    assert error and "11 WARC records" in error


def test_flipped_byte_then_later_members_still_read(tmp_path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    offsets = [m[0] for m in iter_gzip_members(good)]
    data[offsets[3] + 40] ^= 0xFF  # inside the list response's member
    good.write_bytes(bytes(data))
    members = list(iter_gzip_members(good))
    assert [m[0] for m in members] == offsets
    assert [m[3] is not None for m in members].count(True) == 1
    rules = {p.rule for p in validate_collection([good])}
    assert "gzip" in rules and rules <= {"gzip", "W-REL-1", "W-REL-2"}


def test_collection_across_files(tmp_path: Path) -> None:
    """A revisit may point at an original in another file; without that file it dangles."""
    recs = good_records(GOOD_NAME)
    first = {k: recs[k] for k in ("warcinfo", "page", "req-page")}
    second_name = GOOD_NAME.replace("-00000-", "-00001-")
    second = good_records(second_name)
    rest = {k: second[k] for k in ("warcinfo", "revisit", "req-revisit")}
    rest["warcinfo"].set("WARC-Record-ID", rid("warcinfo-2"))
    for key in ("revisit", "req-revisit"):
        rest[key].set("WARC-Warcinfo-ID", rid("warcinfo-2"))
    a = write_records(tmp_path / GOOD_NAME, first)
    b = write_records(tmp_path / second_name, rest)
    assert validate_collection([a, b]) == []
    assert {p.rule for p in validate_collection([b])} == {"W-REV-4"}
    duplicate = tmp_path / "copy" / GOOD_NAME
    duplicate.parent.mkdir()
    shutil.copy(a, duplicate)
    assert {p.rule for p in validate_collection([a, duplicate])} == {"W-ALL-1"}


def test_problem_formatting() -> None:
    record = Problem("warcs/a.warc.gz", 1234, "W-DIG-2", "payload digest is wrong")
    assert str(record) == "warcs/a.warc.gz@1234: W-DIG-2: payload digest is wrong"
    whole = Problem("warcs/a.warc.gz.open", None, "W-FILE-3", "file is still open")
    assert str(whole) == "warcs/a.warc.gz.open: W-FILE-3: file is still open"


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_good_warc(tmp_path / GOOD_NAME)
    assert main([str(good)]) == 0
    assert capsys.readouterr().out == ""
    BROKEN_CASES["open_file"][0](tmp_path)  # a leftover .open beside the good file
    assert main([str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{good}.open: W-FILE-3: file is still open") and out.count("\n") == 1
    assert "1 problem(s) in 1 file(s)" in err
    assert main(["--json", str(tmp_path)]) == 1
    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert (record["path"], record["offset"], record["rule"]) == (f"{good}.open", None, "W-FILE-3")
    bad = build("http2_status_line", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "archive_store.validate.validator", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 1
    assert result.stdout.startswith(f"{bad}@") and ": W-HTTP-4: " in result.stdout


def test_never_raises_on_garbage(tmp_path: Path) -> None:
    good = write_good_warc(tmp_path / GOOD_NAME).read_bytes()
    plain = zlib.decompressobj(31).decompress(good)
    rng = random.Random(7)
    samples = [b"", b"\x1f\x8b\x08", b"WARC/1.1\r\n\r\n", plain[:300], rng.randbytes(5000)]
    odd_digits = "WARC/1.1\r\nContent-Length: \u00b2\r\nWARC-Date: \u0662024-01-01T00:00:00Z\r\n\r\n"
    samples.append(member(odd_digits.encode()))
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        samples.append(bytes(data[: rng.randint(1, len(data))]))
    for _ in range(60):  # valid gzip around damaged records, so the record parsers see garbage
        record = bytearray(plain)
        start = rng.randrange(len(record))
        record[start : start + rng.randint(1, 40)] = rng.randbytes(rng.randint(0, 40))
        samples.append(member(bytes(record)))
    path = tmp_path / GOOD_NAME
    for sample in samples:
        path.write_bytes(sample)
        for problem in validate_collection([path]):
            assert isinstance(problem, Problem) and problem.rule and problem.message
    missing = validate_collection([tmp_path / "gone" / GOOD_NAME])
    assert [p.rule for p in missing] == ["io"]


def test_name_pattern() -> None:
    assert GOOD_NAME == "sk-20240501080000123-00000-crawler1.example.org.warc.gz"
    assert HOST in GOOD_NAME


@pytest.mark.parametrize("tail", [b"\x1f", b"\x1f\x8b", b"\x1f\x8b\x08\x00\x00"])
def test_cut_inside_a_member_header_is_a_truncation(good: Path, tail: bytes) -> None:
    good.write_bytes(good.read_bytes() + tail)
    assert [p.rule for p in validate_collection([good])] == ["W-FILE-4"]
