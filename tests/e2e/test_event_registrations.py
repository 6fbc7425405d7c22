"""Event registration end to end: seats, the waiting list, promotion, reminders, calendar files.

Users talk to the real stack (bot, Rasa, action server) through the web chat API, or to
an in-process bot on Telegram or WhatsApp whose servers are replaced by recorders. Time
is moved forward by moving the event closer in the database the stack uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from telegram import Update

from bot.channels.telegram import build_application
from bot.config import Settings
from bot.web.app import build_core, create_app
from catalog import registrations
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import (
    Case,
    Conversation,
    Event,
    EventRegistration,
    EventTranslation,
    OutboxMessage,
)
from ops.rasa_project import language_responses
from ops.supervisor import free_port
from tests.e2e.test_intake import Chat
from tests.support.graph_api import GraphAPI, text_message
from tests.support.telegram_api import RecordingRequest, button_press, private_text

pytestmark = pytest.mark.e2e
RESPONSES = language_responses()
TITLES = {"en": "Solidarity finance forum", "el": "Φόρουμ αλληλέγγυας χρηματοδότησης",
          "tr": "Dayanışma finansmanı forumu"}
PEOPLE = {"el": ("Ελένη Παπαδοπούλου", "eleni@example.org"),
          "tr": ("Ayşe Yılmaz", "ayse@example.org"),
          "en": ("Sam Jones", "sam@example.org")}


def _text(lang: str, name: str) -> str:
    return RESPONSES[lang][name][0]["text"]


def _fills(template: str, text: str, **known: str) -> bool:
    """Return whether ``text`` is ``template`` with its placeholders filled (``known`` exactly)."""
    for name, value in known.items():
        template = template.replace("{" + name + "}", value)
    pattern = ".+".join(re.escape(part) for part in re.split(r"\{[a-z_]+\}", template))
    return re.fullmatch(pattern, text, flags=re.DOTALL) is not None


@pytest.fixture
def sessions(stack) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(stack.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def new_event(sessions) -> Iterator[Callable[..., str]]:
    """Add events to the stack's catalogue for one test, and remove them afterwards.

    The stack is shared: an event left behind (full, or about to start) would be the first
    one other tests find when they ask for upcoming events.
    """
    keys: list[str] = []

    def make(**options: object) -> str:
        keys.append(_event(sessions, **options))  # type: ignore[arg-type]
        return keys[-1]

    yield make
    with sessions.begin() as session:
        for event in session.scalars(select(Event).where(Event.key.in_(keys))):
            session.delete(event)


def _event(sessions: sessionmaker[Session], *, capacity: int | None = 1,
           starts_in: dt.timedelta = dt.timedelta(days=3)) -> str:
    """Add an upcoming event in Athens to a catalogue; return its key."""
    key = f"solidarity-forum-{secrets.token_hex(4)}"
    starts = (dt.datetime.now(dt.UTC) + starts_in).replace(second=0, microsecond=0)
    with sessions.begin() as session:
        session.add(Event(key=key, starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                          timezone="Europe/Athens", venue="Technopolis, Athens",
                          capacity=capacity, languages=["el", "tr", "en"],
                          translations=[EventTranslation(lang=lang, title=title,
                                                         summary=title)
                                        for lang, title in TITLES.items()]))
    return key


def _say(chat: Chat, text: str) -> list[dict]:
    chat.say(text)
    return list(chat.last["replies"])


def _register(chat: Chat, key: str, *, payload: str | None = None) -> list[dict]:
    """Go through consent, name and e-mail (whatever is asked); return the last replies."""
    name, email = PEOPLE[chat.lang]
    replies = _say(chat, payload or f'/register_event{{"event": "{key}"}}')
    assert replies[0]["text"].startswith(
        _text(chat.lang, "utter_ask_registration_consent").split("{")[0]), replies
    replies = _say(chat, "/affirm")
    for _ in range(2):
        if replies[0]["text"] == _text(chat.lang, "utter_ask_contact_name"):
            replies = _say(chat, name)
        elif replies[0]["text"] == _text(chat.lang, "utter_ask_email"):
            replies = _say(chat, email)
    return replies


def _pushed(client: httpx.Client, cid: str, after: int) -> dict:
    """Return the next message the conversation's live stream delivers after ``after``."""
    with client.stream("GET", f"/api/conversations/{cid}/events",
                       params={"after": after}) as response:
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "message":
                return dict(json.loads(line.removeprefix("data: ")))
    raise AssertionError("no message was pushed")


