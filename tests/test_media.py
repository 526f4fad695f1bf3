"""Video and audio of archived pages (issue 18): found, fetched whole, streamed into the WARC
byte for byte, HLS/DASH followed, WeChat media with WeChat's Referer, bad input bounded and named."""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import CliResult, all_records, archive_cli, run_cli
from media_fixtures import FFMPEG, make_media, media_files
from mediasite import (
    LD_BYTES,
    MANY_SEGMENTS,
    OG_BYTES,
    PAGE,
    STALLED_PART,
    WECHAT_VIDEO_HIGH,
    WECHAT_VOICE,
    many_text,
)

from archive_store.warc.httpmessage import parse_response
from archive_store.warc.record import StoredRecord
from archive_store.warc.recordbuilder import WarcRecord, sha1_digest
from archive_store.warc.spool import gzip_spooled, scan_spooled, spooled_response_record
from scrapers.medialinks import media_links
from scrapers.streams import dash_plan, hls_plan, stream_plan
from sourcekeeper.demo.rawsite import ServedSite, chunk_body

needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed (scripts/system-deps.sh)")
WECHAT_ARTICLE = "/s?__biz=MzA5&mid=1&idx=1&sn=abc"


# --- finding media in a page ----------------------------------------------------------------------
def test_media_links_of_a_page() -> None:
    links = {
        link.url.removeprefix("http://site"): link.kind
        for link in media_links(PAGE.decode(), "http://site/p.html")
    }
    assert links == {
        "/media/video.mp4": "video",
        "/media/poster.png": "poster",
        "/media/subs.vtt": "track",
        "/media/lazy.mp4": "video",  # data-src wins over the data: placeholder
        "/media/audio.m4a": "audio",
        "/media/hls/master.m3u8": "hls",
        "/media/dash/manifest.mpd": "dash",
        "/og/clip.mp4": "video",
        "/ld/clip.mp4": "video",
    }


def test_page_without_media_has_no_links() -> None:
    html = '<html><body><a href="/a.pdf">pdf</a><img src="/x.png"><video></video></body></html>'
    assert media_links(html, "http://site/") == []


def test_wechat_voice_and_best_video() -> None:
    html = (
        "<html><head><script>var videoPageInfos = [{ mp_video_trans_info: [{ filesize: '10' * 1,"
        " url: ('http://mpvideo.qpic.cn/low.mp4?a=1\\x26amp;b=2') }, { filesize: '99' * 1,"
        " url: ('http://mpvideo.qpic.cn/high.mp4?a=1\\x26amp;b=2') }] }];</script></head><body>"
        '<div id="js_content"><mpvoice voice_encode_fileid="MzA_ID%3D"></mpvoice></div></body></html>'
    )
    best = media_links(html, "https://mp.weixin.qq.com/s/x", wechat=True)
    assert [(link.url, link.kind, link.wechat) for link in best] == [
        ("https://res.wx.qq.com/voice/getvoice?mediaid=MzA_ID=", "audio", True),
        ("http://mpvideo.qpic.cn/high.mp4?a=1&b=2", "video", True),
    ]
    every = media_links(html, "https://mp.weixin.qq.com/s/x", wechat=True, all_formats=True)
    assert "http://mpvideo.qpic.cn/low.mp4?a=1&b=2" in [link.url for link in every]
    # an ordinary page's text that merely mentions the variable is not read as WeChat page data
    assert media_links(html, "http://site/", wechat=False) == []


# --- stream manifests -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if FFMPEG is None:
        pytest.skip("ffmpeg is not installed (scripts/system-deps.sh)")
    return make_media(tmp_path_factory.mktemp("media"))


@needs_ffmpeg
def test_hls_master_best_and_all_variants(media_dir: Path) -> None:
    text = (media_dir / "hls" / "master.m3u8").read_text()
    best = hls_plan(text, "http://s/hls/master.m3u8", all_variants=False, max_segments=0)
    assert best.playlists == ["http://s/hls/v1/index.m3u8"]  # the higher bandwidth
    every = hls_plan(text, "http://s/hls/master.m3u8", all_variants=True, max_segments=0)
    assert sorted(every.playlists) == ["http://s/hls/v0/index.m3u8", "http://s/hls/v1/index.m3u8"]


