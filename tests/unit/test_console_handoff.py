"""Brokers handle conversations in the console: take, race, reply, release, hand back, close."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.core import locales
from bot.web.app import create_app
from catalog import outbox
from catalog.brief import isolate
from catalog.models import Case, Conversation, ConversationMessage, OutboxMessage
from ops.supervisor import free_port
from tests.support.console import add_staff, sign_in, waiting_conversation


@pytest.fixture
def app(settings_factory):
    """The bot's app on a fresh SQLite database; no lifespan, so queued messages stay queued."""
    return create_app(settings_factory(RASA_URL=f"http://127.0.0.1:{free_port()}"))


@pytest.fixture
def sessions(app):
    return app.state.core.store.sessions


@pytest.fixture
def brokers(app, sessions):
    """Maria and Omar, each signed in in a browser of their own: {name: (client, csrf, id)}."""
    signed = {}
    for name in ("Maria", "Omar"):
        email = f"{name.lower()}@iesmed.example"
        staff_id = add_staff(sessions, email, name=name)
        client = TestClient(app)
        signed[name] = (client, sign_in(client, email), staff_id)
    return signed


def _conversation(sessions, cid):
    with sessions() as session:
        return session.get(Conversation, cid)


def _messages(sessions, cid):
    with sessions() as session:
        rows = session.scalars(select(ConversationMessage)
                               .where(ConversationMessage.conversation_id == cid)
                               .order_by(ConversationMessage.id))
        return [(m.author, m.text) for m in rows]


def _post(broker, cid, action, **data):
    client, csrf, _id = broker
    return client.post(f"/console/conversations/{cid}/{action}", data={"csrf": csrf, **data},
                       follow_redirects=False)


def test_two_brokers_taking_at_once_exactly_one_wins_and_the_other_is_told(sessions, brokers):
    cid = waiting_conversation(sessions, language="ar")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def attempt(name: str) -> None:
        barrier.wait()
        results[name] = _post(brokers[name], cid, "take")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in brokers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [303, 409]
    winner = next(n for n, r in results.items() if r.status_code == 303)
    loser = next(n for n, r in results.items() if r.status_code == 409)
    assert "Another broker already took this conversation." in results[loser].text
    conversation = _conversation(sessions, cid)
    assert (conversation.state, conversation.assigned_to) == ("human", brokers[winner][2])
    # The user is told once, in Arabic, who joined.
    assert _messages(sessions, cid) == [
        ("notice", locales.text("handoff_joined", "ar", name=isolate(winner, "ar")))]
    page = brokers[winner][0].get(f"/console/conversations/{cid}")
    assert 'id="reply-text"' in page.text
    page = brokers[loser][0].get(f"/console/conversations/{cid}")
    assert 'id="reply-text"' not in page.text and f"Held by {winner}" in page.text


def test_only_the_broker_holding_the_conversation_can_reply(sessions, brokers):
    cid = waiting_conversation(sessions, language="fr")
    assert _post(brokers["Maria"], cid, "take").status_code == 303
    refused = _post(brokers["Omar"], cid, "reply", text="Bonjour, ici Omar")
    assert refused.status_code == 409
    assert "You do not hold this conversation" in refused.text
    done = _post(brokers["Maria"], cid, "reply", text="Bonjour <b>Coop</b>, ici Maria")
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/conversations/{cid}?done=done_sent"
    assert _messages(sessions, cid)[1:] == [("broker", "Bonjour <b>Coop</b>, ici Maria")]
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.status)
                               .where(OutboxMessage.kind == "broker")).all() == ["pending"]
    page = brokers["Maria"][0].get(done.headers["location"])
    assert "Reply queued for delivery." in page.text
    assert "Bonjour &lt;b&gt;Coop&lt;/b&gt;, ici Maria" in page.text
    assert "<b>Coop</b>" not in page.text
    assert 'badge--pending' in page.text


