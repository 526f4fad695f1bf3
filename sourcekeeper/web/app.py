"""The web view's routes (Starlette): each one checks who asks, calls one function of views.py and
renders a template. Every page works without JavaScript (there is none); archived strings are
escaped by the templates (autoescape), and every response carries a strict Content-Security-Policy.
"""

from __future__ import annotations

import getpass
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive_store.index.database import ArchiveIndex
from archive_store.index.sourcelist import STATE_ORDER
from archive_store.layout import CUSTODY_NAME
from sourcekeeper.urltext import shown
from sourcekeeper.web import views
from sourcekeeper.web.addjobs import JobRunner, Proposal, pasted_urls, report_citations
from sourcekeeper.web.auth import LoginLimiter, User, check_password, new_token, tokens_match
from sourcekeeper.web.i18n import LANGUAGES, choose, translator

HERE = Path(__file__).parent
MAX_UPLOAD = 50 * 1024 * 1024
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


@dataclass
class Settings:
    archive: Path
    db_url: str
    login: bool
    replay_port: int | None  # the replay origin's port (pywb), None when replay is off
    crawl_settings: list[tuple[str, str]] = field(default_factory=list)
    db_given: bool = False


class SecurityHeaders:
    """The headers every response of the application carries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every archived string is escaped, in every template
    )
    env.filters["shown"] = lambda url: shown(url) if url else ""
    env.filters["when"] = lambda t: "" if t is None else str(t)[:19].replace("T", " ")
    env.filters["stamp"] = views.replay_stamp
    return env


def create_app(settings: Settings, index: ArchiveIndex | None = None) -> Starlette:
    index = index or ArchiveIndex(settings.db_url, create=False)
    ctx = views.Context(settings.archive, index)
    templates = Jinja2Templates(env=_environment())
    limiter = LoginLimiter()
    runner = JobRunner(
        settings.archive, settings.db_url if settings.db_given else None, settings.crawl_settings
    )
    proposals: dict[str, Proposal] = {}
    local_name = getpass.getuser()

    def custody(event: str, user: User, **details: Any) -> None:
        from archive_store.evidence.fixity import CustodyLog  # noqa: PLC0415

        CustodyLog(settings.archive / CUSTODY_NAME).record(f"web_{event}", account=user.name, **details)

    def current_user(request: Request) -> User | None:
        if not settings.login:
            return User(local_name, "analyst")
        name = request.session.get("user")
        if not name:
            return None
        from archive_store.index.accounts import get_account  # noqa: PLC0415

        account = get_account(index, str(name))
        return User(account.name, account.role) if account else None

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = request.session["csrf"] = new_token()
        return str(token)

    def lang_of(request: Request) -> str:
        return choose(request.cookies.get("lang"), request.headers.get("accept-language"))

    def replay_base(request: Request) -> str | None:
        """The replay origin: another port, and on loopback another host name too, so the
        application's cookies are not even sent to it."""
        if settings.replay_port is None:
            return None
        host = (request.url.hostname or "127.0.0.1").lower()
        other = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(host, host)
        return f"http://{other}:{settings.replay_port}/archive/"

    def render(request: Request, name: str, user: User | None, status: int = 200, **values: Any) -> Response:
        lang = lang_of(request)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        values.update(
            request=request,
            user=user,
            login=settings.login,
            csrf=csrf_token(request),
            lang=lang,
            languages=LANGUAGES,
            _=translator(lang),
            here=here,
            replay=replay_base(request),
            urlencode=urlencode,
            quote=quote,
            archive=str(settings.archive),
        )
        return templates.TemplateResponse(request, name, values, status_code=status)

    def need(request: Request, role: str = "viewer") -> User:
        user = current_user(request)
        if user is None:
            raise HTTPException(
                303, headers={"Location": "/login?" + urlencode({"next": _local(str(request.url))})}
            )
        if not user.may(role):
            raise HTTPException(403, _forbidden(role))
        return user

    async def checked_form(request: Request) -> Any:
        """The posted form, if it carries this session's CSRF token (else 403)."""
        form = await request.form(max_part_size=MAX_UPLOAD)
        if not tokens_match(str(form.get("csrf") or ""), request.session.get("csrf")):
            raise HTTPException(
                403, "This form has expired or did not come from this site (no valid CSRF token)."
            )
        return form

    def int_arg(request: Request, name: str, default: int = 0) -> int:
        try:
            return max(int(request.query_params.get(name, default)), 0)
        except ValueError:
            return default

    # pages -------------------------------------------------------------------------------------
    async def sources(request: Request) -> Response:
        user = need(request)
        q = request.query_params
        report = q.get("report")
        page = await run_in_threadpool(
            views.sources_page,
            ctx,
            state=q.get("state") or None,
            site=q.get("site") or None,
            report=int(report) if report and report.isdigit() else None,
            profile=q.get("profile") or None,
            offset=int_arg(request, "offset"),
        )
        filters = {k: q.get(k, "") for k in ("state", "site", "report", "profile")}
        return render(request, "sources.html", user, page=page, filters=filters, states=STATE_ORDER)

    async def search(request: Request) -> Response:
        user = need(request)
        query = request.query_params.get("q", "")
        kind = request.query_params.get("kind") or None
        site = request.query_params.get("site") or None
        page = await run_in_threadpool(
            views.search_page,
            ctx,
            query,
            offset=int_arg(request, "offset"),
            kind=kind if kind in ("page", "document") else None,
            site=site,
        )
        return render(request, "search.html", user, page=page, query=query, kind=kind or "", site=site or "")

    async def source(request: Request) -> Response:
        user = need(request)
        url = request.query_params.get("url", "")
        if not url:
            return RedirectResponse("/", 303)
        timeline = await run_in_threadpool(views.source_timeline, ctx, url)
        captures = timeline["captures"]
        wanted = int_arg(request, "capture", -1)
        chosen = None
        if captures:
            ids = [c["id"] for c in captures]
            good = [c["id"] for c in captures if c["state"] == "ok" and not c["third_party"]]
            chosen_id = wanted if wanted in ids else (good[-1] if good else ids[-1])
            capture = await run_in_threadpool(views.capture_by_id, ctx, chosen_id)
            if capture is not None:
                chosen = await run_in_threadpool(views.capture_detail, ctx, capture)
        status = 200 if captures or timeline["entries"] else 404
        return render(request, "source.html", user, status, t=timeline, c=chosen)

    async def compare(request: Request) -> Response:
        user = need(request)
        a, b = int_arg(request, "a", -1), int_arg(request, "b", -1)
        result = await run_in_threadpool(views.compare_captures, ctx, a, b)
        if result is None:
            raise HTTPException(404, "No such captures to compare.")
        return render(request, "compare.html", user, r=result)

    async def diff_css(request: Request) -> Response:
        """The compare fragment's style (sourcekeeper.changes.html.STYLE), a stylesheet of the
        application's own origin, as its Content-Security-Policy (style-src 'self') wants."""
        from sourcekeeper.changes.html import FONTS, STYLE  # noqa: PLC0415

        css = f".capture-diff{{font-family:{FONTS}}}{STYLE}"
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def screenshot(request: Request) -> Response:
        need(request)
        png = await run_in_threadpool(views.screenshot_png, ctx, int(request.path_params["capture_id"]))
        if png is None:
            raise HTTPException(404, "No screenshot.")
        # an image, never a page: the archived bytes cannot run as a document here
        return Response(
            png, media_type="image/png", headers={"Content-Security-Policy": "default-src 'none'"}
        )

    # add ---------------------------------------------------------------------------------------
    async def add(request: Request) -> Response:
        user = need(request, "analyst")
        if request.method == "GET":
            return render(request, "add.html", user, error=None)
        form = await checked_form(request)
        upload = form.get("report")
        proposal_id = secrets.token_hex(8)
        error = None
        proposal = None
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            name = upload.filename
            try:
                found = await run_in_threadpool(report_citations, data, name, upload.content_type)
            except ValueError as exc:
                error = f"{name}: {exc}"
            else:
                path = runner.keep_upload(proposal_id, name, data)
                proposal = Proposal(proposal_id, [u for u, _ in found], path, name, dict(found))
        else:
            urls = pasted_urls(str(form.get("urls") or ""))
            if urls:
                proposal = Proposal(proposal_id, urls)
            else:
                error = "Paste at least one http(s) URL, or choose a report file."
        if proposal is None or error:
            return render(request, "add.html", user, 400, error=error or "The report cites no URL.")
        if not proposal.urls:
            return render(request, "add.html", user, 400, error="The report cites no URL.")
        proposals[proposal_id] = proposal
        return render(request, "confirm.html", user, proposal=proposal)

    async def confirm(request: Request) -> Response:
        user = need(request, "analyst")
        form = await checked_form(request)
        proposal = proposals.pop(str(form.get("proposal") or ""), None)
        if proposal is None:
            raise HTTPException(404, "This list was already started or has expired; add it again.")
        if proposal.report_file is None:  # pasted URLs: only those left ticked
            ticked = set(form.getlist("url"))
            proposal.urls = [u for u in proposal.urls if u in ticked]
            if not proposal.urls:
                return render(request, "add.html", user, 400, error="No URL was left ticked.")
        job = runner.start(proposal.id, user.name, proposal)
        custody("add_started", user, job=job.id, what=job.what, urls=proposal.urls[:200])
        return RedirectResponse(f"/jobs/{job.id}", 303)

    async def recheck(request: Request) -> Response:
        user = need(request, "analyst")
        form = await checked_form(request)
        url = str(form.get("url") or "")
        if not url.startswith(("http://", "https://")):
            raise HTTPException(400, "Not a URL to re-check.")
        job = runner.recheck(secrets.token_hex(8), user.name, url)
        custody("recheck_started", user, job=job.id, urls=[url])
        return RedirectResponse(f"/jobs/{job.id}", 303)

    async def job_page(request: Request) -> Response:
        user = need(request)
        job = runner.get(request.path_params["job_id"])
        if job is None:
            raise HTTPException(404, "No such job.")
        return render(request, "job.html", user, job=job, lines=await run_in_threadpool(job.lines))

    # export ------------------------------------------------------------------------------------
    async def export(request: Request) -> Response:
        user = need(request)
        q = request.query_params
        kind, url, report = q.get("kind", ""), q.get("url", ""), q.get("report", "")
        if not kind:
            reports = await run_in_threadpool(views.reports_list, index)
            return render(request, "export.html", user, reports=reports, url=url)
        if kind not in ("wacz", "bag", "robust", "manifest"):
            raise HTTPException(400, "Unknown export.")
        urls: list[str] = []
        if report.isdigit():
            urls = await run_in_threadpool(views.report_urls, index, int(report))
        elif url:
            urls = [url]
        elif kind != "bag":
            raise HTTPException(400, "Choose a source or a report.")
        from sourcekeeper.web import exports  # noqa: PLC0415

        folder = Path(tempfile.mkdtemp(prefix="sourcekeeper-export-", dir=runner.folder))
        try:
            path, media = await run_in_threadpool(
                exports.make_export, ctx, kind, urls, folder, replay_base(request) or "", report or None
            )
        except exports.ExportFailed as exc:
            raise HTTPException(400, str(exc)) from None
        custody("export", user, kind=kind, urls=urls[:200], report=report or None, file=None)
        return FileResponse(path, media_type=media, filename=path.name)

    # accounts ----------------------------------------------------------------------------------
    async def login(request: Request) -> Response:
        if not settings.login:
            return RedirectResponse("/", 303)
        next_url = _local(request.query_params.get("next", "/"))
        if request.method == "GET":
            return render(request, "login.html", None, error=None, next=next_url)
        form = await checked_form(request)
        name = str(form.get("name") or "")
        keys = (f"ip:{request.client.host if request.client else '?'}", f"name:{name}")
        wait = limiter.blocked_for(*keys)
        if wait:
            error = f"Too many failed logins: try again in {int(wait) + 1} seconds."
            return render(request, "login.html", None, 429, error=error, next=next_url)
        from archive_store.index.accounts import get_account  # noqa: PLC0415

        account = await run_in_threadpool(get_account, index, name)
        ok = await run_in_threadpool(
            check_password, account.password_hash if account else None, str(form.get("password") or "")
        )
        if not ok or account is None:
            limiter.failed(*keys)
            return render(request, "login.html", None, 401, error="Wrong name or password.", next=next_url)
        limiter.succeeded(*keys)
        request.session.clear()  # a new session (and CSRF token) at each login
        request.session["user"] = account.name
        request.session["csrf"] = new_token()
        custody("login", User(account.name, account.role), role=account.role)
        return RedirectResponse(next_url or "/", 303)

    async def logout(request: Request) -> Response:
        await checked_form(request)
        user = current_user(request)
        request.session.clear()
        if user is not None and settings.login:
            custody("logout", user)
        return RedirectResponse("/login" if settings.login else "/", 303)

    async def accounts(request: Request) -> Response:
        from archive_store.index.accounts import (  # noqa: PLC0415
            AccountError,
            add_account,
            list_accounts,
            remove_account,
        )
        from sourcekeeper.web.auth import hash_password  # noqa: PLC0415

        user = need(request, "admin")
        error = None
        if request.method == "POST":
            form = await checked_form(request)
            name = str(form.get("name") or "").strip()
            try:
                if form.get("action") == "remove":
                    await run_in_threadpool(remove_account, index, name)
                    custody("account_removed", user, name=name)
                else:
                    role, password = str(form.get("role") or ""), str(form.get("password") or "")
                    if not name or len(password) < 8:
                        raise AccountError("give a name and a password of at least 8 characters")
                    digest = await run_in_threadpool(hash_password, password)
                    await run_in_threadpool(add_account, index, name, role, digest)
                    custody("account_added", user, name=name, role=role)
            except AccountError as exc:
                error = str(exc)
        found = await run_in_threadpool(list_accounts, index)
        return render(request, "accounts.html", user, 400 if error else 200, accounts=found, error=error)

    async def language(request: Request) -> Response:
        lang = request.path_params["lang"]
        response = RedirectResponse(_local(request.query_params.get("next", "/")), 303)
        if lang in LANGUAGES:
            response.set_cookie("lang", lang, max_age=365 * 86400, httponly=True, samesite="strict")
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (301, 302, 303):
            return RedirectResponse((exc.headers or {}).get("Location", "/"), exc.status_code)
        try:
            user = current_user(request)
        except Exception:
            user = None
        return render(request, "error.html", user, exc.status_code, message=exc.detail)

    def guarded(
        endpoint: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        return endpoint

    routes = [
        Route("/", guarded(sources)),
        Route("/search", guarded(search)),
        Route("/source", guarded(source)),
        Route("/compare", guarded(compare)),
        Route("/diff.css", diff_css),
        Route("/screenshot/{capture_id:int}.png", guarded(screenshot)),
        Route("/add", guarded(add), methods=["GET", "POST"]),
        Route("/add/confirm", guarded(confirm), methods=["POST"]),
        Route("/recheck", guarded(recheck), methods=["POST"]),
        Route("/jobs/{job_id}", guarded(job_page)),
        Route("/export", guarded(export)),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/accounts", accounts, methods=["GET", "POST"]),
        Route("/lang/{lang}", language),
        Route("/robots.txt", lambda r: PlainTextResponse("User-agent: *\nDisallow: /\n")),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=secrets.token_urlsafe(32),  # sessions end with the server
            session_cookie="sourcekeeper_session",
            max_age=12 * 3600,
            same_site="strict",
            https_only=False,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
    app.state.runner = runner
    app.state.index = index
    return app


def _forbidden(role: str) -> str:
    return f"Your account may not do this: it needs the role {role}."


def _local(target: str) -> str:
    """Only a path on this site (never another site) to go back to after login."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")
