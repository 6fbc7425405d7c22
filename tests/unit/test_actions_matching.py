"""Proposals in chat: services that fit and why, details, choosing one, events (action tests)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from actions.matching import (
    ActionChooseService,
    ActionListEvents,
    ActionProposeMatches,
    ActionShowDetails,
)
from catalog.matching.explain import phrases
from catalog.matching.need import NEED_CATEGORIES
from catalog.models import Case, CaseService, Event, Service
from tests.support.trackers import Ran, add_case, make_tracker, run, seeded_catalogue

ARABIC = re.compile("[\u0600-\u06ff]")
GREEK = re.compile("[\u0370-\u03ff]")


@pytest.fixture
def catalogue(tmp_path_factory, tmp_path, monkeypatch):
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


def _cards(ran: Ran, lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The proposals shown: messages whose buttons open a service's or an event's details."""
    return [(text, buttons) for text, buttons in ran.rendered(lang)
            if any("_details" in b["payload"] or "register_event" in b["payload"]
                   for b in buttons)]


def _payload_values(payload: str) -> dict[str, str]:
    return dict(json.loads(payload[payload.index("{"):]))


def _card_keys(cards: list[tuple[str, list[dict[str, Any]]]]) -> list[str]:
    return [next(iter(_payload_values(buttons[0]["payload"]).values())) for _, buttons in cards]


def _more(ran: Ran, lang: str) -> str | None:
    """The "see more" message, if the action says more are left."""
    found = [text for text, buttons in ran.rendered(lang)
             if any(b["payload"] == "/show_more" for b in buttons)]
    return found[0] if found else None


def _number(text: str) -> int:
    return int(re.findall(r"\d+", text)[0])


def _fitting(sessions, category: str, *, country: str | None = None,
             legal_form: str | None = None, stage: str | None = None) -> set[str]:
    """The services a need fits, counted here from the eligibility rows, without SQL filters."""
    today = dt.date.today()
    wanted = {"country": country, "legal_form": legal_form, "stage": stage}
    fitting = set()
    with sessions() as session:
        for service in session.scalars(select(Service)):
            rows: dict[str, set[str]] = {}
            for row in service.eligibility:
                rows.setdefault(row.dimension, set()).add(row.value)
            if (service.active and service.category in NEED_CATEGORIES[category]
                    and (service.valid_from is None or service.valid_from <= today)
                    and (service.valid_until is None or service.valid_until >= today)
                    and all(not value or dimension not in rows or value in rows[dimension]
                            for dimension, value in wanted.items())):
                fitting.add(service.key)
    return fitting


# --- propose matches ------------------------------------------------------------------------

def test_proposals_page_with_see_more_until_every_fitting_service_is_shown(catalogue):
    fitting = _fitting(catalogue, "funding")
    assert len(fitting) > 6
    slots: dict[str, Any] = {"need_category": "funding"}
    ran = run(ActionProposeMatches(), make_tracker(language="en", slots=slots))
    heading = ran.texts("en")[0]
    assert _number(heading) == len(fitting)
    shown = _card_keys(_cards(ran, "en"))
    assert len(shown) == 3
    assert _number(_more(ran, "en") or "") == len(fitting) - 3
    while (more := _more(ran, "en")) is not None:
        assert _number(more) == len(fitting) - len(shown)
        slots["match_offset"] = ran.slots["match_offset"]
        assert slots["match_offset"] == len(shown)
        ran = run(ActionProposeMatches(), make_tracker(language="en", intent="show_more",
                                                       slots=slots))
        page = _card_keys(_cards(ran, "en"))
        assert page and not set(page) & set(shown)  # a new page, never the same again
        shown += page
    assert sorted(shown) == sorted(fitting)
    slots["match_offset"] = ran.slots["match_offset"]
    ran = run(ActionProposeMatches(), make_tracker(language="en", intent="show_more",
                                                   slots=slots))
    assert ran.responses == ["utter_matches_end"]
    assert ran.slots["match_offset"] is None