def test_an_empty_reply_is_refused_and_sends_nothing(sessions, brokers):
    cid = waiting_conversation(sessions, language="fr")
    _post(brokers["Maria"], cid, "take")
    response = _post(brokers["Maria"], cid, "reply", text="   ")
    assert response.status_code == 400
    assert [a for a, _t in _messages(sessions, cid)] == ["notice"]


def test_release_puts_the_conversation_back_and_tells_the_user(sessions, brokers):
    cid = waiting_conversation(sessions, language="tr")
    _post(brokers["Maria"], cid, "take")
    assert _post(brokers["Omar"], cid, "release").status_code == 409
    assert _post(brokers["Maria"], cid, "release").status_code == 303
    conversation = _conversation(sessions, cid)
    assert (conversation.state, conversation.assigned_to) == ("waiting", None)
    assert _messages(sessions, cid)[-1] == ("notice", locales.text("handoff_released", "tr"))
    assert _post(brokers["Omar"], cid, "take").status_code == 303


def test_hand_back_returns_the_user_to_the_assistant_in_their_language(sessions, brokers):
    cid = waiting_conversation(sessions, language="el", org_name="Κοινωνική Συνεταιριστική")
    _post(brokers["Maria"], cid, "take")
    assert _post(brokers["Maria"], cid, "hand_back").status_code == 303
    conversation = _conversation(sessions, cid)
    assert (conversation.state, conversation.assigned_to) == ("bot", None)
    assert _messages(sessions, cid)[-1] == ("notice", locales.text("handoff_returned", "el"))
    with sessions() as session:
        assert session.scalar(select(Case.status).where(Case.conversation_id == cid)) == "new"


def test_closing_with_an_outcome_updates_the_case_and_queues_the_notice(sessions, brokers):
    cid = waiting_conversation(sessions, language="ar", org_name="تعاونية الزيتون")
    _post(brokers["Maria"], cid, "take")
    assert _post(brokers["Maria"], cid, "close", outcome="made_up").status_code == 400
    assert _post(brokers["Omar"], cid, "close", outcome="referred").status_code == 409
    response = _post(brokers["Maria"], cid, "close", outcome="referred")
    assert response.status_code == 303
    with sessions() as session:
        case = session.scalar(select(Case).where(Case.conversation_id == cid))
        assert case.status == "referred"
        notice = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice")
                                 .order_by(OutboxMessage.id.desc())).first()
        assert (notice.text, notice.language) == (locales.text("handoff_returned", "ar"), "ar")
    assert _conversation(sessions, cid).state == "bot"
    page = brokers["Maria"][0].get(f"/console/cases/{case.reference}")
    assert "Referred to a partner" in page.text


def test_the_brief_is_in_the_brokers_language_with_the_users_own_words(app, sessions):
    add_staff(sessions, "lucia@iesmed.example", language="es")
    client = TestClient(app)
    sign_in(client, "lucia@iesmed.example")
    cid = waiting_conversation(sessions, language="ar", org_name="تعاونية الزيتون")
    page = client.get(f"/console/conversations/{cid}").text
    assert "Financiación" in page and "Túnez" in page  # need and country in Spanish
    assert "نريد قرضا لتعاونيتنا" in page
    assert "árabe" in page  # the user's language, named in Spanish


def test_failed_messages_show_and_can_be_retried(sessions, brokers):
    cid = waiting_conversation(sessions, language="en", channel="telegram")
    _post(brokers["Maria"], cid, "take")
    _post(brokers["Maria"], cid, "reply", text="Hello from Maria")
    with sessions.begin() as session:
        message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "broker"))
        outbox.mark_failed(session, message.id, "Forbidden: bot was blocked by the user")
        outbox_id = message.id
    page = brokers["Maria"][0].get(f"/console/conversations/{cid}").text
    assert "Not delivered" in page and 'name="outbox_id"' in page
    assert _post(brokers["Maria"], cid, "retry", outbox_id=str(outbox_id)).status_code == 303
    with sessions() as session:
        assert session.get(OutboxMessage, outbox_id).status == "pending"
    # A message of another conversation cannot be retried from this one.
    other = waiting_conversation(sessions)
    assert _post(brokers["Maria"], other, "retry", outbox_id=str(outbox_id)).status_code == 400


