"""A page with a big video, for crawls whose reading of a big record is measured (issue 24). The
body is BIG_VIDEO_MB MiB of text lines, sent 1 MiB at a time; loaded by ServedSite, so it imports
nothing from the tests."""

from __future__ import annotations

from functools import cache

from sourcekeeper.demo.rawsite import RawReply, RawRequest, Send, SiteState, page, status_head

MIB = 1 << 20
BIG_VIDEO_MB = 128


@cache
def _mib() -> bytes:
    return b"".join(b"%07d video body line\n" % i for i in range(MIB // 22)).ljust(MIB, b".")


def _big(req: RawRequest, site: SiteState) -> RawReply:
    length = b"%d" % (BIG_VIDEO_MB * MIB)
    head = status_head(200, b"OK", [(b"Content-Type", b"video/mp4"), (b"Content-Length", length)])
    return [Send(head), *[Send(_mib())] * BIG_VIDEO_MB]


VIDEO_PAGE = (
    b"<!DOCTYPE html><html><head><title>v</title></head><body><video src='/big.mp4'></video></body></html>"
)
ROUTES = {
    "/video.html": lambda req, site: page(VIDEO_PAGE),
    "/big.mp4": _big,
}
