"""What a run did with media (video, audio, stream playlists and segments), for its summary.

Counted as the captures are written; the spider adds what only it knows (a stream's segments
not followed, a live playlist stopped, a playlist loop, a key that answered 404). Every media URL
that is not whole in the archive is named, with the reason, in the summary's `media` object and in
the lines the command prints (`lines`).
"""

from __future__ import annotations

from typing import Any

# bounded: a 100,000-segment stream must not make a 100,000-line summary
_MAX_NAMED = 200


class MediaNotes:
    def __init__(self, max_size: int, idle_timeout: float = 0) -> None:
        self.max_size = max_size
        self.idle_timeout = idle_timeout
        self.files = 0
        self.bytes = 0
        self.by_kind: dict[str, int] = {}
        self.notes: list[dict[str, str]] = []
        self.unnamed = 0
        self.streams: list[dict[str, Any]] = []

    def captured(self, url: str, kind: str, size: int, truncated: str | None) -> None:
        self.files += 1
        self.bytes += size
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        if truncated == "length":
            limit = f"ARCHIVE_MEDIA_MAX_SIZE = {self.max_size:,} bytes" if self.max_size else "a size limit"
            self.note(url, "truncated", f"cut at {limit}; the first {size:,} bytes are kept")
        elif truncated == "time":
            idle = f"ARCHIVE_MEDIA_IDLE_TIMEOUT = {self.idle_timeout:g} s"
            why = f"no data for {idle}, or ARCHIVE_MEDIA_TIMEOUT reached"
            self.note(url, "truncated", f"the body stopped coming ({why}); the first {size:,} bytes are kept")
        elif truncated:
            self.note(url, "truncated", f"the body was cut ({truncated}); {size:,} bytes kept")

    def note(self, url: str, state: str, reason: str) -> None:
        if len(self.notes) >= _MAX_NAMED:
            self.unnamed += 1
            return
        self.notes.append({"url": url, "state": state, "reason": reason})

    def stream(self, url: str, kind: str, segments: int) -> None:
        if len(self.streams) < _MAX_NAMED:
            self.streams.append({"url": url, "kind": kind, "segments": segments})

    def summary(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "by_kind": dict(sorted(self.by_kind.items())),
            "streams": self.streams,
            "notes": self.notes,
            "more_notes": self.unnamed,
        }


def media_lines(media: dict[str, Any] | None) -> list[str]:
    """The lines the run summary prints about media (none for a run without any)."""
    if not media or not (media.get("files") or media.get("notes")):
        return []
    kinds = ", ".join(f"{count} {kind}" for kind, count in (media.get("by_kind") or {}).items())
    lines = [f"media: {media['files']} files, {media['bytes']:,} bytes" + (f" ({kinds})" if kinds else "")]
    lines += [f"media {note['state']}: {note['url']} — {note['reason']}" for note in media.get("notes") or []]
    if media.get("more_notes"):
        lines.append(f"media: {media['more_notes']} more not named here")
    return lines
