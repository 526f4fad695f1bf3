"""WebRTC inside a network namespace: the browser sends no UDP packet to anyone (issue 24).

The crawl (and its Chromium) runs in namespace A, joined by a veth pair to namespace B, where a raw
packet socket counts every UDP datagram that arrives. The page's STUN and TURN servers are B's
address. A plain UDP datagram sent from A first proves the listener sees what A sends; then the
crawl renders the WebRTC page, and the listener must see nothing more, while the render's
provenance names the attempt; a browser without the guards, run the same way, is then seen sending
STUN (the check can fail). Both namespaces are the test's own, made and deleted by name.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from archive_helpers import FAST, ROOT, all_records
from test_render import needs_chromium
from test_render_hostile import LIMITS, SITE, provenances

from sourcekeeper.demo.rawsite import ServedSite

A_ADDRESS, B_ADDRESS = "10.213.77.1", "10.213.77.2"  # private, and only inside the test's namespaces
STUN_PORT = 3478

# runs in B: every UDP datagram that arrives (IPv4 or IPv6, any port), one line each, until stdin closes
LISTENER = """
import select, socket, sys
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
print("ready", flush=True)
while True:
    ready = select.select([raw, sys.stdin], [], [])[0]
    if sys.stdin in ready and not sys.stdin.readline():
        break
    if raw in ready:
        frame, where = raw.recvfrom(65535)
        if where[2] == socket.PACKET_OUTGOING:
            continue
        kind = frame[12:14]
        if kind == b"\\x08\\x00" and frame[23] == 17:
            ihl = (frame[14] & 15) * 4
            port = int.from_bytes(frame[14 + ihl + 2 : 14 + ihl + 4], "big")
            print("udp", socket.inet_ntoa(frame[26:30]), port, frame[14 + ihl + 8 :][:20].hex(), flush=True)
        elif kind == b"\\x86\\xdd" and frame[20] == 17:
            print("udp6", frame[22:38].hex(), int.from_bytes(frame[56:58], "big"), flush=True)
"""

# runs in A: Chromium under the flags before issue 24 (no WebRTC policy) and no page-level block
UNGUARDED_BROWSER = """
import asyncio, sys
from playwright.async_api import async_playwright
from archive_store.crawl.render.browser import CHROMIUM_FLAGS, find_chromium
async def main():
    flags = [f for f in CHROMIUM_FLAGS if "webrtc" not in f and "features" not in f]
    driver = await async_playwright().start()
    browser = await driver.chromium.launch(executable_path=find_chromium(), args=flags)
    page = await browser.new_page()
    await page.goto("data:text/html,<script>var pc=new RTCPeerConnection({iceServers:[{urls:'stun:"
        + sys.argv[1] + "'}]});pc.createDataChannel('x');"
        "pc.createOffer().then(function(o){return pc.setLocalDescription(o)})</script>")
    await asyncio.sleep(1.5)
    await browser.close()
    await driver.stop()
asyncio.run(main())
"""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


def _in(namespace: str, *command: str) -> list[str]:
    return ["ip", "netns", "exec", namespace, *command]


@pytest.fixture
def namespaces() -> Iterator[SimpleNamespace]:
    if shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("network namespaces need the `ip` command and root")
    names = SimpleNamespace(a=f"skrtc-a-{os.getpid()}", b=f"skrtc-b-{os.getpid()}")
    made: list[str] = []
    try:
        for name in (names.a, names.b):
            try:
                _ip("netns", "add", name)
            except subprocess.CalledProcessError as exc:
                pytest.skip(f"`ip netns add` is not available here: {exc.stderr.decode().strip()}")
            made.append(name)
        veth_a, veth_b = f"skra{os.getpid() % 100000}", f"skrb{os.getpid() % 100000}"
        _ip("link", "add", veth_a, "netns", names.a, "type", "veth", "peer", "name", veth_b, "netns", names.b)
        for name, veth, address in ((names.a, veth_a, A_ADDRESS), (names.b, veth_b, B_ADDRESS)):
            _ip("-n", name, "addr", "add", f"{address}/24", "dev", veth)
            _ip("-n", name, "link", "set", veth, "up")
            _ip("-n", name, "link", "set", "lo", "up")
        yield names
    finally:
        for name in made:  # the veth pair goes with them
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10, check=False)


def _line(proc: subprocess.Popen[str], seconds: float) -> str | None:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=seconds):
            return None
    return proc.stdout.readline().strip()


@pytest.mark.slow
@needs_chromium
def test_webrtc_in_a_namespace_sends_no_packet_and_the_attempt_is_named(
    namespaces: SimpleNamespace, tmp_path: Path
) -> None:
    listener = subprocess.Popen(
        _in(namespaces.b, sys.executable, "-c", LISTENER),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert _line(listener, 10) == "ready"
        # the listener sees what A sends: a plain datagram to B's STUN port
        probe = f"import socket; socket.socket(2, 2).sendto(b'probe', ('{B_ADDRESS}', {STUN_PORT}))"
        subprocess.run(_in(namespaces.a, sys.executable, "-c", probe), check=True, timeout=10)
        assert _line(listener, 5) == f"udp {A_ADDRESS} {STUN_PORT} {b'probe'.hex()}"
        archive = tmp_path / "archive"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with ServedSite(SITE, prefix=_in(namespaces.a)) as site:  # the site on A's own loopback
            page = site.url(f"/webrtc?port={STUN_PORT}&host={B_ADDRESS}")
            crawl = [sys.executable, "-m", "sourcekeeper", "archive", "--archive", str(archive), *FAST]
            result = subprocess.run(
                _in(namespaces.a, *crawl, *LIMITS, "--render", "always", page),
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                cwd=ROOT,
                check=False,
            )
        assert result.returncode == 0, result.stderr[-3000:]
        late = _line(listener, 1.0)  # a packet still on its way
        assert late is None, f"the listener in the other namespace received: {late}"
        # and the check would see the UDP a browser without the guards sends from A for the same
        # page: its STUN Binding request, or (on a busy machine, sometimes first or alone before
        # the browser is closed) the mDNS announcement of its ICE candidate, port 5353
        unguarded = _in(namespaces.a, sys.executable, "-c", UNGUARDED_BROWSER, f"{B_ADDRESS}:{STUN_PORT}")
        subprocess.run(unguarded, check=True, timeout=60, env=env, cwd=ROOT, capture_output=True)
        seen = []
        while (line := _line(listener, 5)) is not None:
            seen.append(line)
            if line.startswith(f"udp {A_ADDRESS} {STUN_PORT} 0001"):
                break
        assert any(line.startswith(f"udp {A_ADDRESS} ") for line in seen), "no UDP from the unguarded browser"
    finally:
        if listener.poll() is None:
            assert listener.stdin is not None
            listener.stdin.close()
            listener.wait(timeout=10)
    summary = provenances(archive)[page]
    assert summary["outcome"] == "ok", summary["outcome_reason"]
    webrtc = [b for b in summary["blocked"] if b["kind"] == "webrtc"]
    assert webrtc and f"stun:{B_ADDRESS}:{STUN_PORT}" in webrtc[0]["detail"], json.dumps(summary["blocked"])
    dom = next(r for r in all_records(archive) if r.get("WARC-Target-URI") == "urn:dom:" + page)
    assert "refused: NotSupportedError" in dom.block.decode()
