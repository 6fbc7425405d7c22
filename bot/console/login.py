"""Signing in and out of the console.

The login form has no session yet, so its CSRF token is a double submit: a random
value in a short-lived cookie (HttpOnly, SameSite=Lax, Path=/console) that the
form must send back. Sessions themselves live in the database (catalog.staff).
"""

from __future__ import annotations

import logging
import secrets

from starlette.requests import Request
from starlette.responses import Response

from bot.console.i18n import best_language
from bot.console.web import (
    COOKIE,
    PREFIX,
    current_member,
    db,
    field,
    form,
    redirect,
    refuse,
    render,
    safe_next,
    secure_cookies,
    staff_only,
)
from catalog import staff
from catalog.staff import SESSION_LIFETIME, StaffMember, TooManyAttempts
from catalog.vocabulary import LANGUAGES

logger = logging.getLogger(__name__)
LOGIN_COOKIE = "iesmed_console_login"


def _language(request: Request) -> str:
    chosen = request.query_params.get("lang", "")
    return chosen if chosen in LANGUAGES else best_language(request.headers.get(
        "accept-language"))


def _login_form(request: Request, *, status: int = 200, message_key: str = "",
                email: str = "", target: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", lang=_language(request), status=status,
                      csrf=token, message_key=message_key, email=email,
                      next=safe_next(target or request.query_params.get("next")))
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, path=PREFIX, httponly=True,
                        samesite="lax", secure=secure_cookies(request))
    return response


async def login_page(request: Request) -> Response:
    """Show the sign-in form (or go to the queue when already signed in)."""
    if await current_member(request) is not None:
        return redirect(safe_next(request.query_params.get("next")))
    return _login_form(request)


async def login(request: Request) -> Response:
    """Check the password; open a session, or refuse without saying which part was wrong."""
    data = await form(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(field(data, "csrf").encode(),
                                                  expected.encode()):
        return refuse(request, None, "error_csrf", 403)
    email, target = field(data, "email")[:254], field(data, "next")
    client = request.client.host if request.client else "unknown"
    try:
        result = await db(request, lambda s: staff.sign_in(
            s, email=email, password=field(data, "password"), client=client), write=True)
    except TooManyAttempts:
        logger.warning("console: sign-in throttled for client %s", client)
        return _login_form(request, status=429, message_key="login_throttled", email=email,
                           target=target)
    if result is None:
        logger.info("console: sign-in refused for client %s", client)
        return _login_form(request, status=401, message_key="login_failed", email=email,
                           target=target)
    token, member = result
    logger.info("console: staff %s signed in", member.id)
    response = redirect(safe_next(target))
    response.set_cookie(COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()),
                        path=PREFIX, httponly=True, samesite="lax",
                        secure=secure_cookies(request))
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


@staff_only()
async def logout(request: Request, member: StaffMember) -> Response:
    """End the session and go back to the sign-in form."""
    token = request.cookies.get(COOKIE)
    await db(request, lambda s: staff.sign_out(s, token), write=True)
    response = redirect(f"{PREFIX}/login")
    response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="lax",
                           secure=secure_cookies(request))
    return response
