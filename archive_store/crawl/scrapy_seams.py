"""Every place the archive reaches into Scrapy's private parts or changes what Scrapy does, with
the reason. Nothing else in the project does either; `tests/test_scrapy_seams.py` runs
`seam_problems()` so that a Scrapy upgrade that moves one of them breaks a test, not a crawl.

Private classes and attributes used (archive_store.crawl.capture.handler):
- `HTTP11DownloadHandler._pool._factory`: the handler's connection pool builds its protocols from
  `_LenientHTTP11ClientFactory`; ours is a subclass whose protocol tees the bytes on the connection
  (the only place the exact bytes exist: above it, Twisted de-chunks and the middlewares decode).
- `_LenientHTTP11ClientProtocol(quiescentCallback)`: subclassed to tape each request/response.
- `_ScrapyAgent(**AGENT_ARGUMENTS)`, built per request exactly as `HTTP11DownloadHandler.
  download_request` builds it, from the handler attributes in `HANDLER_ATTRIBUTES`;
  `_ScrapyAgent._cb_bodyready(txresponse, request)` is overridden to keep the tape of a response
  whose body then fails.
- `scrapy.utils._download_handlers.wrap_twisted_exceptions` / `get_dataloss_msg`: the same error
  translation Scrapy's own handler applies.
- `_ScrapyAgent._get_agent(request, timeout)` is overridden (issue 16): a direct or SOCKS5
  connection goes through `endpoints.CheckedAgent`, a subclass of `http11._BindAddressAgent` whose
  Twisted `_StandardEndpointFactory` (private to twisted.web.client) is replaced by one that checks
  the private-address policy after resolution; HTTP(S) proxies keep Scrapy's own agents.
- `scrapy.core.downloader.contextfactory._ScrapyClientContextFactory`: subclassed by
  `tlspolicy.ArchiveContextFactory` for the per-host legacy-TLS fallback, and
  `scrapy.utils._download_handlers.normalize_bind_address` as Scrapy's agent uses it.

Private classes and attributes used for media bodies (archive_store.crawl.capture.mediastream, issue 18):
- `_ResponseReader(**READER_ARGUMENTS)` subclassed so a media body is not kept in memory: its
  `_bodybuf` is replaced by a capped buffer, `dataReceived` stops at our size limit, read from
  `_bytes_received` and `_finished`, and `_finish_response(flags, stop_download)` ends it.
- `_ScrapyAgent._cancel`, `_fail_on_dataloss`, `_crawler`, `_tls_verbose_logging`, `_txresponse`:
  what `_cb_bodyready` uses to deliver a body, used the same way for a spooled one.

Private parts used to stop promptly (archive_store.crawl.stopping, `drop_queued_downloads`):
- `Downloader.slots[key].queue`: the (request, Deferred) pairs waiting in a site's slot for a
  free connection and the site's download delay. Scrapy's graceful stop waits for every one of them
  to be fetched; a prompt stop errbacks each Deferred instead (the request then takes the path of a
  failed download: middlewares' process_exception, the request's errback), and cancels the slot's
  pending delay call (`Slot.close()`).
- `CrawlerProcess._signal_shutdown` / `_signal_kill` (sourcekeeper.jobs.runner): overridden, calling
  Scrapy's own, to begin the prompt stop on the first signal and to note the second.

Behaviour changed (archive_store.crawl.addon calls these):
- `quiet_offline_tldextract`: the one monkeypatch — see its docstring.
- `leave_out_remote_control`: a settings change, not a patch — see its docstring.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"

# the keyword arguments archive_store.crawl.capture.handler passes to _ScrapyAgent, and the handler
# attributes it copies them from (and the ones it reads besides)
AGENT_ARGUMENTS = {
    "contextFactory": "_contextFactory",
    "bindAddress": "_bind_address",
    "pool": "_pool",
    "maxsize": "_default_maxsize",
    "warnsize": "_default_warnsize",
    "fail_on_dataloss": "_fail_on_dataloss",
    "crawler": "_crawler",
    "tls_verbose_logging": "_tls_verbose_logging",
}
HANDLER_ATTRIBUTES = (*AGENT_ARGUMENTS.values(), "_fail_on_dataloss_warned")
# what archive_store.crawl.capture.mediastream passes to _ResponseReader, and what it reads of it
# and the agent
READER_ARGUMENTS = (
    "finished",
    "txresponse",
    "request",
    "maxsize",
    "warnsize",
    "fail_on_dataloss",
    "crawler",
    "tls_verbose_logging",
)
READER_ATTRIBUTES = ("_bodybuf", "_bytes_received", "_finished")
AGENT_ATTRIBUTES = ("_fail_on_dataloss", "_crawler", "_tls_verbose_logging", "_txresponse")


def quiet_offline_tldextract() -> None:
    """Scrapy's cookie middleware builds a TLDExtract that downloads the public-suffix list on first
    use; offline that logs tracebacks before it falls back to the bundled copy. Use the bundled copy
    from the start (the list changes rarely; cookies on gov sites do not depend on new suffixes)."""
    from scrapy.downloadermiddlewares import cookies  # noqa: PLC0415
    from tldextract import TLDExtract  # noqa: PLC0415

    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def leave_out_remote_control(settings: BaseSettings) -> None:
    """Scrapy 2.19 imports every extension named in EXTENSIONS_BASE and EXTENSIONS, disabled or
    not, so the remote control's aiohttp web server was imported to find out it is off: 0.12 to
    0.35 s of every crawl's start. Unless REMOTE_CONTROL_ENABLED is on, it is taken out of the base
    (an entry of None in EXTENSIONS does not help: that path is imported too)."""
    if settings.getbool("REMOTE_CONTROL_ENABLED"):
        return
    base = settings.getdict("EXTENSIONS_BASE")
    if base.pop(REMOTE_CONTROL, None) is not None:
        settings.set("EXTENSIONS_BASE", base, priority="addon")


def drop_queued_downloads(downloader: Any, error: type[Exception]) -> int:
    """Fail every request waiting in the downloader's slots with `error()` (never those being
    fetched); returns how many."""
    dropped = 0
    for slot in list(downloader.slots.values()):
        slot.close()  # the slot's pending delay call
        while slot.queue:
            _request, waiting = slot.queue.popleft()
            waiting.errback(error())
            dropped += 1
    return dropped


def seam_problems() -> list[str]:
    """What no longer matches in the installed Scrapy: one line per seam that moved."""
    from scrapy.core.downloader.handlers import http11  # noqa: PLC0415
    from scrapy.downloadermiddlewares import cookies  # noqa: PLC0415

    problems: list[str] = []
    for name in ("_LenientHTTP11ClientFactory", "_LenientHTTP11ClientProtocol", "_ScrapyAgent"):
        if not hasattr(http11, name):
            problems.append(f"scrapy.core.downloader.handlers.http11.{name} is gone")
    if problems:
        return problems
    # the keywords Scrapy's own handler passes when it builds the agent
    scrapy_passes = _agent_keywords(inspect.getsource(http11.HTTP11DownloadHandler.download_request))
    if scrapy_passes != set(AGENT_ARGUMENTS):
        problems.append(
            f"HTTP11DownloadHandler.download_request builds _ScrapyAgent with {sorted(scrapy_passes)}, "
            f"the capture with {sorted(AGENT_ARGUMENTS)}"
        )
    agent_params = set(inspect.signature(http11._ScrapyAgent.__init__).parameters)
    if not set(AGENT_ARGUMENTS) <= agent_params:
        problems.append(f"_ScrapyAgent.__init__ takes {sorted(agent_params - {'self'})}")
    body_ready = list(inspect.signature(http11._ScrapyAgent._cb_bodyready).parameters)
    if body_ready[:3] != ["self", "txresponse", "request"]:
        problems.append(
            f"_ScrapyAgent._cb_bodyready takes {body_ready}, capture overrides (txresponse, request)"
        )
    protocol_params = list(inspect.signature(http11._LenientHTTP11ClientProtocol.__init__).parameters)
    if protocol_params[:2] != ["self", "quiescentCallback"]:
        problems.append(f"_LenientHTTP11ClientProtocol.__init__ takes {protocol_params}")
    # read from the source (building a handler needs a running reactor), over its base classes too
    init_source = "".join(
        inspect.getsource(vars(cls)["__init__"])
        for cls in http11.HTTP11DownloadHandler.__mro__
        if "__init__" in vars(cls) and cls.__module__.startswith("scrapy")
    )
    for attribute in HANDLER_ATTRIBUTES:
        if f"self.{attribute} =" not in init_source and f"self.{attribute}:" not in init_source:
            problems.append(f"HTTP11DownloadHandler no longer sets {attribute} in __init__")
    if "_LenientHTTP11ClientFactory" not in init_source or "_factory" not in init_source:
        problems.append(
            "HTTP11DownloadHandler.__init__ no longer sets its pool's _factory to the lenient one"
        )
    if not hasattr(http11._LenientHTTP11ClientFactory, "buildProtocol"):
        problems.append("_LenientHTTP11ClientFactory.buildProtocol is gone")
    problems += _stop_seam_problems()
    problems += _media_seam_problems(http11)
    problems += _connection_seam_problems(http11)
    if not hasattr(cookies, "_split_domain"):
        problems.append(
            "scrapy.downloadermiddlewares.cookies._split_domain is gone (quiet_offline_tldextract)"
        )
    return problems


def _stop_seam_problems() -> list[str]:
    """The seams of the prompt stop (see drop_queued_downloads)."""
    from scrapy.core.downloader import Downloader, Slot  # noqa: PLC0415
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    problems = []
    slot = Slot(1, 0.0)
    if not hasattr(slot, "queue") or not hasattr(slot.queue, "popleft") or not hasattr(slot, "close"):
        problems.append("scrapy.core.downloader.Slot has no queue deque or close() any more")
    if "self.slots" not in inspect.getsource(Downloader.__init__):
        problems.append("scrapy.core.downloader.Downloader no longer keeps its slots in .slots")
    if "slot.queue.append((request, " not in inspect.getsource(Downloader._enqueue_request):
        problems.append("Downloader._enqueue_request no longer queues (request, Deferred) pairs")
    for name in ("_signal_shutdown", "_signal_kill"):
        params = list(inspect.signature(getattr(CrawlerProcess, name, lambda: None)).parameters)
        if params[:2] != ["self", "signum"]:
            problems.append(f"CrawlerProcess.{name} is gone or takes {params}")
    return problems


def _media_seam_problems(http11: Any) -> list[str]:
    """The seams of archive_store.crawl.capture.mediastream (see the module docstring)."""
    reader = getattr(http11, "_ResponseReader", None)
    if reader is None:
        return ["scrapy.core.downloader.handlers.http11._ResponseReader is gone"]
    problems = []
    reader_params = set(inspect.signature(reader.__init__).parameters)
    if not set(READER_ARGUMENTS) <= reader_params:
        problems.append(f"_ResponseReader.__init__ takes {sorted(reader_params - {'self'})}")
    finish = list(inspect.signature(reader._finish_response).parameters)
    if finish != ["self", "flags", "stop_download"]:
        problems.append(f"_ResponseReader._finish_response takes {finish}")
    reader_source = inspect.getsource(reader.__init__)
    problems += [
        f"_ResponseReader no longer sets {name}"
        for name in READER_ATTRIBUTES
        if f"self.{name}" not in reader_source
    ]
    agent_source = inspect.getsource(http11._ScrapyAgent.__init__)
    problems += [
        f"_ScrapyAgent no longer sets {name}"
        for name in AGENT_ATTRIBUTES
        if f"self.{name}" not in agent_source
    ]
    if not hasattr(http11._ScrapyAgent, "_cancel"):
        problems.append("_ScrapyAgent._cancel is gone")
    return problems


def _connection_seam_problems(http11: Any) -> list[str]:
    """The seams of the private-address policy and the TLS fallback (issue 16)."""
    from scrapy.core.downloader import contextfactory  # noqa: PLC0415
    from scrapy.utils import _download_handlers  # noqa: PLC0415
    from twisted.web import client  # noqa: PLC0415

    problems = []
    checks = [
        (http11, "_BindAddressAgent"),
        (http11._ScrapyAgent, "_get_agent"),
        (contextfactory, "_ScrapyClientContextFactory"),
        (_download_handlers, "normalize_bind_address"),
        (client, "_StandardEndpointFactory"),
    ]
    for owner, name in checks:
        if not hasattr(owner, name):
            problems.append(f"{getattr(owner, '__name__', owner)}.{name} is gone")
    if hasattr(http11._ScrapyAgent, "_get_agent"):
        params = list(inspect.signature(http11._ScrapyAgent._get_agent).parameters)
        if params[:3] != ["self", "request", "timeout"]:
            problems.append(f"_ScrapyAgent._get_agent takes {params}, capture overrides (request, timeout)")
    return problems


def _agent_keywords(source: str) -> set[str]:
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_ScrapyAgent":
            return {kw.arg for kw in node.keywords if kw.arg}
    return set()
