"""Helpers for the staff console tests: accounts, signing in, CSRF tokens, waiting users."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from catalog import handoff, staff
from catalog.models import Case, Conversation

PASSWORD = "a long passphrase"
_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"|name="csrf" value="([^"]*)"')


def add_staff(sessions: sessionmaker[Session], email: str, *, role: str = "broker",
              name: str = "", language: str = "en") -> int:
    """Create an account with the test password; return its id."""
    with sessions.begin() as session:
        return staff.add_staff(session, email=email, password=PASSWORD, role=role, name=name,
                               language=language).id


def csrf_of(html: str) -> str:
    """Return the CSRF token a console page carries."""
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; return the session's CSRF token."""
    form = client.get("/console/login")
    response = client.post("/console/login", data={
        "email": email, "password": password, "csrf": csrf_of(form.text),
        "next": "/console/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console/").text)


def waiting_conversation(sessions: sessionmaker[Session], *, language: str = "ar",
                         channel: str = "web", org_name: str | None = None,
                         reason: str = "user_request") -> str:
    """Create a conversation (with a case when ``org_name`` is given) queued for a broker."""
    cid = secrets.token_urlsafe(8)
    with sessions.begin() as session:
        session.add(Conversation(id=cid, channel=channel, language=language, state="bot"))
        session.flush()
        if org_name:
            session.add(Case(reference=f"IM-{secrets.token_hex(3).upper()}", conversation_id=cid,
                             channel=channel, language=language, status="new",
                             org_name=org_name, country="TN", need_category="funding",
                             original_words=["نريد قرضا لتعاونيتنا"]))
        handoff.escalate(session, cid, reason=reason)
    return cid
