"""Plumbing shared by the console's pages: sign-in check, CSRF, database calls, rendering."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote

import jinja2
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.console.i18n import Texts, best_language
from bot.web.bodies import BadBody, read_body
from catalog import staff
from catalog.staff import StaffMember

PREFIX = "/console"
COOKIE = "iesmed_console"
TEMPLATES = Path(__file__).with_name("templates")
MAX_FORM_FIELDS = 50
MAX_FORM_BYTES = 64 * 1024  # a reply, a note or a canned text, with room to spare
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
T = TypeVar("T")
Handler = Callable[[Request, StaffMember], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


@cache
def environment() -> jinja2.Environment:
    """Return the template environment (autoescaping everything)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                              autoescape=jinja2.select_autoescape(default=True,
                                                                  default_for_string=True),
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True)


def session_factory(request: Request) -> sessionmaker[Session]:
    """Return the database session factory of the running app."""
    sessions: sessionmaker[Session] = request.app.state.core.store.sessions
    return sessions


async def db(request: Request, work: Callable[[Session], T], *, write: bool = False) -> T:
    """Run ``work`` with a session in a worker thread; commit when ``write``."""
    sessions = session_factory(request)

    def run() -> T:
        if write:
            with sessions.begin() as session:
                return work(session)
        with sessions() as session:
            return work(session)

    return await asyncio.to_thread(run)


def secure_cookies(request: Request) -> bool:
    """Tell whether cookies must be Secure (production serves the console over HTTPS)."""
    return bool(request.app.state.settings.environment == "production")


def texts(request: Request, lang: str) -> Texts:
    """Return the console texts in ``lang`` with times in the brokers' time zone."""
    return Texts(lang, request.app.state.settings.broker_timezone)


def changed(request: Request) -> None:
    """Wake live views and the delivery worker after a change."""
    request.app.state.pulse.notify()
    request.app.state.delivery.wake()


async def current_member(request: Request) -> StaffMember | None:
    """Return the signed-in staff member, or None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return await db(request, lambda s: staff.member_for(s, token))


async def form(request: Request) -> FormData:
    """Return the posted form: URL-encoded, at most MAX_FORM_BYTES, read once per request.

    Raises:
        HTTPException: 413 for an oversized body, 415 for anything but a URL-encoded form.
    """
    cached = getattr(request.state, "console_form", None)
    if isinstance(cached, FormData):
        return cached
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("", "application/x-www-form-urlencoded"):
        raise HTTPException(415, "a URL-encoded form is expected")
    try:
        body = await read_body(request, MAX_FORM_BYTES)
    except BadBody as exc:
        raise HTTPException(exc.status, exc.message) from exc
    try:
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                          max_num_fields=MAX_FORM_FIELDS)
    except ValueError as exc:
        raise HTTPException(400, "too many form fields") from exc
    data = FormData([(name, value) for name, value in pairs])
    request.state.console_form = data
    return data


def field(data: FormData, name: str) -> str:
    """Return a text field of a form ("" if missing or a file)."""
    value = data.get(name)
    return value if isinstance(value, str) else ""


def render(request: Request, template: str, *, lang: str, status: int = 200,
           member: StaffMember | None = None, **context: Any) -> HTMLResponse:
    """Render a page in ``lang`` with the console's security headers."""
    context.setdefault("csrf", member.csrf_token if member else "")
    page = environment().get_template(template).render(
        t=texts(request, lang), member=member, prefix=PREFIX, path=request.url.path, **context)
    return HTMLResponse(page, status_code=status, headers=HEADERS)


def redirect(url: str) -> RedirectResponse:
    """Redirect after a POST (or to the login page), always as a GET."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def refuse(request: Request, member: StaffMember | None, key: str, status: int) -> Response:
    """Answer with a short localised refusal page."""
    lang = member.language if member else best_language(request.headers.get("accept-language"))
    return render(request, "refused.html", lang=lang, status=status, member=member,
                  message_key=key)


def staff_only(*, admin: bool = False) -> Callable[[Handler], Endpoint]:
    """Let only signed-in staff (or administrators) in; check the CSRF token on every POST."""
    def decorate(handler: Handler) -> Endpoint:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            member = await current_member(request)
            if member is None:
                if request.method != "GET":
                    return refuse(request, None, "error_signed_out", 401)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return redirect(f"{PREFIX}/login?next={quote(target, safe='')}")
            if request.method == "POST":
                sent = field(await form(request), "csrf")
                if not secrets.compare_digest(sent.encode(), member.csrf_token.encode()):
                    return refuse(request, member, "error_csrf", 403)
            if admin and member.role != "admin":
                return refuse(request, member, "error_admin_only", 403)
            return await handler(request, member)
        return endpoint
    return decorate


def safe_next(target: str | None) -> str:
    """Return a console path to go to after signing in (never another site)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") \
            and "\\" not in target and "://" not in target:
        return target
    return PREFIX + "/"
