"""Every archive setting and its default, in one place, by topic.

Override any of them with `-s NAME=VALUE` on the command line, under `[settings]` in
`sourcekeeper.toml`, in `settings.py`, or per spider. Per-request switches live in `request.meta`:
`dont_archive` (fetch without recording).

The format (docs/settings.md is generated from it): a topic is a comment paragraph standing alone
between blank lines, its first line the title; each setting has its own description, the comment
lines right above it or the comment at the end of its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# Capture and WARC files (docs/archiving.md)

# False: the crawl is plain Scrapy; nothing is recorded, no lock is taken, no index is opened.
ARCHIVE_ENABLED = True
# The archive folder (`--archive DIR`): WARCs, index, manifest, custody log (docs/layout.md).
ARCHIVE_DIR = "archive"
# Who runs the crawl; written to every warcinfo record (e.g. "Example NGO <archive@example.org>").
ARCHIVE_OPERATOR = ""
# Request headers whose values are replaced by "[redacted]" in request records (warcinfo says so).
ARCHIVE_REDACT_HEADERS = ["Authorization", "Proxy-Authorization"]
# A WARC file that has reached this many bytes is closed before the next record group (records are
# never split across files) and a new file is started (W-FILE-3).
ARCHIVE_WARC_MAX_SIZE = 1_000_000_000
# The first part of each WARC file name: <prefix>-<UTC timestamp>-<serial>-<host>.warc.gz (W-FILE-2).
ARCHIVE_WARC_PREFIX = "sourcekeeper"
# gzip level of each record, 0-9 as in gzip. 1-3 are compressed by ISA-L, five or more times faster
# than zlib; 4-9 by zlib, for the smallest files (6: about 8 % smaller than 3, at 4-5 times the CPU).
ARCHIVE_GZIP_LEVEL = 3
# Exchanges at least this large (bytes received) are parsed, digested and gzipped on a thread beside
# the reactor; smaller ones inline. With ISA-L's gzip a page costs less inline than the hand-off to
# the thread and the GIL it then takes (measured: 1,500 pages of 50 KB, 12 % faster inline).
ARCHIVE_ASIDE_MIN_SIZE = 1024 * 1024
# A payload identical to one already archived (this run or an earlier one, framed the same way) is
# written as a revisit record that refers to the original instead of a second copy.
ARCHIVE_DEDUP_ENABLED = True
# Identical payloads shorter than this are written in full rather than as revisits.
ARCHIVE_DEDUP_MIN_SIZE = 1
# A rerun of the same command after a crash continues the unfinished run instead of refetching.
ARCHIVE_RESUME = True
# Stopping (Ctrl-C, SIGTERM): seconds the downloads already running may take to finish; then they
# are cancelled (nothing of them recorded) and the run closes, resumable by the same command.
ARCHIVE_STOP_GRACE = 3.0
# A progress bar on stderr (the command line turns it on when a person watches a terminal).
ARCHIVE_PROGRESS = False
# Run after each WARC file is closed, in order: callables (context, closed_file) -> None, where
# context is an archive_store.hooks.FileClosedContext (settings, stats, paths, index, custody).
ARCHIVE_FILE_CLOSED_HOOKS: list[str] = [
    "archive_store.index.cdxj.cdxj_for_closed_file",
    "archive_store.evidence.tsa.timestamp_closed_file",
    "archive_store.storage.uploads.upload_closed_file",
]

# Attachments: the documents an archived page links to

# File extensions of the documents linked from an archived page that are archived too.
ARCHIVE_ATTACHMENT_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "wps",
    "et",
    "ofd",
    "zip",
    "rar",
    "7z",
    "txt",
    "csv",
    "ppt",
    "pptx",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "tif",
    "tiff",
    "webp",
    "bmp",
    "rtf",
]
# How many links away from a seed documents are followed (one hop by default).
ARCHIVE_ATTACHMENT_HOPS = 1
# Documents (attachments, body images) followed from one page at most; the links past it are named
# in the log, the stats (archive/attachments/over_limit) and a failure record of the page; 0: no cap.
ARCHIVE_ATTACHMENTS_PER_PAGE = 200
# The attachment links of a fetched page are looked for in a worker process beside the reactor
# (0: on the reactor thread; pages under 16 KB always are). One worker is enough for any crawl.
ARCHIVE_SCAN_PROCESSES = 1

# Index and extraction (docs/extraction.md)

# Empty: SQLite (WAL) inside the archive folder; or any SQLAlchemy URL (postgresql+psycopg://...).
ARCHIVE_DB_URL = ""
# The item pipeline that decodes, classifies, extracts and indexes each capture (added by the
# add-on at 300 unless ITEM_PIPELINES already places it; None there switches it off).
ARCHIVE_EXTRACTION_PIPELINE = "pipelines.pipeline.ExtractionPipeline"
# Extraction of text and metadata (decode, classify, extract); off with --no-extract.
EXTRACT_ENABLED = True
# Worker processes extraction runs in, beside the reactor (0: one thread instead, for small runs).
EXTRACT_PROCESSES = 2

# Document text: PDF, Word, WPS, spreadsheets, OFD, scans (docs/documents.md)

# Read the text of every kept document (PDF, DOC/DOCX, WPS, XLS/XLSX/ET, RTF, OFD, text, images,
# ZIP/7z/RAR) after its capture, in worker processes beside the reactor: a `conversion` record of
# the text, a `metadata` record of how it was read, and an index row that `search` finds.
ARCHIVE_DOCUMENT_TEXT = True
# OCR (tesseract, simplified Chinese and English): "auto" reads images of at least
# ARCHIVE_OCR_MIN_PIXELS (body images, attachments) and the PDF pages that show images with
# (almost) no text of their own; "always" every image and every PDF page short of text; "never" none.
ARCHIVE_OCR = "auto"
# With ARCHIVE_OCR = auto, images with fewer pixels than this (icons, buttons) are not read.
ARCHIVE_OCR_MIN_PIXELS = 160_000
# A document of more pages (or image frames) than this is not read (text_skipped: too-large).
ARCHIVE_DOCUMENT_MAX_PAGES = 2000
# An image, or a page drawn for OCR, of more pixels than this is not read (too-large); an image's
# size is read from its header, before any pixel is decoded.
ARCHIVE_DOCUMENT_MAX_PIXELS = 100_000_000
# Seconds one document may take; the pages read by then are kept (text_skipped: timeout).
ARCHIVE_DOCUMENT_TIMEOUT = 120
# Address space (MB) of each reader process, its OCR included; a document that needs more is
# recorded as too-large (or failed, when a library dies of it) and the crawl goes on.
ARCHIVE_DOCUMENT_MAX_MEMORY_MB = 1536
# Reader processes beside the crawl (each reads one document at a time).
ARCHIVE_DOCUMENT_PROCESSES = 1

# Trusted time: RFC 3161 tokens (`archive --tsa URL`, docs/evidence.md)

# The time-stamp authority that timestamps each closed WARC's SHA-256, the token kept as
# warcs/<warc>.tsr (empty: off).
ARCHIVE_TSA_URL = ""
# The PEM CA certificate the TSA chains to; a reply that does not verify against it is refused, and
# a copy is kept in the archive so `verify` checks the signer.
ARCHIVE_TSA_CA = ""
# Seconds to wait for the TSA.
ARCHIVE_TSA_TIMEOUT = 30

# Scale-out storage: S3 (`worker --store s3://bucket/prefix`, docs/scale-out.md)
# Each closed WARC is uploaded, checked, its s3:// location indexed and custody-logged; the local
# copy is kept. Credentials only from the environment or the AWS config.

# Where closed WARCs are uploaded, s3://bucket/prefix (`--store`); empty: nothing is uploaded.
ARCHIVE_STORE_URI = ""
# The S3 endpoint for uploads (`--s3-endpoint`); empty: AWS, or AWS_ENDPOINT_URL_S3.
ARCHIVE_S3_ENDPOINT = ""
# Multipart part size (and threshold) in MiB, at least 5.
ARCHIVE_S3_PART_MB = 64
# Attempts per upload before it is given up (custody-logged as upload_failed).
ARCHIVE_S3_RETRIES = 8
# Seconds before the first retry of an upload, doubled after each attempt (at most 60).
ARCHIVE_S3_RETRY_DELAY = 1.0
# How an upload is checked: "checksum" (S3's SHA-256 checksum against the local file's) or
# "download" (the object read back and hashed).
ARCHIVE_S3_VERIFY = "checksum"

# Scale-out frontier (`sourcekeeper worker`, spider `distributed`, docs/scale-out.md)

# A worker that has not renewed its heartbeat for this many seconds is taken for dead, and the
# requests it had taken from the shared queue are queued again.
FRONTIER_LEASE_SECONDS = 60
# A worker stops after the frontier has stayed empty this many seconds (`--idle-exit`; 0: never).
FRONTIER_IDLE_EXIT = 60

# Re-checks (`recheck`, docs/monitoring.md)

# Seconds before a `removed` after a good capture is fetched again, in the same run, to confirm it.
RECHECK_CONFIRM_DELAY = 5.0
# Send If-None-Match / If-Modified-Since from the last good capture's validators.
RECHECK_CONDITIONAL = True
# Changed sentences kept per diff ("truncated": true beyond).
RECHECK_DIFF_MAX_SENTENCES = 200

# Site profiles (`crawl PROFILE`, docs/profiles.md)

# Listing pages per run when neither the profile's max_pages nor --max-pages says otherwise.
PROFILE_MAX_PAGES = 50

# WeChat articles (docs/archiving.md)

# A WeChat URL with tracking parameters (chksm, scene, #rd) is archived as given and its canonical
# /s?__biz=&mid=&idx=&sn= form is fetched too.
WECHAT_FETCH_CANONICAL = True
# Images on these hosts are fetched with WeChat's Referer on any page.
WECHAT_IMAGE_HOSTS = ["mmbiz.qpic.cn", "mmbiz.qlogo.cn", "mmecoa.qpic.cn"]
# The Referer sent for WeChat images ("" = none): mmbiz answers foreign Referers with a placeholder.
WECHAT_IMAGE_REFERER = "https://mp.weixin.qq.com/"

# Rendering: pages behind JavaScript challenges, in Chromium (docs/rendering.md)

# auto: a page answered by a JS challenge is rendered in headless Chromium, every browser request
# fetched through the recording handler; always: every HTML page; never: no browser at all.
ARCHIVE_RENDER = "auto"
# screenshot (full-page PNG), A4 PDF and rendered DOM records for every HTML page, not only rendered ones
ARCHIVE_SCREENSHOT = False
# the real Chromium binary (empty: Debian's, found with `dpkg -L chromium`)
ARCHIVE_RENDER_CHROMIUM = ""
# renders at once (one browser per crawl)
ARCHIVE_RENDER_CONCURRENCY = 2
# browser contexts kept (one per site, least recently used closed first)
ARCHIVE_RENDER_CONTEXTS = 8
# seconds a render may take, plus 10 x DOWNLOAD_DELAY (each browser request waits its turn)
ARCHIVE_RENDER_TIMEOUT = 30.0
# seconds with no request in flight, after `load`, before a rendered page is done (a profile's
# `render_selector` ends the wait as soon as that element is in the page)
ARCHIVE_RENDER_IDLE = 0.1
# CSS selector: a rendered page is done as soon as it holds this element (a profile's
# `render_selector`, meta `archive_render_selector`, wins); empty: `load` and network idle decide
ARCHIVE_RENDER_SELECTOR = ""
# what is kept of every rendered page beside its exchanges: any of screenshot (full-page PNG), pdf
# (A4), dom (the rendered HTML), comma-separated; "" keeps only the exchanges and the provenance.
# The PNG and the PDF cost about a quarter of a second of CPU each (docs/rendering.md)
ARCHIVE_RENDER_SNAPSHOTS = "screenshot,pdf,dom"
# challenge answers to the main frame before a page is "rendered, still challenged"
ARCHIVE_RENDER_MAX_ROUNDS = 4
# navigations per seed after its first page: main-frame navigations of its renders (reloads, redirect
# hops, script navigations), meta refreshes and frames followed, redirect hops; the one past it is not
# followed (`navigation-limit`, a failure of kind `limit`)
ARCHIVE_RENDER_MAX_NAVIGATIONS = 20
# MB per renderer process: its JavaScript heap cap, and the resident memory it is killed at
# (`memory-limit`); 0: no cap
ARCHIVE_RENDER_MEMORY_MB = 1024
# (url, status, headers, body) -> challenge or None: which answers need the browser
ARCHIVE_RENDER_DETECTOR = "pipelines.extraction.render_detect.challenge_of"

# Media: video and audio of archived pages (docs/media.md)
# Media linked from a page (`<video>`, `<audio>`, `<source>`, poster, `<track>`, og:video, JSON-LD
# contentUrl, WeChat voice and video) is fetched one hop from the page, its body spooled to a file
# and streamed into the WARC, never held whole in memory. HLS/DASH manifests are followed to their
# segments, init segments and keys.

# Fetch the media of archived pages at all (False: the pages only).
ARCHIVE_MEDIA_ENABLED = True
# Every variant of an HLS/DASH stream is fetched, not only the best (needed for streams to replay).
ARCHIVE_MEDIA_ALL_VARIANTS = False
# a media body that stops coming for this many seconds ends there (kept, WARC-Truncated: time; 0: off)
ARCHIVE_MEDIA_IDLE_TIMEOUT = 60.0
# Seconds between two fetches of a live playlist.
ARCHIVE_MEDIA_LIVE_INTERVAL = 5.0
# How many times a live playlist is fetched.
ARCHIVE_MEDIA_LIVE_ROUNDS = 3
# A media answer up to this many bytes is kept in memory to be read as a manifest.
ARCHIVE_MEDIA_MANIFEST_MAX_SIZE = 4 * 1024 * 1024
# Segments fetched per playlist at most (0: all).
ARCHIVE_MEDIA_MAX_SEGMENTS = 5000
# A media body is cut at this many bytes (WARC-Truncated: length, named in the run summary; 0: no limit).
ARCHIVE_MEDIA_MAX_SIZE = 4 * 1024 * 1024 * 1024
# Levels of playlists followed (a master playlist and the variant playlists it names: 2).
ARCHIVE_MEDIA_PLAYLIST_DEPTH = 2
# Seconds one media fetch may take; replaces DOWNLOAD_TIMEOUT for media (a body cut by it is
# WARC-Truncated: time, and the fetch is a failure of the run).
ARCHIVE_MEDIA_TIMEOUT = 1800.0
# Media on these hosts gets WeChat's Referer, as WECHAT_IMAGE_HOSTS do.
WECHAT_MEDIA_HOSTS = ["mpvideo.qpic.cn", "res.wx.qq.com"]
# Player iframes/embeds on these hosts (and their subdomains) are captured and, with the optional
# `media` extra (yt-dlp) and ARCHIVE_MEDIA_EMBEDS_RESOLVE, resolved to their video, which the crawl
# fetches itself (scrapers/embeds.py).
ARCHIVE_MEDIA_EMBED_HOSTS = [
    "v.qq.com",
    "bilibili.com",
    "weibo.com",
    "weibo.cn",
    "cctv.com",
    "cntv.cn",
    "youku.com",
    "ixigua.com",
    "douyin.com",
    "iqiyi.com",
    "miaopai.com",
    "youtube.com",
    "youtube-nocookie.com",
]
# Platform players on ARCHIVE_MEDIA_EMBED_HOSTS are resolved to their video with yt-dlp (when the
# `media` extra is installed).
ARCHIVE_MEDIA_EMBEDS_RESOLVE = True
# where a voice message (`<mpvoice voice_encode_fileid=…>`) is fetched: WeChat's own player URL + the id
WECHAT_VOICE_URL = "https://res.wx.qq.com/voice/getvoice?mediaid="

# Import: other tools' WARC and WACZ files (`import FILE…`, docs/web-archives.md)
# A file over a limit is refused whole and nothing of it is kept. 0: no limit.

# Bytes one imported record may inflate to (header and block).
ARCHIVE_IMPORT_MAX_RECORD_SIZE = 8 * 1024 * 1024 * 1024
# Bytes of a file given to import, and of each WARC inside a WACZ (as it inflates).
ARCHIVE_IMPORT_MAX_FILE_SIZE = 64 * 1024 * 1024 * 1024
# How many times a gzip member or WACZ member may inflate, judged past its first MiB (a bomb).
ARCHIVE_IMPORT_MAX_RATIO = 200
# Imported responses whose record is bigger than this are indexed but their text is not extracted.
ARCHIVE_IMPORT_MAX_EXTRACT_SIZE = 16 * 1024 * 1024

# Network: reach every cited server, and only those (docs/network.md)

# Private, loopback, link-local, CGNAT, multicast and unspecified addresses are refused after DNS
# resolution: false, true, or comma-separated networks to allow ("127.0.0.0/8"). The environment
# variable ARCHIVE_ALLOW_PRIVATE is read when no setting gives a value.
ARCHIVE_ALLOW_PRIVATE = False
# Vantage point: http://, https://, socks5:// or socks5h:// proxy URL for every fetch ("" = direct;
# the environment variable ARCHIVE_PROXY too). The password comes from ARCHIVE_PROXY_PASSWORD.
ARCHIVE_PROXY = ""
# recheck: a source blocked or unreachable from the first vantage point is fetched again through
# this one before it is reported ("" = none; the environment variable too).
ARCHIVE_PROXY_FALLBACK = ""
# After a failed TLS handshake, try a legacy context (TLS 1.0+, SECLEVEL 0, legacy renegotiation,
# then without SNI) for that host; recorded in the capture's metadata.
ARCHIVE_TLS_LEGACY = True


def apply_defaults(settings: BaseSettings) -> None:
    """Put these defaults into a Scrapy Settings object at "default" priority (never overriding)."""
    for name, value in globals().items():
        if name.isupper():
            settings.set(name, value, priority="default")


# Other web archives: recover, Robust Links, push (docs/web-archives.md)

# Memento TimeMap prefixes, comma-separated; the original URL is appended. `cdx:CDX|REPLAY` entries
# ask a Wayback CDX API instead. Defaults: the Internet Archive's Wayback Machine and archive.today.
ARCHIVE_MEMENTO_ENDPOINTS = "https://web.archive.org/web/timemap/link/,https://archive.ph/timemap/"
ARCHIVE_MEMENTO_MAX_PER_URL = 3  # the latest N mementos of each URL are fetched (0: all)
ARCHIVE_MEMENTO_TIMEOUT = 30.0  # seconds per TimeMap / CDX request
ARCHIVE_MEMENTO_RETRIES = 2  # tries again after 429/503, waiting Retry-After
ARCHIVE_MEMENTO_MAX_WAIT = 60.0  # a longer Retry-After gives up on that endpoint for this run
ARCHIVE_MEMENTO_MAX_PAGES = 10  # pages of a paged TimeMap read at most
# where our own copies replay, for Robust Links (`sourcekeeper replay` serves this by default)
ARCHIVE_REPLAY_BASE_URL = "http://127.0.0.1:8090/archive/"
# push for corroboration: Save-Page-Now-style prefixes (URL appended), comma-separated; empty = off
ARCHIVE_PUSH_ENDPOINTS = ""
ARCHIVE_PUSH_TIMEOUT = 60.0  # seconds per push request

# Unattended operation (docs/unattended-operation.md)

# A worker's JSON heartbeat line every this many seconds (0: none; `worker --log-format json`
# sets it from --heartbeat, default 60).
WORKER_HEARTBEAT = 0.0