def test_proposals_fit_the_organisation_and_say_why_in_french(catalogue):
    profile = {"country": "MA", "legal_form": "cooperative", "stage": "starting"}
    fitting = _fitting(catalogue, "funding", **profile)
    slots = {"need_category": "funding", "sector": "crafts", **profile}
    ran = run(ActionProposeMatches(), make_tracker(language="fr", slots=slots))
    cards = _cards(ran, "fr")
    assert cards and set(_card_keys(cards)) <= fitting
    first = cards[0][0]
    assert "Maroc" in first and "coopérative" in first.lower()  # the reasons, in French
    assert [b["title"] for b in cards[0][1]] == [phrases("fr")["button_details"],
                                                 phrases("fr")["button_contact"]]
    with catalogue() as session:
        titles = {t.title for s in session.scalars(select(Service).where(
            Service.key == _card_keys(cards)[0])) for t in s.translations if t.lang == "fr"}
    assert first.splitlines()[0].split(" — ")[0] in titles


def test_proposals_in_arabic_name_the_services_and_reasons_in_arabic(catalogue):
    slots = {"need_category": "consultancy", "country": "TN"}
    ran = run(ActionProposeMatches(), make_tracker(language="ar", slots=slots))
    assert ran.slots["match_offset"] == 3
    texts = ran.texts("ar")
    assert ARABIC.search(texts[0])
    cards = _cards(ran, "ar")
    title, *_, reasons = cards[0][0].splitlines()
    assert ARABIC.search(title)  # a service the catalogue describes in Arabic comes first
    assert reasons.startswith("✓") and "تونس" in reasons
    assert all(ARABIC.search(b["title"]) for _, buttons in cards for b in buttons)


def test_after_saving_the_proposals_follow_the_saved_case(catalogue):
    profile = {"country": "ES", "legal_form": "cooperative", "stage": "growing"}
    add_case(catalogue, "conv-1", "IM-COOP-0001", language="ca", need_category="funding",
             sector="care", **profile)
    fitting = _fitting(catalogue, "funding", **profile)
    # The form's slots are reset once the case is saved; the case itself is what counts.
    ran = run(ActionProposeMatches(), make_tracker(
        language="ca", intent="affirm", slots={"case_reference": "IM-COOP-0001"}))
    cards = _cards(ran, "ca")
    assert cards and set(_card_keys(cards)) <= fitting
    assert len(cards) == min(3, len(fitting))
    assert "Espanya" in cards[0][0]  # why it fits, in Catalan
    assert "serveis que encaixen" in ran.texts("ca")[0]  # the heading in Catalan


def test_a_country_written_after_the_proposals_narrows_them_and_the_next_pages(catalogue):
    fitting = _fitting(catalogue, "consultancy", country="PT")
    assert 3 < len(fitting) < len(_fitting(catalogue, "consultancy"))
    slots: dict[str, Any] = {"need_category": "consultancy", "match_offset": 3}
    ran = run(ActionProposeMatches(), make_tracker(
        language="en", intent="inform", text="only in Portugal please",
        entities={"country": "Portugal"}, slots=slots))
    assert ran.slots["narrowing"] == {"country": "PT"}
    assert _number(ran.texts("en")[0]) == len(fitting)
    shown = _card_keys(_cards(ran, "en"))
    slots.update(match_offset=ran.slots["match_offset"], narrowing=ran.slots["narrowing"])
    ran = run(ActionProposeMatches(), make_tracker(language="en", intent="show_more",
                                                   slots=slots))
    shown += _card_keys(_cards(ran, "en"))
    assert set(shown) <= fitting and len(set(shown)) == len(shown) > 3
    assert ran.slots["narrowing"] == {"country": "PT"}


def test_a_message_that_narrows_nothing_is_not_understood(catalogue):
    slots = {"need_category": "funding", "match_offset": 3, "narrowing": {"country": "TN"}}
    ran = run(ActionProposeMatches(), make_tracker(
        language="it", intent="inform", text="Tunisia", entities={"country": "Tunisia"},
        slots=slots))
    assert ran.responses == ["utter_default"]
    assert ran.events == []  # the list and its narrowing stay as they were


