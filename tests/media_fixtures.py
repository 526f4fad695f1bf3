"""Real media for the media tests, made with ffmpeg at test time (nothing binary in the repo).

`make_media(folder)` writes: video.mp4 (3 s, H.264 + AAC), lazy.mp4 (2 s), audio.m4a, poster.png,
subs.vtt, an HLS stream (hls/master.m3u8 → two variants v0/v1 of three AES-128 encrypted segments,
one key) and a DASH stream (dash/manifest.mpd, SegmentTemplate + SegmentTimeline, init segments).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

FFMPEG = shutil.which("ffmpeg")
VIDEO_SECONDS = 3.0


def _ffmpeg(*args: str | Path, cwd: Path) -> None:
    assert FFMPEG is not None
    subprocess.run([FFMPEG, "-v", "error", "-y", *map(str, args)], cwd=cwd, check=True, timeout=120)


def _test_video(out: Path, seconds: float, size: str = "160x120") -> None:
    _ffmpeg(
        *("-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate=10"),
        *("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10"),
        *("-c:a", "aac", "-b:a", "32k", "-shortest", "-movflags", "+faststart", out.name),
        cwd=out.parent,
    )


def make_media(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _test_video(folder / "video.mp4", VIDEO_SECONDS)
    _test_video(folder / "lazy.mp4", 2.0, "96x64")
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=660:duration=2", "-c:a", "aac", "audio.m4a", cwd=folder)
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120", "-frames:v", "1", "poster.png", cwd=folder)
    (folder / "subs.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n测试字幕\n", encoding="utf-8")
    hls = folder / "hls"
    hls.mkdir(exist_ok=True)
    (hls / "key.bin").write_bytes(os.urandom(16))
    (hls / "keyinfo").write_text(f"../key.bin\n{hls / 'key.bin'}\n")
    for index, (size, rate) in enumerate((("80x60", "100k"), ("160x120", "300k"))):
        variant = hls / f"v{index}"
        variant.mkdir(exist_ok=True)
        _ffmpeg(
            *("-i", folder / "video.mp4", "-vf", f"scale={size.replace('x', ':')}", "-c:v", "libx264"),
            *("-preset", "ultrafast", "-g", "10", "-b:v", rate, "-c:a", "aac", "-b:a", "32k"),
            *("-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod"),
            *("-hls_key_info_file", hls / "keyinfo", "-hls_segment_filename", variant / "seg%d.ts"),
            variant / "index.m3u8",
            cwd=hls,
        )
    (hls / "keyinfo").unlink()
    (hls / "master.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=150000,RESOLUTION=80x60,CODECS="avc1.42c00a,mp4a.40.2"\n'
        "v0/index.m3u8\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=160x120,CODECS="avc1.42c00c,mp4a.40.2"\n'
        "v1/index.m3u8\n"
    )
    dash = folder / "dash"
    dash.mkdir(exist_ok=True)
    _ffmpeg(
        *("-i", folder / "video.mp4", "-c", "copy", "-f", "dash", "-seg_duration", "1"),
        *("-use_template", "1", "-use_timeline", "1", "manifest.mpd"),
        cwd=dash,
    )
    return folder


def media_files(folder: Path) -> dict[str, bytes]:
    """Every served file by its path under /media/."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