@needs_ffmpeg
def test_hls_media_playlist_segments_and_key(media_dir: Path) -> None:
    text = (media_dir / "hls" / "v0" / "index.m3u8").read_text()
    plan = hls_plan(text, "http://s/hls/v0/index.m3u8", all_variants=False, max_segments=0)
    assert plan.keys == ["http://s/hls/key.bin"]
    assert plan.segments == [f"http://s/hls/v0/seg{n}.ts" for n in range(3)]
    assert not plan.live and not plan.cut
    assert plan.urls()[0] == ("http://s/hls/key.bin", "key")  # the key before what it unlocks


def test_hls_init_segment_byte_ranges_and_live() -> None:
    text = (
        '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI="init.mp4"\n'
        "#EXT-X-BYTERANGE:100@0\n#EXTINF:4,\nall.m4s\n#EXT-X-BYTERANGE:100@100\n#EXTINF:4,\nall.m4s\n"
    )
    plan = hls_plan(text, "http://s/a/p.m3u8", all_variants=False, max_segments=0)
    assert plan.init == ["http://s/a/init.mp4"]
    assert plan.segments == ["http://s/a/all.m4s"]  # one whole file, not two ranges
    assert plan.live  # no EXT-X-ENDLIST


def test_hls_segment_list_is_cut_at_the_limit() -> None:
    plan = hls_plan(many_text(), "http://s/bad/many.m3u8", all_variants=False, max_segments=7)
    assert len(plan.segments) == 7 and plan.cut == MANY_SEGMENTS - 7
    assert not plan.live  # the cut keeps EXT-X-ENDLIST: still a finished stream


@needs_ffmpeg
def test_dash_template_timeline(media_dir: Path) -> None:
    body = (media_dir / "dash" / "manifest.mpd").read_bytes()
    plan = dash_plan(body, "http://s/dash/manifest.mpd", all_variants=False, max_segments=0)
    served = {p for p in media_files(media_dir) if p.startswith("dash/") and p.endswith(".m4s")}
    assert {u.removeprefix("http://s/") for u in plan.init + plan.segments} == served
    assert stream_plan(body, "http://s/dash/manifest.mpd", all_variants=False, max_segments=0) is not None


def test_dash_segment_list_duration_template_and_base_url() -> None:
    mpd = b"""<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"
      mediaPresentationDuration="PT10S"><BaseURL>media/</BaseURL><Period>
      <AdaptationSet><Representation id="lo" bandwidth="100"><SegmentList>
        <Initialization sourceURL="lo-init.mp4"/><SegmentURL media="lo-1.m4s"/><SegmentURL media="lo-2.m4s"/>
      </SegmentList></Representation>
      <Representation id="hi" bandwidth="900"><SegmentTemplate media="$RepresentationID$-$Number$.m4s"
        initialization="$RepresentationID$-init.mp4" duration="4" timescale="1" startNumber="1"/>
      </Representation>
      </AdaptationSet><AdaptationSet><Representation id="a" bandwidth="64"><BaseURL>audio.mp4</BaseURL>
      </Representation></AdaptationSet></Period></MPD>"""
    best = dash_plan(mpd, "http://s/v/m.mpd", all_variants=False, max_segments=0)
    assert best.init == ["http://s/v/media/hi-init.mp4"]
    assert best.segments == [f"http://s/v/media/hi-{n}.m4s" for n in (1, 2, 3)] + [
        "http://s/v/media/audio.mp4"
    ]
    every = dash_plan(mpd, "http://s/v/m.mpd", all_variants=True, max_segments=0)
    assert "http://s/v/media/lo-init.mp4" in every.init and "http://s/v/media/lo-2.m4s" in every.segments
    cut = dash_plan(mpd, "http://s/v/m.mpd", all_variants=False, max_segments=2)
    assert len(cut.segments) == 2 and cut.cut == 2