def test_nothing_fits_says_so_and_offers_a_person(catalogue):
    with catalogue.begin() as session:
        for service in session.scalars(select(Service).where(Service.category == "funding")):
            service.active = False
    ran = run(ActionProposeMatches(), make_tracker(language="el",
                                                   slots={"need_category": "funding"}))
    assert ran.responses == ["utter_matches_none"]
    assert ran.slots["match_offset"] is None
    (text,) = ran.texts("el")
    assert GREEK.search(text)


def test_a_saved_case_looking_for_partners_is_shown_organisations_that_opted_in(catalogue):
    add_case(catalogue, "conv-1", "IM-AAAA-0001", language="el", org_name="Kyklos Coop",
             sector="agrifood", country="GR", need_category="partners",
             email="me@kyklos.example.org")
    add_case(catalogue, "conv-2", "IM-BBBB-0002", language="ar", org_name="Zaytoun",
             sector="agrifood", country="TN", discoverable=True, email="z@zaytoun.example.org")
    add_case(catalogue, "conv-3", "IM-CCCC-0003", language="fr", org_name="Cachée",
             sector="agrifood", country="FR", discoverable=False)
    tracker = make_tracker(language="el", slots={"case_reference": "IM-AAAA-0001",
                                                 "need_category": "partners"})
    ran = run(ActionProposeMatches(), tracker)
    assert ran.responses[0] == "utter_partners_intro"
    partner = [(text, buttons) for text, buttons in ran.rendered("el")
               if any(b["payload"].startswith("/request_intro") for b in buttons)]
    assert len(partner) == 1
    text, buttons = partner[0]
    assert "Zaytoun" in text and "Τυνησία" in text  # its country, in Greek
    assert "z@zaytoun" not in text  # contacts only once both agree
    assert _payload_values(buttons[0]["payload"]) == {"case": "IM-BBBB-0002"}


# --- details --------------------------------------------------------------------------------

def _translation(sessions, model, key: str, lang: str):
    with sessions() as session:
        item = session.scalar(select(model).where(model.key == key))
        return next(t for t in item.translations if t.lang == lang)


def test_service_details_in_greek(catalogue):
    tracker = make_tracker(language="el", intent="service_details",
                           entities={"service": "kyklos-management-support"})
    ran = run(ActionShowDetails(), tracker)
    ((text, buttons),) = ran.rendered("el")
    greek = _translation(catalogue, Service, "kyklos-management-support", "el")
    assert text.splitlines()[0] == greek.title
    assert (greek.description or greek.summary) in text
    assert [b["title"] for b in buttons] == [phrases("el")["button_contact"]]
    assert _payload_values(buttons[0]["payload"]) == {"service": "kyklos-management-support"}


def test_event_details_in_arabic_offer_registration(catalogue):
    key = "sfax-solidarity-entrepreneurship-day-2027"
    ran = run(ActionShowDetails(), make_tracker(language="ar", intent="service_details",
                                                entities={"event": key}))
    ((text, buttons),) = ran.rendered("ar")
    arabic = _translation(catalogue, Event, key, "ar")
    assert text.splitlines()[0] == arabic.title
    assert (arabic.description or arabic.summary) in text
    assert [b["title"] for b in buttons] == [phrases("ar")["button_register"]]
    assert buttons[0]["payload"].startswith("/register_event")
    assert _payload_values(buttons[0]["payload"]) == {"event": key}


@pytest.mark.parametrize("entities", [{"service": "no-such-service"}, {"event": "no-such"}, {}])
def test_details_of_something_unknown(catalogue, entities):
    ran = run(ActionShowDetails(), make_tracker(language="tr", intent="service_details",
                                                entities=entities))
    assert ran.responses == ["utter_default"]


# --- choose a service -----------------------------------------------------------------------

