"""One headless Chromium per crawl (Debian's, driven by Playwright), one browser context per site.

The browser never opens a connection of its own: every request it makes is paused by CDP `Fetch`
and fetched by Scrapy's downloader (archive_store/crawl/render/page.py). Its flags keep Chromium's own
background traffic (updates, sync, safe browsing) from starting at all. Debian's /usr/bin/chromium
is a wrapper script that adds flags of its own and misbehaves under Playwright: the real binary is
launched (`dpkg -L chromium` lists it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.async_api import Browser, BrowserContext, CDPSession, Page, Playwright

logger = logging.getLogger(__name__)

INSTALL_HINT = "install it with `apt-get install chromium fonts-noto-cjk` (or `make system-deps` as root)"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # WebRTC may not send UDP of its own (STUN/TURN would leave past the recorder and the proxy);
    # the page-level block (BLOCK_SCRIPT) takes RTCPeerConnection away besides
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--enforce-webrtc-ip-permission-check",
    # no DNS-over-HTTPS; the rest is Playwright's own list, which this one replaces (the last wins)
    # (and no renderer shared by the tabs of one site: a stuck or killed page takes only its own)
    "--disable-features=DnsOverHttps,NetworkTimeServiceQuerying,ProcessPerSiteUpToMainFrameThreshold,"
    "ImprovedCookieControls,LazyFrameLoading,GlobalMediaControls,DestroyProfileOnBrowserClose,"
    "MediaRouter,DialMediaRouteProvider,AcceptCHFrame,AutoExpandDetailsElement,"
    "CertificateTransparencyComponentUpdater,AvoidUnnecessaryBeforeUnloadCheckSync,Translate",
    # Every request is answered through CDP Fetch; anything the browser would still try on its
    # own (a preconnect, a prefetch, a request slipping past interception) goes to a proxy that
    # is not there, loopback included: it cannot reach a site behind the recorder's back.
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


def chromium_flags(memory_mb: int) -> list[str]:
    """CHROMIUM_FLAGS plus the JavaScript heap cap of each renderer (`--max-old-space-size`): twice
    the resident memory a renderer is killed at, so that the memory watch, which names the stop
    `memory-limit`, comes first, and V8's own limit (a crash) is the backstop."""
    flags = list(CHROMIUM_FLAGS)
    if memory_mb > 0:
        flags.append(f"--js-flags=--max-old-space-size={2 * memory_mb}")
    return flags


# The binding the page-level block reports through (Runtime.addBinding): `{"kind", "detail"}`.
REPORT_BINDING = "__sourcekeeperRecorderReport"
# Run in every frame before the page's own scripts: WebRTC and WebTransport would open sockets the
# recorder cannot see (UDP, QUIC), window.open a window whose requests no render intercepts. Each
# is taken away (a call throws NotSupportedError, window.open returns null) and reported.
BLOCK_SCRIPT = """(() => {
  const g = globalThis, name = "__BINDING__", report = g[name];
  if (typeof report !== "function") return;
  try { delete g[name]; } catch (e) {}
  const say = (kind, detail) => {
    try { report(JSON.stringify({kind: kind, detail: String(detail).slice(0, 300)})); } catch (e) {}
  };
  const describe = (args) => {
    try { return JSON.stringify(Array.from(args)) || ""; } catch (e) { return ""; }
  };
  const block = (api, kind) => {
    if (!(api in g)) return;
    const blocked = function () {
      say(kind, api + " " + describe(arguments));
      throw new DOMException(api + " is disabled while the page is archived", "NotSupportedError");
    };
    const fixed = {value: blocked, writable: false, configurable: false};
    try { Object.defineProperty(g, api, fixed); } catch (e) {}
  };
  for (const api of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel",
                     "RTCIceTransport", "RTCIceCandidate", "RTCSctpTransport", "RTCRtpSender",
                     "RTCRtpReceiver"]) block(api, "webrtc");
  block("WebTransport", "webtransport");
  const open = function (url) { say("popup", "window.open " + describe(arguments)); return null; };
  try { Object.defineProperty(g, "open", {value: open, writable: false, configurable: false}); } catch (e) {}
})();""".replace("__BINDING__", REPORT_BINDING)
_KNOWN_BINARIES = ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser")
VIEWPORT = {"width": 1280, "height": 900}
CALL_SECONDS = 5.0  # the longest one CDP call to the browser process (not a page's renderer) may take
START_SECONDS = 60.0  # starting the browser, opening a context and a tab with interception
MEMORY_CHECK_SECONDS = 0.5  # how often each renderer's resident memory is looked at during renders


