"""Events as users see them: a count that the pages hold, search by topic and by name,
registration for the event a message names (action unit tests on the seed catalogue)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.events import ActionPrepareRegistration
from actions.matching import ActionListEvents, ActionProposeMatches
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.plurals import counted
from catalog.seed import SEED_FILE, load_file, upsert_catalogue

CAMP = "thessaloniki-social-innovation-camp-2027"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('events') / 'seed.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        upsert_catalogue(session, load_file(SEED_FILE))
    engine.dispose()
    return url


@pytest.fixture(autouse=True)
def catalogue(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded)


def _tracker(text: str, lang: str, intent: str, slots: dict | None = None) -> Tracker:
    return Tracker(sender_id="events-1", slots={"language": lang, **(slots or {})},
                   latest_message={"text": text, "intent": {"name": intent}, "entities": [],
                                   "metadata": {"language": lang}},
                   events=[], paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def _run(action, tracker: Tracker) -> tuple[list[dict], dict]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def _cards(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons", [])
            if b["payload"].startswith("/register_event")]


@pytest.mark.parametrize("lang", ["en", "it"])
def test_the_events_counted_in_the_heading_can_all_be_seen(lang):
    if dt.date.today() > dt.date(2027, 1, 20):
        pytest.skip("the seed's first event is over")
    messages, slots = _run(ActionListEvents(), _tracker("/ask_events", lang, "ask_events"))
    total = messages[0]["count"]
    assert total == 10 and len(_cards(messages)) == 3
    more = messages[-1]
    assert more["text"] == counted(lang, "events_more", total - 3)
    assert [b["payload"] for b in more["buttons"]] == ["/show_more"]
    seen = set(_cards(messages))
    while slots.get("match_offset"):
        messages, slots = _run(ActionProposeMatches(),
                               _tracker("/show_more", lang, "show_more", slots))
        seen |= set(_cards(messages))
    assert len(seen) == total


@pytest.mark.parametrize("lang,text", [
    ("en", "events about social innovation"),
    ("ca", "hi ha esdeveniments sobre innovació social?"),
    ("el", "εκδηλώσεις για κοινωνική καινοτομία"),
])
def test_events_are_found_by_topic(lang, text):
    messages, _ = _run(ActionListEvents(), _tracker(text, lang, "ask_events"))
    assert CAMP in _cards(messages)[0]


@pytest.mark.parametrize("lang,text", [
    ("en", "I'd like to register for the Thessaloniki camp"),
    ("el", "θέλω να εγγραφώ στην κατασκήνωση της Θεσσαλονίκης"),
    ("fr", "je voudrais m'inscrire au camp de Thessalonique"),
])
def test_registration_starts_for_the_event_the_message_names(lang, text):
    messages, slots = _run(ActionPrepareRegistration(), _tracker(text, lang, "register_event"))
    assert slots["event_key"] == CAMP
    assert not messages  # no list of events: the registration questions come next


@pytest.mark.parametrize("lang,text", [("en", "which events are coming up next month?"),
                                       ("es", "¿qué eventos organizáis este mes?")])
def test_a_question_about_events_in_general_lists_them_all(lang, text):
    messages, _ = _run(ActionListEvents(), _tracker(text, lang, "ask_events"))
    assert messages[0]["count"] == 10


@pytest.mark.parametrize("lang,text", [("en", "I want to register for the seminar"),
                                       ("tr", "seminere kaydolmak istiyorum")])
def test_a_registration_that_names_no_event_shows_the_events(lang, text):
    messages, slots = _run(ActionPrepareRegistration(), _tracker(text, lang, "register_event"))
    assert slots.get("event_key") is None
    assert len(_cards(messages)) == 3
