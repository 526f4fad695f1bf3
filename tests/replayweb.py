"""ReplayWeb.page (the npm package `replaywebpage`) in headless Chromium, offline, for tests.

Its own bundled `ui.js`/`sw.js`/`index.html` are taken from the npm package (fetched once with
`npm pack` into `.cache/` of the checkout) and served from a local folder with a WACZ, by a small
server that answers Range requests as ReplayWeb.page reads a WACZ by ranges. Playwright drives
Debian's chromium (no browser download)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

from archive_helpers import ROOT

VERSION = "2.5.3"
CACHE = ROOT / ".cache" / f"replaywebpage-{VERSION}"
ASSETS = ("ui.js", "sw.js", "index.html")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def replayweb_assets() -> Path | None:
    """The package's bundled files, fetched with npm once; None when npm cannot get them."""
    if all((CACHE / name).exists() for name in ASSETS):
        return CACHE
    npm = shutil.which("npm")
    if npm is None:
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        [npm, "pack", f"replaywebpage@{VERSION}", "--pack-destination", str(CACHE)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    tarball = CACHE / f"replaywebpage-{VERSION}.tgz"
    if packed.returncode != 0 or not tarball.exists():
        return None
    with tarfile.open(tarball) as package:
        for name in ASSETS:  # by fixed names only: a member name never becomes a path (S-5)
            member = package.extractfile(f"package/{name}")
            if member is None:
                return None
            (CACHE / name).write_bytes(member.read())
    return CACHE


class _RangeHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        wanted = self.headers.get("Range")
        path = self.translate_path(self.path)
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted or "")
        if not match or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        start = int(match.group(1) or 0)
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        with open(path, "rb") as handle:
            handle.seek(start)
            data = handle.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


@contextmanager
def replay_site(folder: Path, assets: Path, wacz: Path) -> Iterator[str]:
    """`folder` with the WACZ and ReplayWeb.page in `replay/`, served on 127.0.0.1."""
    (folder / "replay").mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        shutil.copy(assets / name, folder / "replay" / name)
    shutil.copy(assets / "ui.js", folder / "ui.js")
    shutil.copy(wacz, folder / "export.wacz")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_RangeHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def embed_page(folder: Path, base: str, url: str, ts: str) -> str:
    (folder / "embed.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><script src="./ui.js"></script></head><body>'
        f'<replay-web-page style="height:600px;display:block" source="{base}/export.wacz" '
        f'url="{url}" ts="{ts}" replayBase="./replay/"></replay-web-page></body></html>',
        "utf-8",
    )
    return f"{base}/embed.html"


async def _frame_texts(page: Any) -> list[str]:
    texts = []
    for frame in page.frames:
        try:
            texts.append(await frame.evaluate("document.body ? document.body.innerText : ''"))
        except Exception:  # a frame navigating away meanwhile
            texts.append("")
    return texts


# every text node, through the open shadow roots ReplayWeb.page's components use
_ALL_TEXT = """() => { const out = []; const walk = (n) => { if (n.shadowRoot) walk(n.shadowRoot);
  for (const c of n.children || []) walk(c);
  if (n.nodeType === 1 && !n.children.length && n.textContent.trim()) out.push(n.textContent.trim()); };
  walk(document.documentElement); return out.join(" | "); }"""


async def _replayed(folder: Path, base: str, pages: list[dict[str, Any]], query: str) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    found: dict[str, Any] = {"pages": [], "search": ""}
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page()
            first = True
            for entry in pages:
                stamp = re.sub(r"\D", "", entry["ts"])[:14]
                await page.goto(embed_page(folder, base, entry["url"], stamp))
                if first:  # the service worker must be active before the archive can replay
                    active = "navigator.serviceWorker.getRegistrations().then(r => r.some(x => x.active))"
                    await page.wait_for_function(active, timeout=90_000)
                    await page.reload()
                    first = False
                text = ""
                for _ in range(60):
                    texts = await _frame_texts(page)
                    text = next((t for t in texts if entry["title"] and entry["title"] in t), "")
                    if text:
                        break
                    await asyncio.sleep(1)
                found["pages"].append({"url": entry["url"], "ts": entry["ts"], "text": text})
            source = quote(f"{base}/export.wacz", safe="")
            await page.goto(f"{base}/replay/?source={source}#view=pages&query={quote(query)}")
            for _ in range(60):
                found["search"] = await page.evaluate(_ALL_TEXT)
                if re.search(r"\d+ pages?\b", found["search"]) and query in found["search"]:
                    break
                await asyncio.sleep(1)
        finally:
            await browser.close()
    return found


def replay_in_replayweb(folder: Path, base: str, pages: list[dict[str, Any]], query: str) -> dict[str, Any]:
    """Each page entry opened in the embed (text of its replay frame), then the app's page search
    for `query` (all text of the results view)."""
    return asyncio.run(_replayed(folder, base, pages, query))
