"""Staff accounts for the console: argon2 password hashes, sessions, throttled sign-in.

There is no default account: accounts are created by an operator command. The
session cookie carries a random token; only its SHA-256 is stored, so a leaked
database does not open sessions. Each session has its own CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from catalog.errors import CatalogError
from catalog.models import LoginAttempt, Staff, StaffSession

ROLES = ("broker", "admin")
MIN_PASSWORD = 12
SESSION_LIFETIME = dt.timedelta(hours=12)
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class StaffError(CatalogError):
    """An account cannot be created or changed as asked."""


class TooManyAttempts(CatalogError):
    """Sign-in is refused for a while after repeated failures."""


@dataclass(frozen=True)
class StaffMember:
    """A signed-in staff member as the console sees them."""

    id: int
    email: str
    name: str
    role: str
    language: str
    csrf_token: str


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_staff(session: Session, *, email: str, password: str, role: str, name: str = "",
              language: str = "en") -> Staff:
    """Create an account.

    Raises:
        StaffError: bad role, weak password, malformed or already used e-mail.
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise StaffError("not an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"the password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(Staff.id).where(Staff.email == email)) is not None:
        raise StaffError("an account with this e-mail already exists")
    staff = Staff(email=email, name=name.strip()[:200], role=role, language=language[:2],
                  password_hash=_HASHER.hash(password), active=True)
    session.add(staff)
    session.flush()
    return staff


def set_password(session: Session, *, email: str, password: str) -> None:
    """Replace an account's password and end its sessions.

    Raises:
        StaffError: unknown account or weak password.
    """
    staff = session.scalar(select(Staff).where(Staff.email == email.strip().lower()))
    if staff is None:
        raise StaffError("no such account")
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"the password needs at least {MIN_PASSWORD} characters")
    staff.password_hash = _HASHER.hash(password)
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))


def link_telegram(session: Session, *, email: str, telegram_user_id: int | None) -> None:
    """Let an account answer from the Telegram staff group (None unlinks it).

    Raises:
        StaffError: unknown account, or the Telegram account is linked to another one.
    """
    staff = session.scalar(select(Staff).where(Staff.email == email.strip().lower()))
    if staff is None:
        raise StaffError("no such account")
    value = None if telegram_user_id is None else str(int(telegram_user_id))
    if value is not None and session.scalar(select(Staff.id).where(
            Staff.telegram_user_id == value, Staff.id != staff.id)) is not None:
        raise StaffError("this Telegram account is linked to another staff account")
    staff.telegram_user_id = value


def by_telegram(session: Session, telegram_user_id: int) -> Staff | None:
    """Return the active account linked to a Telegram user."""
    return session.scalar(select(Staff).where(Staff.telegram_user_id == str(telegram_user_id),
                                              Staff.active.is_(True)))


def display_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Return how each staff member of ``ids`` is shown: the name, else the e-mail."""
    if not ids:
        return {}
    rows = session.execute(select(Staff.id, Staff.name, Staff.email).where(Staff.id.in_(ids)))
    return {i: name or email for i, name, email in rows}


def list_staff(session: Session) -> list[Staff]:
    """Return every account, by e-mail."""
    return list(session.scalars(select(Staff).order_by(Staff.email)))


def sign_in(session: Session, *, email: str, password: str, client: str,
            now: dt.datetime | None = None) -> tuple[str, StaffMember] | None:
    """Check a password; return (cookie token, member) or None when it is wrong.

    Raises:
        TooManyAttempts: too many recent failures for this e-mail or this client.
    """
    now = _now(now)
    email = email.strip().lower()[:254]
    client = client[:64]
    since = now - FAILURE_WINDOW
    failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.created_at >= since,
        (LoginAttempt.email == email) | (LoginAttempt.client == client)))
    if (failures or 0) >= MAX_FAILURES:
        raise TooManyAttempts(email)
    staff = session.scalar(select(Staff).where(Staff.email == email, Staff.active.is_(True)))
    try:
        _HASHER.verify(staff.password_hash if staff else _DUMMY_HASH, password)
        ok = staff is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or staff is None:
        session.add(LoginAttempt(email=email, client=client, created_at=now))
        return None
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_digest(token), staff_id=staff.id, csrf_token=csrf,
                             created_at=now, expires_at=now + SESSION_LIFETIME))
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return token, _member(staff, csrf)


def _member(staff: Staff, csrf: str) -> StaffMember:
    return StaffMember(staff.id, staff.email, staff.name or staff.email, staff.role,
                       staff.language, csrf)


def member_for(session: Session, token: str | None, *, now: dt.datetime | None = None
               ) -> StaffMember | None:
    """Return who a session cookie belongs to, or None if it is unknown or expired."""
    if not token or len(token) > 200:
        return None
    row = session.get(StaffSession, _digest(token))
    if row is None or row.expires_at <= _now(now):
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    return _member(staff, row.csrf_token)


def sign_out(session: Session, token: str | None) -> None:
    """End a session."""
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))
