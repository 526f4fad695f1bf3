"""The media of an archived page as the index knows it: for `show --json` (`media`) and the report.

A page's media are the captures its crawl fetched from it (`parent_url`, same run) that are video,
audio, subtitles or a stream manifest; a stream's parts are the captures fetched from its manifest
and from the variant playlists under it. `complete` means every exchange answered 200 in full: a
206, an error, a body cut by a size or time limit make it partial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from archive_store.index.schema import Capture

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex

VIDEO_EXTENSIONS = frozenset(
    {"mp4", "m4v", "webm", "ogv", "mov", "flv", "f4v", "avi", "wmv", "mkv", "3gp", "ts", "m4s"}
)
AUDIO_EXTENSIONS = frozenset({"mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "flac", "amr", "wma"})
TRACK_EXTENSIONS = frozenset({"vtt", "srt"})
STREAM_EXTENSIONS = {"m3u8": "hls", "mpd": "dash"}
_STREAM_TYPES = {
    "application/x-mpegurl": "hls",
    "application/vnd.apple.mpegurl": "hls",
    "audio/mpegurl": "hls",
    "audio/x-mpegurl": "hls",
    "application/dash+xml": "dash",
}
_MAX_DEPTH = 4  # master → variant → segments, and one more level at most


def _extension(url: str) -> str:
    tail = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[-1].lower() if "." in tail else ""


def media_kind(url: str, declared_type: str = "", default: str = "video") -> str:
    """hls/dash for a stream manifest (by its type or extension), else video or audio (`default`
    when neither type nor extension tells; "" asks for "" then)."""
    mime = declared_type.split(";", maxsplit=1)[0].strip().lower()
    if mime in _STREAM_TYPES:
        return _STREAM_TYPES[mime]
    extension = _extension(url)
    if extension in STREAM_EXTENSIONS:
        return STREAM_EXTENSIONS[extension]
    if extension in AUDIO_EXTENSIONS or mime.startswith("audio/"):
        return "audio"
    if extension in VIDEO_EXTENSIONS or mime.startswith("video/"):
        return "video"
    return default


def _kind_of(capture: Capture) -> str:
    kind = media_kind(capture.url, capture.content_type or "", "")
    if not kind and (
        _extension(capture.url) in TRACK_EXTENSIONS or (capture.content_type or "").startswith("text/vtt")
    ):
        return "track"
    return kind


def _whole(capture: Capture) -> bool:
    return capture.http_status == 200 and capture.truncated is None


def _children(index: ArchiveIndex, run_id: int | None, parent: str) -> list[Capture]:
    with index.session() as s:
        rows = s.scalars(
            select(Capture).where(Capture.run_id == run_id, Capture.parent_url == parent).order_by(Capture.id)
        )
        return list(rows)


def _stream_parts(index: ArchiveIndex, capture: Capture) -> tuple[int, int, bool]:
    """(segments, bytes, complete) of everything fetched under a manifest."""
    segments, size, complete = 0, 0, True
    level, seen = [capture.url], {capture.url}
    for _depth in range(_MAX_DEPTH):
        following = []
        for url in level:
            for part in _children(index, capture.run_id, url):
                if part.url in seen:
                    continue
                seen.add(part.url)
                complete = complete and _whole(part)
                size += part.payload_length
                if _kind_of(part) in ("hls", "dash"):
                    following.append(part.url)
                elif _kind_of(part) in ("video", "audio"):
                    segments += 1
        level = following
    return segments, size, complete


def page_media(index: ArchiveIndex, capture: Capture) -> list[dict[str, Any]]:
    """url, type, bytes, complete, segments (streams; 0 for a single file), status, truncated."""
    media: list[dict[str, Any]] = []
    for child in _children(index, capture.run_id, capture.url):
        kind = _kind_of(child)
        if not kind:
            if child.content_type and child.content_type.startswith("text/html"):
                media += _embedded(index, child)  # a player page: the media it led to
            continue
        entry: dict[str, Any] = {
            "url": child.url,
            "type": kind,
            "bytes": child.payload_length,
            "complete": _whole(child),
            "segments": 0,
            "http_status": child.http_status,
            "truncated": child.truncated,
        }
        if kind in ("hls", "dash"):
            segments, size, complete = _stream_parts(index, child)
            entry.update(segments=segments, bytes=child.payload_length + size)
            entry["complete"] = entry["complete"] and complete and segments > 0
        media.append(entry)
    return media


def _embedded(index: ArchiveIndex, player: Capture) -> list[dict[str, Any]]:
    found = page_media(index, player) if player.hop < _MAX_DEPTH else []
    return [{**entry, "embed": player.url} for entry in found]


def media_state(media: list[dict[str, Any]]) -> str | None:
    """ "complete", "partial" or None (no media) for a page's media list."""
    if not media:
        return None
    return "complete" if all(m["complete"] for m in media) else "partial"
