"""Platform video embeds (Tencent Video, Bilibili, Weibo, CCTV, Youku …) resolved with yt-dlp.

yt-dlp is used as a library and only to *resolve*: `extract_info(url, download=False)` names the
formats and their URLs (and the headers a platform wants); the crawl then fetches the chosen
formats, and HLS/DASH manifests, as its own media requests, so every byte of the media goes
through the recording download handler into the WARC. What yt-dlp fetched to resolve (the embed
page again, platform APIs) is not recorded; the embed page itself is, as the crawl's own capture.

The info yt-dlp gives (extractor, title, uploader, duration, the formats chosen) is kept as a
`metadata` record referring to the embed page's capture. yt-dlp is the optional `media` extra:
without it the embed page is captured and the run summary says its media was not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from archive_store.index.pagemedia import media_kind

logger = logging.getLogger(__name__)
INSTALL_HINT = "pip install 'sourcekeeper[media]'"
_KEPT_INFO = (
    "extractor",
    "extractor_key",
    "id",
    "title",
    "uploader",
    "uploader_id",
    "channel",
    "upload_date",
    "timestamp",
    "duration",
    "webpage_url",
    "description",
)
_KEPT_FORMAT = (
    "format_id",
    "url",
    "manifest_url",
    "protocol",
    "ext",
    "width",
    "height",
    "tbr",
    "vcodec",
    "acodec",
)
_PASSED_HEADERS = ("Referer", "Origin", "Cookie")


@dataclass
class EmbedMedia:
    """What yt-dlp made of an embed: the requests to make, the record to keep, or why not."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # url, kind, headers
    info: dict[str, Any] | None = None
    error: str | None = None


class _QuietLogger:
    """yt-dlp's messages go to our log at DEBUG (its warnings at INFO), never to stdout."""

    def debug(self, message: str) -> None:
        logger.debug("yt-dlp: %s", message)

    def info(self, message: str) -> None:
        logger.debug("yt-dlp: %s", message)

    def warning(self, message: str) -> None:
        logger.info("yt-dlp: %s", message)

    def error(self, message: str) -> None:
        logger.info("yt-dlp: %s", message)


def ytdlp_available() -> bool:
    try:
        import yt_dlp  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def _format_request(fmt: dict[str, Any]) -> tuple[str, str, dict[str, str]] | None:
    protocol = str(fmt.get("protocol") or "")
    headers = {k: str(v) for k, v in (fmt.get("http_headers") or {}).items() if k in _PASSED_HEADERS}
    if protocol.startswith("m3u8"):
        return str(fmt.get("manifest_url") or fmt.get("url")), "hls", headers
    if protocol.startswith("http_dash") or protocol == "dash":
        return str(fmt.get("manifest_url") or fmt.get("url")), "dash", headers
    url = fmt.get("url")
    if not url or not str(url).startswith(("http://", "https://")):
        return None
    audio_only = fmt.get("vcodec") == "none" and fmt.get("acodec") not in (None, "none")
    return str(url), media_kind(str(url), "", "audio" if audio_only else "video"), headers


def _chosen_formats(entry: dict[str, Any], all_formats: bool) -> list[dict[str, Any]]:
    if all_formats and entry.get("formats"):
        return list(entry["formats"])
    requested = entry.get("requested_formats")
    if requested:
        return list(requested)
    return [entry] if entry.get("url") else list(entry.get("formats") or [])[-1:]


def _summary(entry: dict[str, Any], chosen: list[dict[str, Any]]) -> dict[str, Any]:
    kept = {key: entry[key] for key in _KEPT_INFO if entry.get(key) is not None}
    kept["formats_chosen"] = [{k: f[k] for k in _KEPT_FORMAT if f.get(k) is not None} for f in chosen]
    kept["formats_available"] = len(entry.get("formats") or [])
    return kept


def resolve_embed(url: str, *, all_formats: bool, max_entries: int = 20, timeout: float = 60) -> EmbedMedia:
    """Ask yt-dlp (blocking: run it on a thread) what media an embed URL holds."""
    try:
        import yt_dlp  # noqa: PLC0415 (the optional extra)
    except ImportError:
        return EmbedMedia(error=f"yt-dlp is not installed ({INSTALL_HINT})")
    options = {
        "quiet": True,
        "no_warnings": True,
        "skip_download": True,
        "noplaylist": True,
        "playlistend": max_entries,
        "socket_timeout": timeout,
        "logger": _QuietLogger(),
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.sanitize_info(ydl.extract_info(url, download=False))
    except Exception as exc:  # yt-dlp raises DownloadError/ExtractorError with a readable message
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return EmbedMedia(error=message.removeprefix("ERROR: "))
    entries = [e for e in (info.get("entries") or [info]) if isinstance(e, dict)][:max_entries]
    result = EmbedMedia(info={"embed_url": url, "extractor": info.get("extractor"), "entries": []})
    for entry in entries:
        chosen = _chosen_formats(entry, all_formats)
        assert result.info is not None
        result.info["entries"].append(_summary(entry, chosen))
        for fmt in chosen:
            request = _format_request(fmt)
            if request is not None and request[0] not in {r[0] for r in result.requests}:
                result.requests.append(request)
    if not result.requests:
        result.error = "yt-dlp found no media format to fetch"
    return result