def test_choosing_a_service_adds_it_to_my_request_once(catalogue):
    add_case(catalogue, "conv-1", "IM-TTTT-0001", language="tr", need_category="consultancy")
    tracker = make_tracker(language="tr", intent="choose_service",
                           entities={"service": "dayanisma-accounting-desk"},
                           slots={"case_reference": "IM-TTTT-0001"})
    ran = run(ActionChooseService(), tracker)
    assert ran.responses == ["utter_service_chosen"]
    turkish = _translation(catalogue, Service, "dayanisma-accounting-desk", "tr")
    assert turkish.title in ran.texts("tr")[0]
    run(ActionChooseService(), tracker)  # pressed twice
    with catalogue() as session:
        case = session.scalar(select(Case).where(Case.reference == "IM-TTTT-0001"))
        assert case.status == "matched"
        chosen = session.scalars(select(CaseService)).all()
        assert [(c.case_id, c.service_id) for c in chosen] == [
            (case.id, session.scalar(select(Service.id).where(
                Service.key == "dayanisma-accounting-desk")))]
        assert [e.status for e in case.history] == ["matched"]


def test_choosing_a_service_without_a_request_offers_to_prepare_one(catalogue):
    tracker = make_tracker(language="pt", intent="choose_service",
                           entities={"service": "atlantico-business-plan"})
    ran = run(ActionChooseService(), tracker)
    assert ran.responses == ["utter_service_needs_case"]
    title = _translation(catalogue, Service, "atlantico-business-plan", "pt").title
    (text,) = ran.texts("pt")
    assert title in text and text != ran.texts("en")[0]
    with catalogue() as session:
        assert session.scalars(select(CaseService)).all() == []


def test_someone_elses_case_reference_is_not_mine(catalogue):
    add_case(catalogue, "conv-2", "IM-OTHR-0002")
    tracker = make_tracker(language="es", intent="choose_service",
                           entities={"service": "guadalquivir-startup-grant"},
                           slots={"case_reference": "IM-OTHR-0002"})
    assert run(ActionChooseService(), tracker).responses == ["utter_service_needs_case"]
    with catalogue() as session:
        assert session.scalars(select(CaseService)).all() == []


# --- events ---------------------------------------------------------------------------------

def _open_events(sessions) -> set[str]:
    now = dt.datetime.now(dt.UTC)
    with sessions() as session:
        return {e.key for e in session.scalars(select(Event))
                if e.active and e.starts_at > now
                and (e.registration_deadline is None or e.registration_deadline >= now.date())}


def test_upcoming_events_are_listed_with_a_count_that_agrees(catalogue):
    upcoming = _open_events(catalogue)
    assert len(upcoming) > 3
    ran = run(ActionListEvents(), make_tracker(language="en", intent="ask_events"))
    assert ran.responses[0] == "utter_events_intro"
    cards = _cards(ran, "en")
    assert set(_card_keys(cards)) <= upcoming and len(cards) == 3
    announced = ran.messages[0]["count"]
    remaining = _more(ran, "en")
    # What the heading counts is what the user can see: these, and those behind "see more".
    assert announced == len(cards) + (_number(remaining) if remaining else 0)


def test_events_in_arabic_put_those_in_my_country_first(catalogue):
    ran = run(ActionListEvents(), make_tracker(language="ar", intent="ask_events",
                                               slots={"country": "TN"}))
    cards = _cards(ran, "ar")
    keys = _card_keys(cards)
    with catalogue() as session:
        first = session.scalar(select(Event).where(Event.key == keys[0]))
        assert "TN" in first.countries
    assert ARABIC.search(cards[0][0].splitlines()[0])
    assert [b["title"] for b in cards[0][1]] == [phrases("ar")["button_register"],
                                                 phrases("ar")["button_details"]]


def test_no_event_open_for_registration(catalogue):
    with catalogue.begin() as session:
        for event in session.scalars(select(Event)):
            event.registration_deadline = dt.date.today() - dt.timedelta(days=1)
    ran = run(ActionListEvents(), make_tracker(language="el", intent="ask_events"))
    assert ran.responses == ["utter_events_none"]
    assert GREEK.search(ran.texts("el")[0])
    assert ran.texts("it") != ran.texts("en")