def _told(sessions: sessionmaker[Session], cid: str, kind: str) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.conversation_id == cid, OutboxMessage.kind == kind)) or 0)


def _wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _ics_start(content: bytes) -> dt.datetime:
    [entry] = Calendar.from_ical(content).walk("VEVENT")
    return entry.decoded("dtstart").astimezone(dt.UTC)


@pytest.mark.parametrize(("holder_lang", "waiter_lang"), [("el", "tr"), ("tr", "el")])
def test_register_wait_get_the_freed_seat_and_a_reminder(stack, sessions, new_event,
                                                         holder_lang, waiter_lang):
    key = new_event(capacity=1)
    with sessions() as session:
        starts = session.scalar(select(Event.starts_at).where(Event.key == key))
    holder, waiter = Chat(stack, holder_lang), Chat(stack, waiter_lang)

    # The first person gets the only seat, with the date in the event's zone and a calendar file.
    [confirmation] = _register(holder, key)
    assert _fills(_text(holder_lang, "utter_registered"), confirmation["text"],
                  event=TITLES[holder_lang])
    assert {"el": "Ανατολικής Ευρώπης", "tr": "Doğu Avrupa"}[holder_lang] in confirmation["text"]
    download = holder.client.get(confirmation["document"]["url"])
    assert download.status_code == 200 and _ics_start(download.content) == starts

    # The second is offered the waiting list, joins it, and is told their place.
    [full] = _say(waiter, f'/register_event{{"event": "{key}"}}')
    assert _fills(_text(waiter_lang, "utter_registration_full"), full["text"],
                  event=TITLES[waiter_lang])
    [join] = full["buttons"]
    [waitlisted] = _register(waiter, key, payload=join["payload"])
    assert _fills(_text(waiter_lang, "utter_waitlisted"), waitlisted["text"],
                  event=TITLES[waiter_lang], position="1")
    assert "document" not in waitlisted
    mine = _say(waiter, "/list_registrations")
    assert mine[0]["text"] == _text(waiter_lang, "utter_my_registrations")
    assert _fills(_text(waiter_lang, "utter_my_registration_waitlisted"), mine[1]["text"],
                  event=TITLES[waiter_lang], position="1")
    assert [b["payload"] for b in mine[1]["buttons"]] == [
        f'/cancel_registration{{"event":"{key}"}}']

    # The seat holder cancels: the waiting person is told at once, in their language.
    [cancelled] = _say(holder, f'/cancel_registration{{"event": "{key}"}}')
    assert cancelled["text"] == _text(holder_lang, "utter_registration_cancelled").replace(
        "{event}", TITLES[holder_lang])
    promoted = _pushed(waiter.client, waiter.id, 0)
    assert _fills(_text(waiter_lang, "utter_promoted"), promoted["text"],
                  event=TITLES[waiter_lang])
    assert [b["payload"] for b in promoted["buttons"]] == ["/list_registrations"]
    calendar = waiter.client.get(promoted["document"]["url"])
    assert calendar.status_code == 200 and _ics_start(calendar.content) == starts
    assert _told(sessions, waiter.id, "registration") == 1
    assert _told(sessions, holder.id, "registration") == 0

    # Days pass: the event starts in 50 minutes. The reminder comes once, to the seat holder.
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=50)
    with sessions.begin() as session:
        event = session.scalar(select(Event).where(Event.key == key))
        event.starts_at, event.ends_at = soon, soon + dt.timedelta(hours=2)
        for registration in session.scalars(select(EventRegistration).where(
                EventRegistration.event_id == event.id)):
            registration.confirmed_at = soon - dt.timedelta(days=3)
    reminder = _pushed(waiter.client, waiter.id, promoted["id"])
    assert _fills(_text(waiter_lang, "utter_event_reminder"), reminder["text"],
                  event=TITLES[waiter_lang], place="Technopolis, Athens")
    time.sleep(3)  # several scheduler rounds
    assert _told(sessions, waiter.id, "reminder") == 1
    assert _told(sessions, holder.id, "reminder") == 0