def test_dash_entities_are_not_resolved() -> None:
    mpd = b"""<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><Period><AdaptationSet><Representation id="r" bandwidth="1">
      <BaseURL>&x;</BaseURL></Representation></AdaptationSet></Period></MPD>"""
    plan = dash_plan(mpd, "http://s/m.mpd", all_variants=False, max_segments=0)
    assert not any("root:" in u for u in plan.segments)


# --- spooled records ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "wire",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234",  # cut: incomplete
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n0123TRAILING",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunk_body(os.urandom(300_000), [1, 70_000, 5]),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk_body(b"abc" * 1000, [7])[:-9],
        b"HTTP/1.0 200 OK\r\n\r\nclose-delimited body",
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ],
)
def test_spooled_scan_agrees_with_the_in_memory_parse(wire: bytes) -> None:
    spooled = scan_spooled(io.BytesIO(wire))
    parsed = parse_response(wire)
    assert spooled is not None and parsed is not None
    assert spooled.payload_digest == sha1_digest(parsed.payload)
    assert spooled.block_digest == sha1_digest(parsed.block)
    assert (spooled.complete, spooled.framing, spooled.trailing) == (
        parsed.complete,
        parsed.framing,
        parsed.trailing,
    )
    record = spooled_response_record("http://s/x", "2026-01-01T00:00:00Z", spooled, None, None)
    member = gzip_spooled(record, spooled, 3, None)
    written = member.handle.read()
    assert len(written) == len(member)
    memory = WarcRecord(record.record_type, record.fields, parsed.block, record.record_id)
    assert gzip.decompress(written) == memory.to_bytes()
    member.close()


# --- whole crawls ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(media_dir: Path) -> Iterator[ServedSite]:
    before = os.environ.get("MEDIA_FIXTURE_DIR")
    os.environ["MEDIA_FIXTURE_DIR"] = str(media_dir)
    try:
        with ServedSite("tests/mediasite.py:routes") as served:
            yield served
    finally:
        if before is None:
            os.environ.pop("MEDIA_FIXTURE_DIR", None)
        else:
            os.environ["MEDIA_FIXTURE_DIR"] = before


def _responses(archive: Path) -> dict[str, tuple[StoredRecord, bytes, int]]:
    """Response records by target URI: the record, its payload as stored, its HTTP status."""
    found = {}
    for record in all_records(archive):
        if record.record_type == "response":
            parsed = parse_response(record.block)
            assert parsed is not None
            found[record.get("WARC-Target-URI") or ""] = (record, parsed.payload, parsed.status)
    return found


def _requests(archive: Path) -> dict[str, bytes]:
    return {
        r.get("WARC-Target-URI") or "": r.block for r in all_records(archive) if r.record_type == "request"
    }


