"""Archived video replays: pywb serves a page with an MP4 and an AES-128 HLS stream from the archive,
and Debian's Chromium (headless, driven over the DevTools protocol) plays both: each <video> element
reaches readyState >= 2 (HAVE_CURRENT_DATA) with the duration of the file it was made from."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from archive_helpers import archive_cli
from media_fixtures import FFMPEG, VIDEO_SECONDS, make_media
from test_replay import Replay, _free_port, start_replay, stop_replay

from sourcekeeper.demo.rawsite import ServedSite

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# the state of each video inside pywb's replay frame (same origin as the top frame)
_STATE = """(function () {
  var frame = document.getElementById('replay_iframe');
  var doc = frame ? frame.contentDocument : null;
  if (!doc) return null;
  var out = {};
  ['mp4', 'hls'].forEach(function (id) {
    var v = doc.getElementById(id);
    if (v) out[id] = {ready: v.readyState, duration: v.duration, error: v.error ? v.error.message : null};
  });
  return JSON.stringify(out);
})()"""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Replay, ServedSite]]:
    if FFMPEG is None or not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("ffmpeg and chromium are required in CI (scripts/system-deps.sh installs them)")
        pytest.skip("ffmpeg or Debian chromium is not installed (scripts/system-deps.sh)")
    work = tmp_path_factory.mktemp("media-replay")
    media = make_media(work / "media")
    before = os.environ.get("MEDIA_FIXTURE_DIR")
    os.environ["MEDIA_FIXTURE_DIR"] = str(media)
    try:
        with ServedSite("tests/mediasite.py:routes") as site:
            # every variant: Chromium's HLS player does not start on the best one alone
            result = archive_cli(
                work / "archive", site.url("/play.html"), "-s", "ARCHIVE_MEDIA_ALL_VARIANTS=True"
            )
            assert result.returncode == 0, result.stderr
        # the site is gone: what plays below comes from the archive
        server = start_replay(work / "archive", _free_port(), work / "replay.log")
        try:
            yield server, site
        finally:
            stop_replay(server)
    finally:
        if before is None:
            os.environ.pop("MEDIA_FIXTURE_DIR", None)
        else:
            os.environ["MEDIA_FIXTURE_DIR"] = before


async def _video_states(url: str, profile: str, seconds: float = 40) -> dict[str, dict[str, object]]:
    """Open `url` in headless Chromium and poll the videos until both can play (or time runs out)."""
    proc = subprocess.Popen(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank",
        ],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        endpoint = None
        while endpoint is None:
            line = proc.stderr.readline().decode("utf-8", "replace")
            if not line:
                pytest.fail("chromium exited before it opened its DevTools endpoint")
            found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            endpoint = found.group(1) if found else None
        async with aiohttp.ClientSession() as http:
            targets = await (await http.get(f"http://127.0.0.1:{endpoint}/json/list")).json()
            page = next(t for t in targets if t["type"] == "page")
            async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                calls = 0

                async def call(method: str, params: dict[str, object]) -> dict[str, object]:
                    nonlocal calls
                    calls += 1
                    await ws.send_json({"id": calls, "method": method, "params": params})
                    while True:
                        message = await ws.receive_json()
                        if message.get("id") == calls:
                            return message

                await call("Page.navigate", {"url": url})
                states: dict[str, dict[str, object]] = {}
                deadline = time.monotonic() + seconds  # a bound on the wait, not a timed assertion
                while time.monotonic() < deadline:
                    reply = await call("Runtime.evaluate", {"expression": _STATE, "returnByValue": True})
                    value = reply.get("result", {}).get("result", {}).get("value")  # type: ignore[union-attr]
                    states = json.loads(value) if value else {}
                    if len(states) == 2 and all(int(s["ready"]) >= 2 for s in states.values()):  # type: ignore[call-overload]
                        break
                    await asyncio.sleep(0.25)
                return states
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_chromium_plays_the_archived_mp4_and_hls_stream(replayed: tuple[Replay, ServedSite]) -> None:
    server, site = replayed
    # Chromium's child processes may still write to the profile after the browser exits
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        states = asyncio.run(
            _video_states(f"http://127.0.0.1:{server.port}/archive/{site.url('/play.html')}", profile)
        )
    assert set(states) == {"mp4", "hls"}, states
    for name, state in states.items():
        assert state["error"] is None, (name, state)
        assert int(state["ready"]) >= 2, (name, state)  # type: ignore[call-overload]
        # the stream: three 1 s segments; Chromium counts the last frame's audio too
        assert abs(float(state["duration"]) - VIDEO_SECONDS) < 0.15, (name, state)  # type: ignore[arg-type]