def test_registration_asks_only_for_what_the_conversation_already_holds(stack, sessions,
                                                                       new_event):
    chat = Chat(stack, "en")
    with sessions.begin() as session:
        session.add(Case(reference=f"IM-{secrets.token_hex(3).upper()}",
                         conversation_id=chat.id, channel="web", language="en",
                         contact_name="Amira Trabelsi", email="amira@zitouna.example.org"))
    key = new_event(capacity=None)
    replies = _say(chat, f'/register_event{{"event": "{key}"}}')
    assert replies[0]["text"].startswith(
        _text("en", "utter_ask_registration_consent").split("{")[0])
    [done] = _say(chat, "/affirm")  # no name or e-mail question
    assert _fills(_text("en", "utter_registered"), done["text"], event=TITLES["en"],
                  email="amira@zitouna.example.org")
    with sessions() as session:
        stored = session.scalar(select(EventRegistration).where(
            EventRegistration.conversation_id == chat.id))
        assert (stored.name, stored.email) == ("Amira Trabelsi", "amira@zitouna.example.org")


def test_my_registrations_lists_each_status_and_cancels_by_button(stack, sessions, new_event):
    chat, other = Chat(stack, "en"), Chat(stack, "en")
    first, full, second = (new_event(capacity=1, starts_in=dt.timedelta(days=d))
                           for d in (2, 3, 4))
    _register(other, full)
    _register(chat, first)
    _register(chat, full, payload=f'/register_event{{"event": "{full}", "choice": "waitlist"}}')
    _register(chat, second)
    _say(chat, f'/cancel_registration{{"event": "{second}"}}')
    mine = _say(chat, "my registrations")
    assert mine[0]["text"] == _text("en", "utter_my_registrations")
    assert [m["text"].split(":")[-1].strip() for m in mine[1:]] == [
        "you're registered.", "on the waiting list, number 1.", "cancelled."]
    assert [[b["payload"] for b in m["buttons"]] for m in mine[1:]] == [
        [f'/cancel_registration{{"event":"{first}"}}'],
        [f'/cancel_registration{{"event":"{full}"}}'],
        [f'/register_event{{"event":"{second}"}}']]
    [left] = _say(chat, mine[2]["buttons"][0]["payload"])
    assert left["text"] == _text("en", "utter_waitlist_left").replace("{event}", TITLES["en"])
    # With two active registrations "cancel my registration" asks which one.
    _register(chat, second, payload=mine[3]["buttons"][0]["payload"])
    which = _say(chat, "/cancel_registration")
    assert which[0]["text"] == _text("en", "utter_ask_which_registration")
    assert len(which) == 3


def test_an_event_cancelled_by_staff_tells_everyone_registered(stack, sessions, new_event):
    key = new_event(capacity=1)
    greek, turkish = Chat(stack, "el"), Chat(stack, "tr")
    _register(greek, key)
    _register(turkish, key, payload=f'/register_event{{"event": "{key}", "choice": "waitlist"}}')
    with sessions.begin() as session:
        event_id = session.scalar(select(Event.id).where(Event.key == key))
        assert len(registrations.cancel_event(session, event_id)) == 2
    for chat in (greek, turkish):
        told = _pushed(chat.client, chat.id, 0)
        assert _fills(_text(chat.lang, "utter_event_cancelled"), told["text"],
                      event=TITLES[chat.lang])
    [closed] = _say(Chat(stack, "en"), f'/register_event{{"event": "{key}"}}')
    assert closed["text"] == _text("en", "utter_registration_closed").replace(
        "{event}", TITLES["en"])


# --- Telegram and WhatsApp: the calendar file as a document ---------------------------------