@pytest.fixture(scope="module")
def page_crawl(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    archive = tmp_path_factory.mktemp("media-archive")
    voice = site.url("/voice/getvoice?mediaid=")
    result = archive_cli(
        archive, site.url("/page.html"), site.url(WECHAT_ARTICLE), "-s", f"WECHAT_VOICE_URL={voice}"
    )
    return archive, result


@pytest.mark.slow
def test_every_media_exchange_is_in_the_warc_byte_exact(
    page_crawl: tuple[Path, CliResult], site: ServedSite, media_dir: Path
) -> None:
    archive, result = page_crawl
    assert result.returncode == 0, result.stderr
    responses = _responses(archive)
    files = media_files(media_dir)
    wanted = [p for p in files if not p.startswith("hls/v0/")]  # the best variant only, by default
    for path in wanted:
        record, payload, status = responses[site.url("/media/" + path)]
        assert status == 200 and payload == files[path], path
        assert record.get("WARC-Truncated") is None
        assert record.get("WARC-Payload-Digest") == sha1_digest(files[path])
    assert not [u for u in responses if "/hls/v0/" in u]
    assert responses[site.url("/og/clip.mp4")][1] == OG_BYTES
    assert responses[site.url("/ld/clip.mp4")][1] == LD_BYTES
    for url, block in _requests(archive).items():
        assert b"\r\nrange:" not in block.lower(), url  # whole files, never a Range request
    assert "media:" in result.stderr and "media failed" not in result.stderr


@pytest.mark.slow
def test_wechat_video_and_voice_with_wechat_referer(
    page_crawl: tuple[Path, CliResult], site: ServedSite
) -> None:
    archive, _result = page_crawl
    responses = _responses(archive)
    video = site.url("/wx/video_high.mp4?vid=wxv_1&format=10004")
    voice = site.url("/voice/getvoice?mediaid=MzA5NjE2_VOICE=")
    assert responses[video][1] == WECHAT_VIDEO_HIGH  # not the placeholder a foreign Referer gets
    assert responses[voice][1] == WECHAT_VOICE
    assert site.url("/wx/video_low.mp4?vid=wxv_1&format=10004") not in responses  # best format only
    requests = _requests(archive)
    for url in (video, voice):
        assert b"\r\nReferer: https://mp.weixin.qq.com/\r\n" in requests[url]


@pytest.mark.slow
def test_show_json_lists_the_media_of_a_page(page_crawl: tuple[Path, CliResult], site: ServedSite) -> None:
    archive, _result = page_crawl
    shown = run_cli("show", "--archive", archive, "--json", site.url("/page.html"))
    assert shown.returncode == 0, shown.stderr
    media = {m["url"]: m for m in json.loads(shown.stdout)["media"]}
    video = media[site.url("/media/video.mp4")]
    size = len((Path(os.environ["MEDIA_FIXTURE_DIR"]) / "video.mp4").read_bytes())
    assert (video["type"], video["complete"], video["bytes"]) == ("video", True, size)
    hls = media[site.url("/media/hls/master.m3u8")]
    assert hls["type"] == "hls" and hls["complete"] and hls["segments"] == 3


@pytest.mark.slow
def test_all_variants_setting(site: ServedSite, tmp_path: Path, media_dir: Path) -> None:
    result = archive_cli(tmp_path, site.url("/page.html"), "-s", "ARCHIVE_MEDIA_ALL_VARIANTS=True")
    assert result.returncode == 0, result.stderr
    responses = _responses(tmp_path)
    files = media_files(media_dir)
    for n in range(3):
        path = f"hls/v0/seg{n}.ts"
        assert responses[site.url("/media/" + path)][1] == files[path]


@pytest.fixture(scope="module")
def bad_crawl(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    archive = tmp_path_factory.mktemp("bad-media")
    settings = [
        "ARCHIVE_MEDIA_MAX_SIZE=8000000",
        "ARCHIVE_MEDIA_MAX_SEGMENTS=5",
        "ARCHIVE_MEDIA_LIVE_INTERVAL=0",
        "ARCHIVE_MEDIA_IDLE_TIMEOUT=2",
    ]
    result = archive_cli(archive, site.url("/bad.html"), *[a for s in settings for a in ("-s", s)])
    return archive, result


@pytest.mark.slow
def test_a_5_gb_file_is_cut_at_the_media_size_limit(
    bad_crawl: tuple[Path, CliResult], site: ServedSite
) -> None:
    archive, result = bad_crawl
    record, payload, status = _responses(archive)[site.url("/bad/huge.mp4")]
    assert status == 200 and record.get("WARC-Truncated") == "length"
    assert 8_000_000 <= len(payload) < 8_000_000 + 512 * 1024
    assert payload.startswith(b"0000000 media body line\n")
    assert record.get("WARC-Payload-Digest") == sha1_digest(payload)
    assert (
        f"media truncated: {site.url('/bad/huge.mp4')} — cut at ARCHIVE_MEDIA_MAX_SIZE = 8,000,000 bytes"
        in result.stderr
    )
    assert not list(archive.glob("tmp*")), "spool files left behind"


@pytest.mark.slow
def test_bad_streams_end_in_clear_states(bad_crawl: tuple[Path, CliResult], site: ServedSite) -> None:
    archive, result = bad_crawl
    responses = _responses(archive)
    hits = site.hits()
    # a playlist looping to itself: each playlist fetched once, the loop named
    assert hits["/bad/loop.m3u8"] == 1 and hits["/bad/loop-b.m3u8"] == 1
    assert f"media loop: {site.url('/bad/loop.m3u8')}" in result.stderr
    # 100,000 segments: the first five fetched, the rest counted in the summary
    assert sorted(u for u in hits if u.startswith("/bad/seg/") and "enc" not in u) == [
        f"/bad/seg/{n}.ts" for n in range(5)
    ]
    assert f"{MANY_SEGMENTS - 5} segments not fetched (ARCHIVE_MEDIA_MAX_SEGMENTS = 5)" in result.stderr
    # a live playlist: polled ARCHIVE_MEDIA_LIVE_ROUNDS times, its segments fetched, then stopped
    assert hits["/bad/live.m3u8"] == 3
    assert "ARCHIVE_MEDIA_LIVE_ROUNDS = 3" in result.stderr
    assert {f"/bad/live/{n}.ts" for n in range(1, 5)} <= set(hits)
    # a key that 404s: the 404 kept, the segment kept, the summary says the stream cannot be decrypted
    assert responses[site.url("/bad/missing.key")][2] == 404
    assert site.url("/bad/seg/enc0.ts") in responses
    assert "the key of an encrypted stream answered HTTP 404" in result.stderr
    # a 206 to a plain GET: kept as answered, and called partial
    assert responses[site.url("/bad/partial.mp4")][2] == 206
    assert f"media partial: {site.url('/bad/partial.mp4')}" in result.stderr
    # a body that stalls: what arrived is kept, cut by the idle limit, and named
    record, payload, _status = responses[site.url("/bad/stalled.mp4")]
    assert record.get("WARC-Truncated") == "time" and payload == STALLED_PART
    stalled = f"media truncated: {site.url('/bad/stalled.mp4')} — the body stopped coming (no data for"
    assert stalled in result.stderr and "ARCHIVE_MEDIA_IDLE_TIMEOUT = 2 s" in result.stderr
    verify = run_cli("verify", "--archive", archive)
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.slow
def test_html_report_marks_media_complete_and_partial(
    page_crawl: tuple[Path, CliResult], bad_crawl: tuple[Path, CliResult], tmp_path: Path
) -> None:
    good = tmp_path / "good.html"
    assert run_cli("report", "--archive", page_crawl[0], "--html", good).returncode == 0
    assert 'class="media m-complete">media complete: 8 of 8 whole' in good.read_text(encoding="utf-8")
    bad = tmp_path / "bad.html"
    assert run_cli("report", "--archive", bad_crawl[0], "--html", bad).returncode == 0
    text = bad.read_text(encoding="utf-8")
    assert 'class="media m-partial">media partial:' in text
    assert "/bad/huge.mp4</li>" in text and "/bad/partial.mp4</li>" in text


@pytest.mark.slow
def test_wacz_export_holds_every_media_record(page_crawl: tuple[Path, CliResult], tmp_path: Path) -> None:
    import zipfile

    from archive_store.warc.members import iter_records

    archive, _result = page_crawl
    out = tmp_path / "media.wacz"
    exported = run_cli("export", "wacz", out, "--archive", archive)
    assert exported.returncode == 0, exported.stderr
    stored = {r.get("WARC-Payload-Digest") for r in all_records(archive) if r.record_type == "response"}
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as wacz:
        names = [n for n in wacz.namelist() if n.startswith("archive/")]
        wacz.extractall(unpacked, members=names)
    in_wacz = {
        r.get("WARC-Payload-Digest")
        for name in names
        for r in iter_records(unpacked / name)
        if r.record_type == "response"
    }
    assert stored <= in_wacz


@pytest.fixture(scope="module")
def embed_crawl(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    archive = tmp_path_factory.mktemp("embeds")
    result = archive_cli(archive, site.url("/embeds.html"), "-s", "ARCHIVE_MEDIA_EMBED_HOSTS=127.0.0.1")
    return archive, result


@pytest.mark.slow
def test_an_embed_resolved_by_yt_dlp_is_fetched_by_the_crawl(
    embed_crawl: tuple[Path, CliResult], site: ServedSite, media_dir: Path
) -> None:
    pytest.importorskip("yt_dlp")
    archive, result = embed_crawl
    assert result.returncode == 0, result.stderr
    responses = _responses(archive)
    player, video = site.url("/embed/player.html"), site.url("/media/lazy.mp4")
    assert player in responses and site.url("/embed/empty.html") in responses  # the player pages kept
    assert responses[video][1] == (media_dir / "lazy.mp4").read_bytes()  # the video, byte-exact
    assert b"sourcekeeper" in _requests(archive)[video]  # fetched by the crawl, not by yt-dlp
    metadata = [
        r
        for r in all_records(archive)
        if r.record_type == "metadata" and r.get("WARC-Refers-To") == responses[player][0].record_id
    ]
    assert len(metadata) == 1
    info = json.loads(metadata[0].block)
    # the generic extractor hands a page with an HTML5 <video> to its "html5" part
    assert info["extractor"] in {"generic", "html5"}
    assert info["entries"][0]["formats_chosen"][0]["url"] == video
    resolved = f"media embed: {player} — resolved by yt-dlp ({info['extractor']}): 1 media fetched"
    assert resolved in result.stderr
    assert (
        f"media embed: {site.url('/embed/empty.html')} — could not resolve this player's video:"
        in result.stderr
    )
    shown = json.loads(run_cli("show", "--archive", archive, "--json", site.url("/embeds.html")).stdout)
    assert [(m["url"], m["embed"]) for m in shown["media"]] == [(video, player)]


@pytest.mark.slow
def test_without_yt_dlp_the_embed_page_is_kept_and_the_summary_says_so(
    site: ServedSite, tmp_path: Path
) -> None:
    blocker = tmp_path / "no-media-extra"
    blocker.mkdir()
    (blocker / "yt_dlp.py").write_text("raise ImportError('the media extra is not installed')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(blocker), str(Path(__file__).resolve().parents[1])])}
    archive = tmp_path / "archive"
    result = archive_cli(
        archive, site.url("/embeds.html"), "-s", "ARCHIVE_MEDIA_EMBED_HOSTS=127.0.0.1", env=env
    )
    assert result.returncode == 0, result.stderr
    responses = _responses(archive)
    assert site.url("/embed/player.html") in responses
    assert site.url("/media/lazy.mp4") not in responses
    assert (
        "its video was NOT captured: yt-dlp is not installed (pip install 'sourcekeeper[media]')"
        in result.stderr
    )


@pytest.mark.slow
def test_a_bad_media_setting_is_a_usage_error(tmp_path: Path) -> None:
    result = archive_cli(tmp_path, "http://127.0.0.1:9/", "-s", "ARCHIVE_MEDIA_MAX_SIZE=4GB")
    assert result.returncode == 2
    assert "ARCHIVE_MEDIA_MAX_SIZE must be a whole number (0 or more), not '4GB'" in result.stderr


def test_a_resumed_run_does_not_read_an_archived_video_back_into_memory(tmp_path: Path) -> None:
    from datetime import datetime

    from scrapy import Request
    from scrapy.settings import Settings

    from archive_store.crawl.capture.mediastream import NOT_KEPT_FLAG
    from archive_store.crawl.default_settings import apply_defaults
    from archive_store.crawl.resume import ResumeMiddleware
    from archive_store.crawl.session import ArchiveSession
    from archive_store.index.schema import Capture

    settings = Settings({"ARCHIVE_DIR": str(tmp_path)})
    apply_defaults(settings)
    session = ArchiveSession(settings)
    try:
        url = "http://site/big.mp4"
        # points at no WARC at all: reading it back would fail, so the test fails if it is read
        session.resumed_captures[url] = Capture(
            id=1, url=url, http_status=200, payload_length=5 << 30, record_id="<urn:uuid:x>",
            record_type="response", warc_file="missing.warc.gz", warc_offset=0, warc_length=1,
            warc_date="2026-01-01T00:00:00Z", payload_digest="sha1:X", truncated=None,
            captured_at=datetime(2026, 1, 1),
        )  # fmt: skip
        request = Request(url, meta={"archive_stream": True, "archive_keep_body": 4 << 20})
        response = ResumeMiddleware(session).process_request(request)
        assert response is not None and response.body == b"" and response.status == 200
        assert NOT_KEPT_FLAG in response.flags and "archived-earlier" in response.flags
        assert request.meta["archive_capture"].capture_id == 1
    finally:
        session.close("finished")
