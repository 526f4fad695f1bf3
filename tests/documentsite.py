"""A county notice page with its attachments (a PDF printed by Chromium, a scanned notice as PNG,
a DOCX and a damaged PDF), read from $DOCUMENT_SITE_DIR. Served with
`ServedSite("tests/documentsite.py:ROUTES")`."""

from __future__ import annotations

import os
from pathlib import Path

from sourcekeeper.demo.rawsite import RawReply, RawRequest, SiteState, page

NOTICE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于开展劝返工作的通知</title></head>
<body><div class="article"><h1>关于开展劝返工作的通知</h1><p>发布时间：2020-01-14</p>
<p>各乡镇派出所：现将有关文件转发给你们，请认真贯彻执行。</p>
<p>附件：<a href="/files/P020200114.pdf">通知全文.pdf</a>
<a href="/files/scan.png">扫描件.png</a> <a href="/files/list.docx">名单.docx</a>
<a href="/files/broken.pdf">损坏.pdf</a></p></div></body></html>"""
_TYPES = {
    "pdf": b"application/pdf",
    "png": b"image/png",
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _file(req: RawRequest, site: SiteState) -> RawReply:
    name = req.path.rsplit("/", 1)[-1]
    data = (Path(os.environ["DOCUMENT_SITE_DIR"]) / name).read_bytes()
    return page(data, content_type=_TYPES[name.rsplit(".", 1)[-1]])


ROUTES = {
    "/notice.html": lambda req, site: page(NOTICE.encode("utf-8")),
    "/files/P020200114.pdf": _file,
    "/files/scan.png": _file,
    "/files/list.docx": _file,
    "/files/broken.pdf": _file,
}