async def test_telegram_deep_link_registers_and_sends_the_calendar_file_as_a_document(
        stack, sessions, new_event, tmp_path):
    key = new_event(capacity=None)
    settings = Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                        DATABASE_URL=stack.database_url, RASA_URL=stack.rasa_url)
    engine = make_engine(settings.database)
    core, rasa = build_core(settings, engine)
    recorder = RecordingRequest()
    application = build_application("123456:TEST-token-not-real", core, request=recorder,
                                    rate_limit=False)
    await application.initialize()
    chat_id = 700_000 + secrets.randbelow(99_999)
    try:
        async def feed(update: dict) -> None:
            await application.process_update(Update.de_json(update, application.bot))

        # The user opened the event's deep link: t.me/<bot>?start=event-<key>.
        await feed(private_text(1, chat_id, f"/start event-{key}", language="tr"))
        asked = recorder.methods("sendMessage")[-1].params["text"]
        assert _fills(_text("tr", "utter_ask_registration_consent"), asked, event=TITLES["tr"])
        await feed(button_press(2, chat_id, "/affirm"))
        await feed(private_text(3, chat_id, "Ayşe Yılmaz", language="tr"))
        await feed(private_text(4, chat_id, "ayse@example.org", language="tr"))
        texts = [c.params["text"] for c in recorder.methods("sendMessage")]
        assert _fills(_text("tr", "utter_registered"), texts[-1], event=TITLES["tr"])
        [document] = recorder.methods("sendDocument")
        assert document.params["chat_id"] == chat_id
        filename, content = document.files["document"]
        assert filename == f"{key}.ics"
        with sessions() as session:
            starts = session.scalar(select(Event.starts_at).where(Event.key == key))
        assert _ics_start(content) == starts
    finally:
        await application.shutdown()
        await rasa.aclose()
        engine.dispose()


def _wa_settings(graph: GraphAPI, tmp_path, database: str, rasa_url: str) -> Settings:
    return Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                    DATABASE_URL=database, RASA_URL=rasa_url,
                    WHATSAPP_TOKEN="graph-token-test",
                    WHATSAPP_APP_SECRET="app-secret-for-tests-only",
                    WHATSAPP_VERIFY_TOKEN="verify-me-please",
                    WHATSAPP_PHONE_NUMBER_ID="1098765", WHATSAPP_GRAPH_URL=graph.url,
                    WHATSAPP_TEMPLATE="event_update", OUTBOX_POLL_SECONDS=0.2,
                    REMINDER_POLL_SECONDS=0.2)


def _wa_post(client: TestClient, wa_id: str, text: str, n: int) -> None:
    raw = json.dumps(text_message(wa_id, text, f"wamid.ev{wa_id}{n}")).encode()
    signature = "sha256=" + hmac.new(b"app-secret-for-tests-only", raw,
                                     hashlib.sha256).hexdigest()
    assert client.post("/whatsapp/webhook", content=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature}
    ).status_code == 200


def test_whatsapp_sends_the_calendar_file_as_a_document(stack, sessions, new_event,
                                                        tmp_path):
    key = new_event(capacity=None)
    wa_id = f"3069{secrets.randbelow(10**8):08d}"
    with GraphAPI() as graph, TestClient(create_app(
            _wa_settings(graph, tmp_path, stack.database_url, stack.rasa_url))) as client:
        for n, text in enumerate((f'/register_event{{"event": "{key}"}}', "/affirm",
                                  "Ελένη Παπαδοπούλου", "eleni@example.org")):
            _wa_post(client, wa_id, text, n)
        bodies = [b.get("text", {}).get("body") or b.get("interactive", {}).get(
            "body", {}).get("text") for b in graph.sent]
        assert any(_fills(_text("el", "utter_registered"), b or "", event=TITLES["el"])
                   for b in bodies), bodies
        [media] = graph.media
        assert media["filename"] == f"{key}.ics" and media["content_type"] == "text/plain"
        with sessions() as session:
            starts = session.scalar(select(Event.starts_at).where(Event.key == key))
        assert _ics_start(media["content"]) == starts
        documents = [b for b in graph.sent if b.get("type") == "document"]
        assert [d["document"] for d in documents] == [
            {"id": "media-1", "filename": f"{key}.ics"}]


