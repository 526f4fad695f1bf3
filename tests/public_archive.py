"""A local "public web archive" for `recover` tests (issue 17): a WARC the test writes with several
captures of the same pages, imported into an archive folder, served by a real pywb with Memento on
(TimeMaps at /archive/timemap/link/<url>, `id_` replay, the CDX API at /archive/cdx)."""

from __future__ import annotations

from pathlib import Path

from broken_warcs import HTTP_REQUEST, HTTP_RESPONSE, Rec, member, rid

from archive_store.index.database import default_db_url
from archive_store.storage.importer import import_files

GONE = "http://gov.example.cn/gzdt/t20200114_1.html"
NEVER = "http://gov.example.cn/never-archived.html"
DATES = ("2020-01-14T08:00:00Z", "2020-06-01T09:30:00Z", "2021-03-02T10:00:00Z")
TITLE = "关于劝返在外人员的通告"


def notice_html(version: int) -> bytes:
    text = "".join(
        f"<p>第{version}版：各乡镇要认真摸排在外人员并做好劝返工作，段落{i}。</p>" for i in range(6)
    )
    return (
        f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head>"
        f"<body><article><h1>{TITLE}</h1>{text}</article></body></html>"
    ).encode()


def write_public_warc(path: Path, url: str = GONE) -> Path:
    """One response (and its request) per date in DATES, each a different version of the page."""
    recs = []
    for number, date in enumerate(DATES, start=1):
        body = notice_html(number)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        key = f"public-{number}"
        recs.append(
            Rec(
                [
                    ("WARC-Type", "response"),
                    ("WARC-Record-ID", rid(key)),
                    ("WARC-Date", date),
                    ("WARC-Target-URI", url),
                    ("Content-Type", HTTP_RESPONSE),
                ],
                head.encode() + body,
                payload=body,
            )
        )
        recs.append(
            Rec(
                [
                    ("WARC-Type", "request"),
                    ("WARC-Record-ID", rid("req-" + key)),
                    ("WARC-Date", date),
                    ("WARC-Target-URI", url),
                    ("Content-Type", HTTP_REQUEST),
                    ("WARC-Concurrent-To", rid(key)),
                ],
                b"GET /gzdt/t20200114_1.html HTTP/1.1\r\nHost: gov.example.cn\r\n\r\n",
            )
        )
    path.write_bytes(b"".join(member(r.to_bytes()) for r in recs))
    return path


def make_public_archive(root: Path, *urls: str) -> Path:
    """The archive folder pywb serves as the other archive (GONE, or these URLs)."""
    root.mkdir(parents=True, exist_ok=True)
    warcs = [
        write_public_warc(root.parent / f"public-{n}.warc.gz", url) for n, url in enumerate(urls or [GONE])
    ]
    import_files(root, warcs, default_db_url(root))
    return root
