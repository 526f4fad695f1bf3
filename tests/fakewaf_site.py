"""A fictitious anti-bot vendor, FakeWAF: its one registry row and a site behind its challenge.

Nothing in the project names FakeWAF. `add_to_registry()` appends its row to
pipelines.extraction.signatures.VENDORS, as a new vendor is added; it must run before the
classifier and the render detector are imported (they derive their lists at import), so a crawl
gets it from a `sitecustomize` module (see tests/test_vendor_registry.py). Serve the site with
`python -m sourcekeeper.demo.rawsite tests/fakewaf_site.py:ROUTES`.

The challenge page holds none of the marks today's vendors leave (no `document.cookie`, no
`$_ts`, no vendor header of theirs), and it is over 16 KB, so only the row makes it a challenge.
"""

from __future__ import annotations

import re

from pipelines.extraction import signatures
from sourcekeeper.demo.rawsite import RawReply, RawRequest, SiteState, page

NAME = "fakewaf"
LABEL = "FakeWAF (假盾)"
HEADER = "X-FakeWAF-Ray"
STATUS = 499
TITLE = "假盾背后的通知"
ROW = signatures.Vendor(
    NAME,
    LABEL,
    js_challenge=True,
    header_names=(HEADER.lower(),),
    cookies=re.compile(r"fakewaf_pass"),
    body=re.compile(r"fakewaf_check"),
    markers=(b"fakewaf_check",),
    statuses=(STATUS,),
)

# sets its cookie without spelling `document.cookie`, then reloads; padded past 16 KB with a
# comment so the detector's small-shell rule (which would render it anyway) does not apply
CHALLENGE_PAGE = (
    "<html><head><title>Loading</title></head><body>"
    "<script id='fakewaf_check'>var d=window['docu'+'ment'];d['coo'+'kie']='fakewaf_pass=1; path=/';"
    "location.reload();</script><!--" + "x" * 17_000 + "--></body></html>"
).encode()


def add_to_registry() -> None:
    """The one change a new vendor needs: its row in the registry."""
    if ROW not in signatures.VENDORS:
        signatures.VENDORS = (*signatures.VENDORS, ROW)


TEXT = "各县（市、区）：现将有关事项通知如下，请认真贯彻执行。" * 8
ARTICLE = (
    f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><h1>{TITLE}</h1>'
    f'<div class="TRS_Editor"><p>{TEXT}</p></div></body></html>'
).encode()


def challenged(req: RawRequest, site: SiteState) -> RawReply:
    jar = b"; ".join(value for name, value in req.headers if name.lower() == b"cookie")
    if b"fakewaf_pass=1" in jar:
        return page(ARTICLE)
    return page(CHALLENGE_PAGE)


ROUTES = {"/fw/page": challenged}