def test_notes_stay_internal(sessions, brokers):
    cid = waiting_conversation(sessions)
    assert _post(brokers["Omar"], cid, "note", text="Called them yesterday").status_code == 303
    page = brokers["Maria"][0].get(f"/console/conversations/{cid}").text
    assert "Called them yesterday" in page and "Omar" in page
    assert _messages(sessions, cid) == []


def test_only_administrators_assign(app, sessions, brokers):
    add_staff(sessions, "ana@iesmed.example", role="admin", name="Ana")
    admin = TestClient(app)
    admin_csrf = sign_in(admin, "ana@iesmed.example")
    cid = waiting_conversation(sessions, language="it")
    omar_id = brokers["Omar"][2]
    refused = _post(brokers["Maria"], cid, "assign", staff_id=str(omar_id))
    assert refused.status_code == 403
    assert _conversation(sessions, cid).state == "waiting"
    done = admin.post(f"/console/conversations/{cid}/assign",
                      data={"csrf": admin_csrf, "staff_id": str(omar_id)},
                      follow_redirects=False)
    assert done.status_code == 303
    conversation = _conversation(sessions, cid)
    assert (conversation.state, conversation.assigned_to) == ("human", omar_id)
    assert _messages(sessions, cid) == [
        ("notice", locales.text("handoff_joined", "it", name="Omar"))]


def test_queue_lists_waiting_conversations_oldest_first_with_filters(sessions, brokers):
    first = waiting_conversation(sessions, language="ar", org_name="تعاونية الزيتون")
    second = waiting_conversation(sessions, language="fr", channel="telegram",
                                  reason="sensitive")
    held = waiting_conversation(sessions, language="fr")
    _post(brokers["Omar"], held, "take")
    client = brokers["Maria"][0]
    page = client.get("/console/").text
    assert page.index(first) < page.index(second) < page.index(held)
    assert "Sensitive message" in page and "Held by Omar" in page and "Telegram" in page
    french = client.get("/console/queue/rows?language=fr&state=waiting").text
    assert second in french and first not in french and held not in french
    mine = brokers["Omar"][0].get("/console/queue/rows?mine=1").text
    assert held in mine and first not in mine


def test_canned_replies_in_the_users_language_and_admin_editing(app, sessions, brokers):
    cid = waiting_conversation(sessions, language="pt")
    _post(brokers["Maria"], cid, "take")
    page = brokers["Maria"][0].get(f"/console/conversations/{cid}").text
    assert 'class="canned__use"' in page
    assert brokers["Maria"][0].get("/console/canned").status_code == 403
    add_staff(sessions, "ana@iesmed.example", role="admin")
    admin = TestClient(app)
    csrf = sign_in(admin, "ana@iesmed.example")
    added = admin.post("/console/canned", data={
        "csrf": csrf, "key": "documents", "lang": "pt", "title": "Documentos",
        "text": "Pode enviar-nos os estatutos da cooperativa?"}, follow_redirects=False)
    assert added.status_code == 303
    page = brokers["Maria"][0].get(f"/console/conversations/{cid}").text
    assert "Pode enviar-nos os estatutos da cooperativa?" in page
    duplicate = admin.post("/console/canned", data={
        "csrf": csrf, "key": "documents", "lang": "pt", "title": "x", "text": "y"})
    assert duplicate.status_code == 400
    listing = admin.get("/console/canned").text
    reply_id = listing.split("/console/canned/")[1].split("/delete")[0]
    admin.post(f"/console/canned/{reply_id}/delete", data={"csrf": csrf})
    assert listing.count("/delete") - 1 == admin.get("/console/canned").text.count("/delete")