class BrowserUnavailableError(RuntimeError):
    """Chromium (or Playwright) is not there: the challenge stays a recorded block."""


# every request of the tab's page, paused at the request stage (redirect hops included)
INTERCEPT_ALL = {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]}


@dataclass
class Tab:
    """A page of a site's context with its CDP session, `Fetch` interception on, kept between
    renders of the site: opening a page, its CDP session and the interception costs about a tenth
    of a second, a good part of a small page's render. `render` is the render using it now; a
    request paused while no render owns the tab (a timer of the page before) is refused."""

    page: Page
    cdp: CDPSession
    main_frame: str
    context: BrowserContext
    render: Callable[[dict[str, Any]], None] | None = None
    on_load: Callable[[], None] | None = None  # the render's wake-up at each `load` event
    # what the page tried that the render must hear of: a blocked socket, a window, a crash
    on_report: Callable[[str, str], None] | None = None
    reusable: bool = True
    _orphans: set[asyncio.Task[Any]] = field(default_factory=set)

    def loaded(self, _event: dict[str, Any]) -> None:
        if self.on_load is not None:
            self.on_load()

    def reported(self, event: dict[str, Any]) -> None:
        """The page-level block's report (Runtime.bindingCalled)."""
        if event.get("name") != REPORT_BINDING:
            return
        try:
            said = json.loads(event.get("payload") or "{}")
            kind, detail = str(said["kind"]), str(said.get("detail", ""))[:300]
        except (ValueError, KeyError, TypeError):
            return
        self.report(kind, detail)

    def crashed(self, _event: dict[str, Any]) -> None:
        self.reusable = False
        self.report("crash", "the renderer process ended")

    def popup(self, popup: Page) -> None:
        """A window the page opened after all (a link with target=_blank, a form): closed at once."""
        self.report("popup", f"a new window: {popup.url}"[:300])
        task = asyncio.ensure_future(_quietly(popup.close()))
        self._orphans.add(task)
        task.add_done_callback(self._orphans.discard)

    def report(self, kind: str, detail: str) -> None:
        if self.on_report is not None:
            self.on_report(kind, detail)

    def paused(self, event: dict[str, Any]) -> None:
        if self.render is not None:
            self.render(event)
            return
        refusal = self.cdp.send(
            "Fetch.failRequest", {"requestId": event["requestId"], "errorReason": "BlockedByClient"}
        )
        task = asyncio.ensure_future(_quietly(refusal))
        self._orphans.add(task)
        task.add_done_callback(self._orphans.discard)


def find_chromium(configured: str = "") -> str | None:
    """The real Chromium binary: the setting, else the one Debian's package installs."""
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in _KNOWN_BINARIES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("dpkg"):
        listed = subprocess.run(["dpkg", "-L", "chromium"], capture_output=True, text=True, check=False)
        for line in listed.stdout.splitlines():
            if line.endswith("/chromium") and "/lib/" in line and Path(line).is_file():
                return line
    return None


def chrome_user_agent(version: str, token: str) -> str:
    """A Chrome user agent (the sites' scripts check it) plus our own token, for the whole site."""
    major = version.split(".", maxsplit=1)[0] or "120"
    return (
        f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36 {token}"
    ).strip()


