"""Pages for the reextract test: the demo's GBK notice and a written Sogou-style verification page.

Loaded by the raw test server as `tests/reextract_site.py:ROUTES`."""

from __future__ import annotations

from bench.eval.blockpages import block_pages
from sourcekeeper.demo.rawsite import page, redirect
from sourcekeeper.demo.site import NOTICES, notice_html

NOTICE = next(n for n in NOTICES if n.id == 1008)
VERIFY_PATH = "/web/verify.html"
_VERIFY = next(p for p in block_pages() if p.name == "sogou-rate-limit").html

ROUTES = {
    NOTICE.path: lambda req, site: page(
        notice_html(NOTICE, NOTICE.text).encode("gbk"), content_type=b"text/html; charset=gbk"
    ),
    VERIFY_PATH: lambda req, site: page(_VERIFY.encode("utf-8")),
    "/moved": lambda req, site: redirect(NOTICE.path.encode(), 301),
    "/plain.html": lambda req, site: page(notice_html(NOTICES[-1], NOTICES[-1].text).encode("gbk")),
}
