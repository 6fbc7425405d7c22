"""Registering for events in chat: preparing, the consent question, my registrations, stopping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from actions.events import (
    ActionAskRegistrationConsent,
    ActionListRegistrations,
    ActionPrepareRegistration,
    ActionStopRegistration,
)
from catalog import registrations
from catalog.matching.explain import phrases
from catalog.models import Conversation, Event, EventRegistration
from tests.support.trackers import add_case, add_conversation, make_tracker, run, seeded_catalogue

ARABIC = re.compile("[\u0600-\u06ff]")
GREEK = re.compile("[\u0370-\u03ff]")
LATIN = re.compile("[A-Za-z]")
CAMP = "thessaloniki-social-innovation-camp-2027"  # texts in Greek and English
WEBINAR = "garrigue-guarantee-webinar-2027"  # French and English
MICROFINANCE = "maghreb-microfinance-days-2027"  # Arabic, French and English


@pytest.fixture
def catalogue(tmp_path_factory, tmp_path, monkeypatch):
    sessions = seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)
    add_conversation(sessions, "conv-1", language="el")
    return sessions


def _title(sessions, key: str, lang: str) -> str:
    with sessions() as session:
        event = session.scalar(select(Event).where(Event.key == key))
        return next(t.title for t in event.translations if t.lang == lang)


def _register(sessions, key: str, conversation_id: str = "conv-1", *,
              name: str = "Eleni", email: str = "eleni@kyklos.example.org") -> str:
    with sessions.begin() as session:
        if session.get(Conversation, conversation_id) is None:
            session.add(Conversation(id=conversation_id, channel="web", language="el",
                                     state="bot"))
            session.flush()
        event_id = session.scalar(select(Event.id).where(Event.key == key))
        return registrations.register(session, event_id=event_id,
                                      conversation_id=conversation_id, name=name,
                                      email=email, language="el").result


def _change(sessions, key: str, **values) -> None:
    with sessions.begin() as session:
        event = session.scalar(select(Event).where(Event.key == key))
        for name, value in values.items():
            setattr(event, name, value)


def _prepare(lang: str, key: str | None, **kwargs):
    entities = {"event": key} if key else {}
    entities.update(kwargs.pop("entities", {}))
    return run(ActionPrepareRegistration(), make_tracker(
        language=lang, intent="register_event", entities=entities, **kwargs))


# --- prepare --------------------------------------------------------------------------------

def test_what_my_request_already_says_is_not_asked_again(catalogue):
    add_case(catalogue, "conv-1", "IM-KYKL-0001", language="el", contact_name="Eleni Papadaki",
             email="eleni@kyklos.example.org")
    ran = _prepare("el", CAMP)
    assert ran.messages == []  # the form asks for consent next, and only for consent
    assert ran.slots == {"event_key": CAMP, "registration_consent": None,
                         "contact_name": "Eleni Papadaki", "email": "eleni@kyklos.example.org"}


def test_an_earlier_registration_gives_name_and_email(catalogue):
    assert _register(catalogue, WEBINAR, name="Eleni P.", email="ep@example.org") == "confirmed"
    ran = _prepare("el", CAMP, slots={"contact_name": "Eleni Papadaki"})
    # A name given in this conversation already stays as it is.
    assert ran.slots == {"event_key": CAMP, "registration_consent": None,
                         "email": "ep@example.org"}


def test_nothing_known_leaves_name_and_email_to_the_questions(catalogue):
    ran = _prepare("fr", WEBINAR)
    assert ran.slots == {"event_key": WEBINAR, "registration_consent": None}


@pytest.mark.parametrize("key", [None, "no-such-event"])
def test_no_known_event_named_lists_the_events_instead(catalogue, key):
    ran = _prepare("ar", key)
    assert ran.responses[0] == "utter_events_intro"
    assert (ran.slots["event_key"], ran.slots["registration_consent"]) == (None, None)
    assert ARABIC.search(ran.texts("ar")[0])


def test_already_registered_is_told_in_greek(catalogue):
    _register(catalogue, CAMP)
    ran = _prepare("el", CAMP)
    assert ran.responses == ["utter_already_registered"]
    assert ran.slots == {"event_key": None, "registration_consent": None}
    (text,) = ran.texts("el")
    assert _title(catalogue, CAMP, "el") in text and GREEK.search(text.replace(
        _title(catalogue, CAMP, "el"), ""))


def test_already_waiting_is_told_the_place_in_the_queue(catalogue):
    _change(catalogue, WEBINAR, capacity=1)
    _register(catalogue, WEBINAR, "conv-2")
    _register(catalogue, WEBINAR, "conv-3")
    assert _register(catalogue, WEBINAR) == "waitlisted"
    ran = _prepare("fr", WEBINAR)
    assert ran.responses == ["utter_already_waitlisted"]
    assert ran.messages[0]["position"] == 2
    (text,) = ran.texts("fr")
    assert _title(catalogue, WEBINAR, "fr") in text and "2" in text


def test_registration_closed_after_the_deadline(catalogue):
    _change(catalogue, MICROFINANCE,
            registration_deadline=dt.date.today() - dt.timedelta(days=2))
    ran = _prepare("ar", MICROFINANCE)
    assert ran.responses == ["utter_registration_closed"]
    assert ran.slots["event_key"] is None
    (text,) = ran.texts("ar")
    title = _title(catalogue, MICROFINANCE, "ar")
    assert title in text and not LATIN.search(text)


def test_a_full_event_offers_its_waiting_list(catalogue):
    _change(catalogue, MICROFINANCE, capacity=1)
    _register(catalogue, MICROFINANCE, "conv-2")
    ran = _prepare("ar", MICROFINANCE)
    assert ran.responses == ["utter_registration_full"]
    assert ran.slots["event_key"] is None
    ((text, buttons),) = ran.rendered("ar")
    assert _title(catalogue, MICROFINANCE, "ar") in text
    assert [b["title"] for b in buttons] == [phrases("ar")["button_waitlist"]]
    pressed = _prepare("ar", None, text=buttons[0]["payload"],
                       entities={"event": MICROFINANCE, "choice": "waitlist"})
    assert pressed.messages == []
    assert pressed.slots["event_key"] == MICROFINANCE
    assert '"choice":"waitlist"' in buttons[0]["payload"]


# --- the consent question -------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "key"), [("fr", WEBINAR), ("el", CAMP), ("ar", MICROFINANCE)])
def test_consent_is_asked_once_naming_the_event(catalogue, lang, key):
    tracker = make_tracker(language=lang, slots={"event_key": key,
                                                 "requested_slot": "registration_consent"},
                           active_loop="registration_form")
    ran = run(ActionAskRegistrationConsent(), tracker)
    assert ran.responses == ["utter_ask_registration_consent"]
    assert ran.events == []
    (text,) = ran.texts(lang)
    assert _title(catalogue, key, lang) in text
    assert text != ran.texts("en")[0]


# --- my registrations -----------------------------------------------------------------------

def test_no_registrations(catalogue):
    ran = run(ActionListRegistrations(), make_tracker(language="ar",
                                                      intent="list_registrations"))
    assert ran.responses == ["utter_no_registration"]
    (text,) = ran.texts("ar")
    assert ARABIC.search(text) and not LATIN.search(text)


def test_my_registrations_with_their_status_and_the_button_that_fits(catalogue):
    _register(catalogue, CAMP)  # confirmed
    _change(catalogue, WEBINAR, capacity=1)
    _register(catalogue, WEBINAR, "conv-2")
    assert _register(catalogue, WEBINAR) == "waitlisted"
    _register(catalogue, MICROFINANCE)
    with catalogue.begin() as session:
        event_id = session.scalar(select(Event.id).where(Event.key == MICROFINANCE))
        registrations.cancel(session, event_id=event_id, conversation_id="conv-1")
    ran = run(ActionListRegistrations(), make_tracker(language="el",
                                                      intent="list_registrations"))
    # Soonest first: the webinar, the microfinance days, the camp.
    assert ran.responses == ["utter_my_registrations", "utter_my_registration_waitlisted",
                             "utter_my_registration_cancelled",
                             "utter_my_registration_confirmed"]
    texts = phrases("el")
    shown = ran.rendered("el")
    assert GREEK.search(shown[0][0])
    waiting, cancelled, confirmed = shown[1:]
    assert _title(catalogue, CAMP, "el") in confirmed[0]
    assert [b["title"] for b in confirmed[1]] == [texts["button_unregister"]]
    assert confirmed[1][0]["payload"] == f'/cancel_registration{{"event":"{CAMP}"}}'
    assert "1" in waiting[0] and ran.messages[1]["position"] == 1
    assert [b["title"] for b in waiting[1]] == [texts["button_leave_waitlist"]]
    assert [b["title"] for b in cancelled[1]] == [texts["button_register_again"]]
    assert cancelled[1][0]["payload"] == f'/register_event{{"event":"{MICROFINANCE}"}}'


def test_an_event_over_is_no_longer_listed(catalogue):
    _register(catalogue, CAMP)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    _change(catalogue, CAMP, starts_at=past, ends_at=past + dt.timedelta(hours=5))
    ran = run(ActionListRegistrations(), make_tracker(language="tr",
                                                      intent="list_registrations"))
    assert ran.responses == ["utter_no_registration"]


# --- stop -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["el", "ar"])
def test_stopping_the_registration_questions_stores_nothing(catalogue, lang):
    tracker = make_tracker(language=lang, intent="stop_form", active_loop="registration_form",
                           slots={"event_key": CAMP, "registration_consent": True,
                                  "requested_slot": "email"})
    ran = run(ActionStopRegistration(), tracker)
    assert ran.responses == ["utter_registration_declined"]
    assert ran.loops == [None]
    assert ran.slots == {"requested_slot": None, "event_key": None,
                         "registration_consent": None}
    (text,) = ran.texts(lang)
    assert (GREEK if lang == "el" else ARABIC).search(text)
    with catalogue() as session:
        assert session.scalars(select(EventRegistration)).all() == []