class RenderBrowser:
    """Started at the first render, closed with the crawl; a crashed browser is started again."""

    def __init__(self, executable: str, ua_token: str, max_contexts: int = 8, memory_mb: int = 0) -> None:
        self.executable = executable
        self.ua_token = ua_token
        self.max_contexts = max_contexts
        self.memory_mb = memory_mb  # per renderer: its JS heap cap, and the RSS it is killed at
        self.flags = chromium_flags(memory_mb)
        self.active = 0  # renders under way: the memory watch looks only then
        self.memory_kills: list[float] = []  # when a renderer was killed for its memory (monotonic)
        self._watch: asyncio.Task[None] | None = None
        self._browser_cdp: CDPSession | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._contexts: OrderedDict[str, BrowserContext] = OrderedDict()
        self._idle_tabs: dict[str, list[Tab]] = {}
        self._lock = asyncio.Lock()
        self.version = ""
        self.driver_version = ""
        self.user_agent = ""

    async def _start(self) -> Browser:
        try:
            from playwright._repo_version import version as driver_version  # noqa: PLC0415
            from playwright.async_api import async_playwright  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover (a dependency of the project)
            raise BrowserUnavailableError(f"playwright is not installed ({exc})") from exc
        if self._playwright is None:
            self._playwright = await async_playwright().start()
        browser = await self._playwright.chromium.launch(
            executable_path=self.executable,
            args=self.flags,
            headless=True,
            chromium_sandbox=False,
            handle_sigint=False,
            handle_sigterm=False,
            handle_sighup=False,
        )
        self.version = browser.version
        self.driver_version = str(driver_version)
        self.user_agent = chrome_user_agent(self.version, self.ua_token)
        self._browser_cdp = None
        if self.memory_mb > 0:
            with contextlib.suppress(Exception):
                self._browser_cdp = await asyncio.wait_for(browser.new_browser_cdp_session(), CALL_SECONDS)
            if self._watch is None or self._watch.done():
                self._watch = asyncio.ensure_future(self._watch_memory())
        logger.info("started Chromium %s (%s) for rendering", self.version, self.executable)
        return browser

    async def _watch_memory(self) -> None:
        """While pages render, each renderer process whose resident memory passes the limit is
        killed (its tabs crash: their renders end as `memory-limit`). The process list is asked of
        the browser process (CDP SystemInfo), which answers even while a renderer is busy."""
        limit = self.memory_mb * 1024 * 1024
        page_size = os.sysconf("SC_PAGE_SIZE")
        while True:  # until close() cancels it
            await asyncio.sleep(MEMORY_CHECK_SECONDS)
            cdp = self._browser_cdp
            if not self.active or cdp is None:
                continue
            try:
                found = await asyncio.wait_for(cdp.send("SystemInfo.getProcessInfo"), CALL_SECONDS)
            except Exception as exc:  # the browser is gone or busy: the render's deadline holds
                logger.debug("memory watch: %s", exc)
                continue
            for process in found.get("processInfo", []):
                if process.get("type") != "renderer":
                    continue
                pid = int(process["id"])
                try:
                    resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page_size
                except (OSError, ValueError, IndexError):
                    continue
                if resident > limit:
                    logger.warning(
                        "a page's renderer used %d MB, more than ARCHIVE_RENDER_MEMORY_MB=%d: killed",
                        resident // 2**20,
                        self.memory_mb,
                    )
                    self.memory_kills.append(time.monotonic())
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)

    def killed_for_memory(self, since: float) -> bool:
        return any(at >= since for at in self.memory_kills)

    async def context_for(self, site: str) -> BrowserContext:
        """The site's context: its cookie jar is the only one the site's rendered pages use."""
        return await asyncio.wait_for(self._context_for(site), START_SECONDS)

    async def _context_for(self, site: str) -> BrowserContext:
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                self._contexts.clear()
                self._idle_tabs.clear()
                self._browser = await self._start()
            context = self._contexts.get(site)
            if context is not None:
                self._contexts.move_to_end(site)
                return context
            while len(self._contexts) >= self.max_contexts:
                oldest_site, oldest = self._contexts.popitem(last=False)
                self._idle_tabs.pop(oldest_site, None)
                await _quietly(oldest.close())
            context = await self._browser.new_context(
                user_agent=self.user_agent,
                viewport=VIEWPORT,  # type: ignore[arg-type]
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                service_workers="block",  # a service worker's fetches would bypass interception
                ignore_https_errors=True,  # the browser connects to nothing; Scrapy does the TLS
                java_script_enabled=True,
            )
            self._contexts[site] = context
            return context

    def existing_context(self, site: str) -> BrowserContext | None:
        """The site's context if a render made one (and the browser still runs), else None."""
        if self._browser is None or not self._browser.is_connected():
            return None
        return self._contexts.get(site)

    async def take_tab(self, site: str) -> Tab:
        """An idle tab of the site's context, or a new one with interception on."""
        return await asyncio.wait_for(self._take_tab(site), START_SECONDS)

    async def _take_tab(self, site: str) -> Tab:
        context = await self.context_for(site)
        idle = self._idle_tabs.setdefault(site, [])
        while idle:
            tab = idle.pop()
            if tab.context is context and tab.reusable and not tab.page.is_closed():
                return tab
            await _quietly(tab.page.close())
        page = await context.new_page()
        try:
            cdp = await context.new_cdp_session(page)
            tree = await cdp.send("Page.getFrameTree")
            tab = Tab(page, cdp, tree["frameTree"]["frame"]["id"], context)
            cdp.on("Fetch.requestPaused", tab.paused)
            cdp.on("Page.loadEventFired", tab.loaded)
            cdp.on("Runtime.bindingCalled", tab.reported)
            cdp.on("Inspector.targetCrashed", tab.crashed)
            page.on("popup", tab.popup)
            await cdp.send("Page.enable")
            await cdp.send("Inspector.enable")
            await cdp.send("Runtime.enable")  # without it no binding is installed
            await cdp.send("Runtime.addBinding", {"name": REPORT_BINDING})
            await cdp.send("Page.addScriptToEvaluateOnNewDocument", {"source": BLOCK_SCRIPT})
            await cdp.send("Fetch.enable", INTERCEPT_ALL)
        except Exception:
            await _quietly(page.close())
            raise
        return tab

    async def give_back(self, site: str, tab: Tab) -> None:
        """A tab whose render ended cleanly waits, blank, for the site's next render; one that
        timed out or failed (requests of its page may still be in flight) is closed."""
        tab.render = None
        if tab.reusable and self.memory_mb > 0:  # a page grown big leaves its renderer with it
            try:
                heap = await asyncio.wait_for(tab.cdp.send("Runtime.getHeapUsage"), CALL_SECONDS)
                tab.reusable = heap.get("totalSize", 0) < self.memory_mb * 2**20 / 4
            except Exception:
                tab.reusable = False
        if tab.reusable and self._contexts.get(site) is tab.context and not tab.page.is_closed():
            try:  # about:blank is no network request: nothing to intercept
                await asyncio.wait_for(tab.cdp.send("Page.navigate", {"url": "about:blank"}), 5)
            except Exception:
                tab.reusable = False
            else:
                self._idle_tabs.setdefault(site, []).append(tab)
                return
        try:  # a renderer stuck in a script is ended with its tab (the browser process closes it)
            await asyncio.wait_for(tab.page.close(), CALL_SECONDS)
        except Exception as exc:
            if not tab.page.is_closed():
                logger.warning("a tab could not be closed (%s): the browser is killed and replaced", exc)
                await self.kill()

    async def kill(self) -> None:
        """The browser process and all its children, at once (SIGKILL): the next render starts a
        new browser. For a browser that no longer answers."""
        pid = self.pid()
        self._contexts.clear()
        self._idle_tabs.clear()
        self._browser = None
        self._browser_cdp = None
        if pid is not None:
            _kill_tree(pid)

    def forget(self, site: str) -> None:
        """After a crash: the site's next render starts a fresh context (and browser)."""
        self._contexts.pop(site, None)
        self._idle_tabs.pop(site, None)

    def pid(self) -> int | None:
        """The browser process (for RSS figures in the benchmark)."""
        process: Any = getattr(getattr(self._browser, "_impl_obj", None), "_process", None)
        return getattr(process, "pid", None)

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        for context in list(self._contexts.values()):
            await _quietly(context.close())
        self._contexts.clear()
        self._idle_tabs.clear()
        if self._browser is not None:
            browser, pid = self._browser, self.pid()
            await _quietly(browser.close())
            if browser.is_connected() and pid is not None:  # it did not close: no process is left behind
                _kill_tree(pid)
            self._browser = None
        if self._playwright is not None:
            await _quietly(self._playwright.stop())
            self._playwright = None


def _kill_tree(pid: int) -> None:
    """SIGKILL to the browser and its children (Playwright starts it as a process group leader)."""
    with contextlib.suppress(OSError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)


async def _quietly(awaitable: Any) -> None:
    try:
        await asyncio.wait_for(awaitable, 10)
    except Exception as exc:  # a browser already gone cannot be closed again
        logger.debug("closing the browser: %s", exc)
