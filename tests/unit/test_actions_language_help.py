"""Changing the conversation language, and help with live catalogue figures (action tests)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from actions.help import ActionShowHelp
from actions.language import ActionChangeLanguage
from actions.matching import ActionListEvents
from catalog.models import Event, Service
from catalog.notices import render
from catalog.plurals import counted
from tests.support.trackers import make_tracker, run, seeded_catalogue

ARABIC = re.compile("[\u0600-\u06ff]")
GREEK = re.compile("[\u0370-\u03ff]")
LATIN = re.compile("[A-Za-z]")


@pytest.fixture
def catalogue(tmp_path_factory, tmp_path, monkeypatch):
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


# --- change language ------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "script"), [("el", GREEK), ("ar", ARABIC)])
def test_the_language_asked_for_is_set_and_confirmed_in_it(lang, script):
    # The bot core has switched: the request arrives again with the new language.
    tracker = make_tracker(language=lang, intent="change_language", entities={"language": lang},
                           slots={"language": lang})
    ran = run(ActionChangeLanguage(), tracker)
    assert ran.responses == ["utter_language_changed"]
    assert ran.slots == {"language": lang}
    (text,) = ran.texts(lang)
    assert script.search(text)
    if lang == "ar":
        assert not LATIN.search(text)


@pytest.mark.parametrize(("current", "asked"), [("en", "ar"), ("el", "tr")])
def test_switching_answers_in_the_new_language_in_the_same_turn(current, asked):
    tracker = make_tracker(language=current, intent="change_language",
                           entities={"language": asked}, slots={"language": current})
    ran = run(ActionChangeLanguage(), tracker)
    # The core learns the new language; the confirmation is already in it (Rasa would
    # render a named response with the old slot, so the action sends the text itself).
    assert ran.custom == [{"language": asked}]
    assert ran.slots == {"language": asked}
    (text,) = ran.texts(current)
    assert text == render("utter_language_changed", asked)[0]
    assert text != render("utter_language_changed", current)[0]
    if asked == "ar":
        assert ARABIC.search(text) and not LATIN.search(text)


@pytest.mark.parametrize("named", [None, "de", "xx"])
def test_no_supported_language_named_offers_the_choice(named):
    entities = {"language": named} if named else {}
    tracker = make_tracker(language="fr", intent="change_language", entities=entities,
                           slots={"language": "fr"})
    ran = run(ActionChangeLanguage(), tracker)
    assert ran.responses[0] == "utter_choose_language"
    assert {"language_choice": True} in ran.custom
    assert ran.slots == {}  # the conversation keeps its language until one is chosen
    assert ran.texts("fr") != ran.texts("en")
    assert GREEK.search(ran.texts("el")[0])


# --- help -----------------------------------------------------------------------------------

def _figures(sessions) -> dict[str, int]:
    """What the catalogue offers today, counted here without the query the action uses."""
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    with sessions() as session:
        current = [s for s in session.scalars(select(Service))
                   if s.active and (s.valid_from is None or s.valid_from <= today)
                   and (s.valid_until is None or s.valid_until >= today)]
        events = [e for e in session.scalars(select(Event)) if e.active and e.starts_at >= now]
    return {"service_count": len(current),
            "provider_count": len({s.provider_id for s in current}),
            "event_count": len(events)}


@pytest.mark.parametrize("lang", ["el", "ar", "es"])
def test_help_says_what_the_catalogue_offers_today(catalogue, lang):
    figures = _figures(catalogue)
    assert figures["service_count"] > figures["provider_count"] > 1
    assert figures["event_count"] > 1
    ran = run(ActionShowHelp(), make_tracker(language=lang, intent="ask_help"))
    assert ran.responses == ["utter_help"]
    assert {k: ran.messages[0][k] for k in figures} == figures
    assert {k: ran.messages[0][k] for k in ("services", "organisations", "events")} == {
        "services": counted(lang, "services", figures["service_count"]),
        "organisations": counted(lang, "organisations", figures["provider_count"]),
        "events": counted(lang, "events", figures["event_count"])}
    (text,) = ran.texts(lang)
    for value in figures.values():
        assert re.search(rf"(?<!\d){value}(?!\d)", text)
    assert text != ran.texts("en")[0]


def test_help_counts_follow_the_catalogue(catalogue):
    with catalogue.begin() as session:
        for event in session.scalars(select(Event)):
            event.active = False
    ran = run(ActionShowHelp(), make_tracker(language="it", intent="ask_help"))
    assert ran.messages[0]["event_count"] == 0


def test_help_counts_the_events_the_events_list_offers(catalogue):
    with catalogue.begin() as session:
        event = session.scalar(select(Event).order_by(Event.starts_at).limit(1))
        # Still ahead, but no longer taking registrations: the events list leaves it out.
        event.registration_deadline = dt.date.today() - dt.timedelta(days=1)
    help_ = run(ActionShowHelp(), make_tracker(language="pt", intent="ask_help"))
    listed = run(ActionListEvents(), make_tracker(language="pt", intent="ask_events"))
    assert listed.responses[0] == "utter_events_intro"
    assert help_.messages[0]["event_count"] == listed.messages[0]["count"]
