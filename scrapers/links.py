"""Find the documents a page links to (attachments), the way gov CMSs and WeChat link them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector

# Where article bodies live on the platforms we archive: images there are images of documents.
_BODY_CONTAINERS = (
    "//*[contains(@class,'TRS_Editor') or contains(@class,'TRS_UEDITOR') or contains(@class,'trs_editor')]"
    " | //*[@id='UCAP-CONTENT'] | //*[@id='js_content'] | //*[@id='zoom'] | //article"
)
_WINDOW_OPEN = re.compile(r"""(?:window\.open|location\.href\s*=)\s*\(?\s*['"]([^'"]+)['"]""")


def _extension(url: str) -> str:
    path = urlsplit(url).path.lower()
    tail = path.rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[-1] if "." in tail else ""


def _candidates(sel: Selector) -> Iterable[str]:
    yield from sel.xpath("//a/@href | //iframe/@src | //embed/@src | //object/@data").getall()
    for handler in sel.xpath("//@onclick").getall():
        yield from _WINDOW_OPEN.findall(handler)
    for viewer in sel.xpath("//iframe/@src | //embed/@src").getall():
        for values in parse_qs(urlsplit(viewer).query).values():
            yield from values  # PDF viewers: viewer.html?file=/xxx.pdf


def _body_images(sel: Selector) -> Iterable[str]:
    for container in sel.xpath(_BODY_CONTAINERS):
        yield from container.xpath(".//img/@data-src | .//img/@src").getall()


def attachment_links(html: str, base_url: str, extensions: Iterable[str]) -> list[str]:
    """Absolute http(s) URLs of linked documents and body images, in page order, deduplicated."""
    wanted = {e.lower().lstrip(".") for e in extensions}
    image_exts = {"jpg", "jpeg", "png", "gif", "tif", "tiff", "webp"}
    sel = Selector(text=html or "<html></html>")
    found: list[str] = []
    for raw in _candidates(sel):
        url = urljoin(base_url, raw.strip())
        if _extension(url) in wanted - image_exts or (
            _extension(url) in image_exts and _is_link(raw, sel)
        ):
            found.append(url)
    found.extend(urljoin(base_url, src.strip()) for src in _body_images(sel))
    unique = dict.fromkeys(
        u for u in found if urlsplit(u).scheme in ("http", "https") and u != base_url
    )
    return list(unique)


def _is_link(raw: str, sel: Selector) -> bool:
    """An image reached by a plain <a href> (a scan of a document), not an <iframe> or script."""
    return bool(sel.xpath("//a[@href=$h]", h=raw))
