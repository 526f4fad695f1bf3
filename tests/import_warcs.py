"""Hand-made WARCs as other tools write them, awkward on purpose, for `import` (issue 17).

Each writer returns the file and what it holds, so tests compare the import summary with the
file's real contents, not with numbers typed in by hand.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from archive_helpers import run_cli
from broken_warcs import HTTP_REQUEST, HTTP_RESPONSE, Rec, chunked, member, rid, sha1
from warcio.archiveiterator import ArchiveIterator

HOST = "http://old-tool.example.org"
D0 = "2019-03-01T08:00:00Z"
PAGE_TEXT = "县公安局关于开展劝返工作的通知。各派出所要认真摸排在外人员，做好劝返工作。"
PAGE_TITLE = "关于开展劝返工作的通知"


def page_html(title: str = PAGE_TITLE, text: str = PAGE_TEXT) -> bytes:
    body = "".join(f"<p>{text}{i}</p>" for i in range(6))
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


@dataclass
class Made:
    path: Path
    records: int = 0  # whole records in the file
    responses: int = 0
    revisits: int = 0
    odd: dict[str, int] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)

    def note(self, name: str) -> None:
        self.odd[name] = self.odd.get(name, 0) + 1


def _fields(rtype: str, key: str, uri: str | None, **extra: str) -> list[tuple[str, str]]:
    fields = [("WARC-Type", rtype), ("WARC-Record-ID", rid("import-" + key)), ("WARC-Date", D0)]
    if uri is not None:
        fields.append(("WARC-Target-URI", uri))
    fields += [(k.replace("_", "-"), v) for k, v in extra.items()]
    return fields


def _response(
    key: str, uri: str, head: bytes, body_as_sent: bytes, payload: bytes, *, version: str, **extra: str
) -> list[Rec]:
    response = Rec(
        _fields("response", key, uri, Content_Type=HTTP_RESPONSE, **extra),
        head + b"\r\n" + body_as_sent,
        payload=payload,
        version=version,
    )
    request = Rec(
        _fields(
            "request", "req-" + key, uri, Content_Type=HTTP_REQUEST, WARC_Concurrent_To=rid("import-" + key)
        ),
        b"GET / HTTP/1.1\r\nHost: old-tool.example.org\r\n\r\n",
        version=version,
    )
    return [request, response]


def awkward_records() -> tuple[list[Rec], Made]:
    """WARC/1.0 with `<uri>` targets, a missing and a wrong payload digest, a chunked body, a
    body stored decoded with `x-orig-*` headers, a revisit whose original is in no file here."""
    made = Made(Path())
    v10 = "WARC/1.0"
    recs = [
        Rec(
            [("WARC-Type", "warcinfo"), ("WARC-Record-ID", rid("import-info")), ("WARC-Date", D0)],
            b"software: Wget/1.21\r\n",
            version=v10,
        )
    ]
    ok = (
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(page_html())}\r\n"
    )
    url_a = f"{HOST}/notice/a.html"
    recs += _response("a", f"<{url_a}>", ok.encode(), page_html(), page_html(), version=v10)
    made.note("odd/target_in_angle_brackets")
    made.note("version/WARC/1.0")
    url_b = f"{HOST}/notice/b.html"
    rb = _response("b", url_b, ok.encode(), page_html("摸排通知乙"), page_html("摸排通知乙"), version=v10)
    rb[1].payload = None  # no WARC-Payload-Digest at all
    recs += rb
    made.note("odd/payload_digest_missing")
    url_c = f"{HOST}/notice/c.html"
    rc = _response("c", url_c, ok.encode(), page_html("通知丙"), page_html("通知丙"), version=v10)
    rc[1].set("WARC-Payload-Digest", sha1(b"something else"))
    recs += rc
    made.note("odd/payload_digest_wrong")
    url_d = f"{HOST}/notice/d.html"
    body_d = page_html("通知丁")
    head_d = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
    recs += _response("d", url_d, head_d, chunked(body_d), body_d, version=v10)
    made.note("odd/chunked_body")
    url_e = f"{HOST}/notice/e.html"
    body_e = page_html("通知戊")
    head_e = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"x-orig-content-encoding: gzip\r\nx-orig-content-length: {len(gzip.compress(body_e))}\r\n"
        f"Content-Length: {len(body_e)}\r\n"
    ).encode()
    recs += _response("e", url_e, head_e, body_e, body_e, version=v10)
    made.note("odd/decoded_body_x_orig_headers")
    url_f = f"{HOST}/notice/f.html"
    recs.append(
        Rec(
            _fields(
                "revisit",
                "f",
                url_f,
                Content_Type=HTTP_RESPONSE,
                WARC_Profile="http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
                WARC_Payload_Digest=sha1(b"a page held by some other archive"),
                WARC_Refers_To=rid("elsewhere"),
            ),
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
            version=v10,
        )
    )
    made.note("odd/revisit_original_elsewhere")
    for rec in recs:
        made.records += 1
        made.note(f"type/{rec.get('WARC-Type')}")
    made.odd["version/WARC/1.0"] = made.records
    made.responses, made.revisits = 5, 1
    made.urls = [url_a, url_b, url_c, url_d, url_e, url_f]
    return recs, made


def write_awkward(directory: Path, *, gz: bool = True, cut_last: bool = False) -> Made:
    """The awkward records as `.warc.gz` (one member each) or plain `.warc`; `cut_last` appends a
    last member cut in half, as a crawler killed mid-write leaves it."""
    recs, made = awkward_records()
    parts = [member(r.to_bytes()) if gz else r.to_bytes() for r in recs]
    if cut_last:
        extra = Rec(_fields("resource", "cut", f"{HOST}/log.txt", Content_Type="text/plain"), b"x" * 5000)
        data = member(extra.to_bytes()) if gz else extra.to_bytes()
        parts.append(data[: len(data) // 2])
        made.note("odd/truncated_tail")
    made.path = directory / ("old-tool.warc.gz" if gz else "old-tool.warc")
    made.path.write_bytes(b"".join(parts))
    return made


def warcio_counts(path: Path) -> Counter[str]:
    """What the file holds, counted by warcio (not by our reader)."""
    counts: Counter[str] = Counter()
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            counts["records"] += 1
            counts[f"type/{record.rec_type}"] += 1
            uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
            if record.rec_type in ("response", "revisit") and uri.startswith("http"):
                counts[f"indexed/{record.rec_type}"] += 1
    return counts


def import_files(archive: Path, *files: Path) -> list[dict[str, object]]:
    """`sourcekeeper import --json FILES`: one summary per file."""
    result = run_cli("import", "--archive", archive, "--json", *files)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]