def test_a_reminder_due_while_the_bot_was_stopped_is_sent_once_after_it_starts(tmp_path):
    """Nobody is reminded while the bot is down; once back, the due reminder goes out once,
    through the WhatsApp template because the 24-hour window has closed; the person who
    cancelled gets nothing."""
    database = f"sqlite:///{tmp_path / 'reminders.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    sessions = make_session_factory(engine)
    key = _event(sessions, capacity=None)
    now = dt.datetime.now(dt.UTC)
    people = {"306900000001": "el", "905300000002": "tr"}
    with sessions.begin() as session:
        event_id = session.scalar(select(Event.id).where(Event.key == key))
        for wa_id, lang in people.items():
            session.add(Conversation(id=f"wa-{wa_id}", channel="whatsapp",
                                     channel_user_id=wa_id, language=lang, state="bot",
                                     last_inbound_at=now - dt.timedelta(days=2)))
    for wa_id, lang in people.items():
        with sessions.begin() as session:
            registrations.register(session, event_id=event_id, conversation_id=f"wa-{wa_id}",
                                   name=PEOPLE[lang][0], email=PEOPLE[lang][1], language=lang,
                                   now=now - dt.timedelta(days=2))
    with sessions.begin() as session:
        registrations.cancel(session, event_id=event_id, conversation_id="wa-905300000002")

    with GraphAPI() as graph:
        settings = _wa_settings(graph, tmp_path, database, f"http://127.0.0.1:{free_port()}")
        with TestClient(create_app(settings)):
            time.sleep(1)  # the event is days away: nothing is due
        assert graph.sent == []
        # The bot is stopped; meanwhile the event comes within the hour.
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=40)
        with sessions.begin() as session:
            event = session.get(Event, event_id)
            event.starts_at, event.ends_at = soon, soon + dt.timedelta(hours=1)
        with TestClient(create_app(settings)):
            _wait_until(lambda: len(graph.sent) >= 1)
            time.sleep(1.5)  # more scheduler and delivery rounds
        with TestClient(create_app(settings)):
            time.sleep(1.5)  # and after another restart
    engine.dispose()
    [reminder] = graph.sent
    assert reminder["to"] == "306900000001" and reminder["type"] == "template"
    assert reminder["template"]["name"] == "event_update"
    assert reminder["template"]["language"] == {"code": "el"}
    assert _fills(_text("el", "utter_event_reminder"),
                  reminder["template"]["components"][0]["parameters"][0]["text"],
                  event=TITLES["el"], place="Technopolis, Athens")


@pytest.mark.parametrize(("lang", "text", "title"), [
    ("el", "θέλω να δηλώσω συμμετοχή στην Κατασκήνωση Κοινωνικής Καινοτομίας",
     "Κατασκήνωση Κοινωνικής Καινοτομίας Θεσσαλονίκης"),
    ("es", "hola, quiero inscribirme en el Campamento de Innovación Social",
     "Campamento de Innovación Social de Salónica"),
])
def test_registering_by_a_title_that_names_a_need_registers_for_that_event(
        stack, sessions, lang, text, title):
    """The camp's title says "social innovation": the model reads a need for innovation,
    but a registration word with an upcoming event's title registers for the event."""
    chat = Chat(stack, lang)
    replies = _say(chat, text)
    assert _fills(_text(lang, "utter_ask_registration_consent"), replies[0]["text"],
                  event=title), replies
    replies = _say(chat, "/affirm")
    if replies[0]["text"] == _text(lang, "utter_ask_contact_name"):
        replies = _say(chat, {"el": "Ελένη Παπαδοπούλου", "es": "Lucía Gómez"}[lang])
    if replies[0]["text"] == _text(lang, "utter_ask_email"):
        replies = _say(chat, f"{lang}-camp-{secrets.token_hex(3)}@example.org")
    assert _fills(_text(lang, "utter_registered"), replies[0]["text"], event=title), replies
    with sessions() as session:
        stored = session.scalar(select(EventRegistration).where(
            EventRegistration.conversation_id == chat.id))
        assert stored is not None and stored.status == registrations.CONFIRMED
        assert session.scalar(select(func.count()).select_from(Case).where(
            Case.conversation_id == chat.id)) == 0  # no request was started
