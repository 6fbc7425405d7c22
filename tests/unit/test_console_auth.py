"""Signing in to the staff console: sessions, refusals, throttling, CSRF on every form."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.web.app import create_app
from catalog.models import Conversation
from ops.supervisor import free_port
from tests.support.console import PASSWORD, add_staff, csrf_of, sign_in, waiting_conversation


@pytest.fixture
def app(settings_factory):
    """The bot's app on a fresh SQLite database (no Rasa needed: the console never calls it)."""
    return create_app(settings_factory(RASA_URL=f"http://127.0.0.1:{free_port()}"))


@pytest.fixture
def sessions(app):
    return app.state.core.store.sessions


def _state(sessions, cid: str) -> tuple[str, int | None]:
    with sessions() as session:
        row = session.get(Conversation, cid)
        return row.state, row.assigned_to


def test_pages_send_anonymous_visitors_to_the_login_page(app):
    client = TestClient(app)
    for path in ("/console/", "/console/cases", "/console/overview", "/console/canned",
                 "/console/conversations/abc", "/console/cases/export?format=csv",
                 "/console/queue/rows"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/console/login?next=%2Fconsole%2F")
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/"


def test_anonymous_post_changes_nothing(app, sessions):
    cid = waiting_conversation(sessions)
    response = TestClient(app).post(f"/console/conversations/{cid}/take", data={"csrf": "x"},
                                    follow_redirects=False)
    assert response.status_code == 401
    assert _state(sessions, cid) == ("waiting", None)


def test_sign_in_opens_a_session_with_a_strict_cookie(app, sessions):
    add_staff(sessions, "maria@iesmed.example", name="Maria")
    client = TestClient(app)
    form = client.get("/console/login")
    response = client.post("/console/login", follow_redirects=False, data={
        "email": "Maria@iesmed.example", "password": PASSWORD, "csrf": csrf_of(form.text),
        "next": "/console/cases"})
    assert response.status_code == 303
    assert response.headers["location"] == "/console/cases"
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith("iesmed_console="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # development and tests run over plain HTTP
    page = client.get("/console/")
    assert page.status_code == 200 and "Signed in as Maria" in page.text


def test_sign_in_never_sends_visitors_to_another_site(app, sessions):
    add_staff(sessions, "maria@iesmed.example")
    client = TestClient(app)
    form = client.get("/console/login")
    response = client.post("/console/login", follow_redirects=False, data={
        "email": "maria@iesmed.example", "password": PASSWORD, "csrf": csrf_of(form.text),
        "next": "//evil.example/console/"})
    assert response.headers["location"] == "/console/"


def test_production_cookies_are_secure(settings_factory):
    settings = settings_factory(IESMED_ENV="production",
                                STAFF_CONSOLE_SECRET="a-real-secret-of-some-length",
                                RASA_TOKEN="another-real-secret-of-some-length",
                                RASA_URL=f"http://127.0.0.1:{free_port()}")
    app = create_app(settings)
    add_staff(app.state.core.store.sessions, "maria@iesmed.example")
    client = TestClient(app, base_url="https://testserver")
    form = client.get("/console/login")
    assert "Secure" in form.headers["set-cookie"]
    response = client.post("/console/login", follow_redirects=False, data={
        "email": "maria@iesmed.example", "password": PASSWORD, "csrf": csrf_of(form.text)})
    session_cookie = next(c for c in response.headers.get_list("set-cookie")
                          if c.startswith("iesmed_console="))
    assert "Secure" in session_cookie


@pytest.mark.parametrize("email", ["maria@iesmed.example", "nobody@iesmed.example"])
def test_wrong_password_or_unknown_account_get_the_same_refusal(app, sessions, email):
    add_staff(sessions, "maria@iesmed.example")
    client = TestClient(app)
    form = client.get("/console/login")
    response = client.post("/console/login", follow_redirects=False, data={
        "email": email, "password": "not the password", "csrf": csrf_of(form.text)})
    assert response.status_code == 401
    assert "The e-mail or the password is not right." in response.text
    assert not any(c.startswith("iesmed_console=") for c in
                   response.headers.get_list("set-cookie"))
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_repeated_failures_are_throttled_even_with_the_right_password(app, sessions):
    add_staff(sessions, "maria@iesmed.example")
    client = TestClient(app)
    for _ in range(5):
        form = client.get("/console/login")
        client.post("/console/login", data={"email": "maria@iesmed.example",
                                            "password": "guess", "csrf": csrf_of(form.text)})
    form = client.get("/console/login")
    response = client.post("/console/login", follow_redirects=False, data={
        "email": "maria@iesmed.example", "password": PASSWORD, "csrf": csrf_of(form.text)})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_login_form_without_its_token_is_refused(app, sessions):
    add_staff(sessions, "maria@iesmed.example")
    client = TestClient(app)
    client.get("/console/login")
    response = client.post("/console/login", follow_redirects=False, data={
        "email": "maria@iesmed.example", "password": PASSWORD, "csrf": "forged"})
    assert response.status_code == 403
    assert client.get("/console/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("sent", [None, "", "wrong-token"])
def test_actions_without_the_right_csrf_token_are_refused(app, sessions, sent):
    add_staff(sessions, "maria@iesmed.example")
    cid = waiting_conversation(sessions)
    client = TestClient(app)
    sign_in(client, "maria@iesmed.example")
    data = {} if sent is None else {"csrf": sent}
    for action in ("take", "note", "reply"):
        response = client.post(f"/console/conversations/{cid}/{action}",
                               data={**data, "text": "hello"}, follow_redirects=False)
        assert response.status_code == 403
        assert "did not come from the console" in response.text
    assert _state(sessions, cid) == ("waiting", None)
    page = client.get(f"/console/conversations/{cid}")
    assert "hello" not in page.text


def test_csrf_token_of_another_session_is_refused(app, sessions):
    add_staff(sessions, "maria@iesmed.example")
    add_staff(sessions, "omar@iesmed.example")
    cid = waiting_conversation(sessions)
    maria, omar = TestClient(app), TestClient(app)
    sign_in(maria, "maria@iesmed.example")
    omars_token = sign_in(omar, "omar@iesmed.example")
    response = maria.post(f"/console/conversations/{cid}/take", data={"csrf": omars_token},
                          follow_redirects=False)
    assert response.status_code == 403
    assert _state(sessions, cid) == ("waiting", None)


def test_signing_out_ends_the_session(app, sessions):
    add_staff(sessions, "maria@iesmed.example")
    client = TestClient(app)
    token = sign_in(client, "maria@iesmed.example")
    cookie = client.cookies.get("iesmed_console")
    response = client.post("/console/logout", data={"csrf": token}, follow_redirects=False)
    assert response.headers["location"] == "/console/login"
    stale = TestClient(app, cookies={"iesmed_console": cookie})
    assert stale.get("/console/", follow_redirects=False).status_code == 303


def test_the_console_speaks_the_brokers_language_right_to_left_in_arabic(app, sessions):
    add_staff(sessions, "layla@iesmed.example", language="ar", name="Layla")
    client = TestClient(app)
    sign_in(client, "layla@iesmed.example")
    page = client.get("/console/")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "Queue" not in page.text and "Sign out" not in page.text


def test_console_pages_forbid_framing_and_foreign_scripts(app, sessions):
    add_staff(sessions, "maria@iesmed.example")
    client = TestClient(app)
    sign_in(client, "maria@iesmed.example")
    headers = client.get("/console/").headers
    assert headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in headers["content-security-policy"]


def test_oversized_or_odd_form_posts_are_refused_before_anything_is_read(app):
    client = TestClient(app)
    big = client.post("/console/login", content=b"email=" + b"a" * 200_000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413
    fields = "&".join(f"f{i}=x" for i in range(500))
    many = client.post("/console/login", content=fields.encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert many.status_code == 400
    upload = client.post("/console/login", files={"email": ("a.txt", b"x")})
    assert upload.status_code == 415
