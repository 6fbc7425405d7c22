"""The intake's navigation actions: skip a question, go back one, cancel (action unit tests)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.intake import ValidateIntakeForm
from actions.intake_navigation import ActionCancelIntake, ActionGoBack, ActionSkipQuestion
from actions.intake_slots import CASE_SLOTS
from tests.support.trackers import make_tracker, run

ARABIC = re.compile("[\u0600-\u06ff]")
GREEK = re.compile("[\u0370-\u03ff]")
LATIN = re.compile("[A-Za-z]")


def _asked(*questions: str, answers: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The events of an intake that asked ``questions`` in order, each answered."""
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_start_intake"}]
    for question in questions:
        events.append({"event": "slot", "name": "requested_slot", "value": question})
        events.append({"event": "user", "text": f"answer to {question}"})
        if answers and question in answers:
            events.append({"event": "slot", "name": question, "value": answers[question]})
    return events


ANSWERS = {"consent": True, "org_name": "Huerta Viva", "country": "MA", "city": "Fès"}


# --- skip -----------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["website", "phone", "amount"])
def test_skipping_an_optional_question_stores_skipped(question):
    tracker = make_tracker(language="el", intent="skip_question",
                           slots={"requested_slot": question}, active_loop="intake_form")
    ran = run(ActionSkipQuestion(), tracker)
    assert ran.slots == {question: "skipped"}
    assert ran.messages == []  # the form asks the next question at once
    # The form checks the slot it finds set, and accepts "skipped" without a complaint.
    dispatcher = CollectingDispatcher()
    validate = getattr(ValidateIntakeForm(), f"validate_{question}")
    assert asyncio.run(validate("skipped", dispatcher, tracker, {})) == {question: "skipped"}
    assert dispatcher.messages == []


@pytest.mark.parametrize("question", ["org_name", "email", "need_description", "consent"])
def test_a_required_question_cannot_be_skipped(question):
    tracker = make_tracker(language="ar", intent="skip_question",
                           slots={"requested_slot": question, "org_name": "Dar Al Khayr"},
                           active_loop="intake_form")
    ran = run(ActionSkipQuestion(), tracker)
    assert ran.slots == {"failed_attempts": {question: 1}}  # the form asks it again
    assert len(ran.messages) == 1
    (arabic,) = ran.texts("ar")
    assert ARABIC.search(arabic) and not LATIN.search(arabic)
    assert ran.texts("tr") != ran.texts("en")


def test_skipping_a_required_question_without_options_says_it_is_needed():
    tracker = make_tracker(language="en", intent="skip_question",
                           slots={"requested_slot": "email"}, active_loop="intake_form")
    ran = run(ActionSkipQuestion(), tracker)
    assert ran.responses == ["utter_question_needed"]
    (text,) = ran.texts("en")
    assert "options" not in text


def test_skipping_a_required_question_twice_offers_a_person_of_the_team():
    tracker = make_tracker(language="fr", intent="skip_question",
                           slots={"requested_slot": "members",
                                  "failed_attempts": {"members": 1, "city": 1}},
                           active_loop="intake_form")
    ran = run(ActionSkipQuestion(), tracker)
    assert ran.responses == ["utter_question_needed", "utter_offer_human"]
    assert ran.slots == {"failed_attempts": {"members": 2, "city": 1}}


# --- go back --------------------------------------------------------------------------------

def test_going_back_reopens_the_previous_question_with_its_answer_cleared():
    events = _asked("consent", "org_name", "country", "city", answers=ANSWERS)[:-2]
    tracker = make_tracker(language="es", intent="go_back", events=events,
                           slots={**ANSWERS, "city": None, "requested_slot": "city"},
                           active_loop="intake_form")
    ran = run(ActionGoBack(), tracker)
    assert ran.responses == ["utter_went_back"]
    # Only the previous answer is cleared; the form then asks for it again.
    assert ran.slots == {"country": None, "requested_slot": None}
    (greek,) = ran.texts("el")
    assert GREEK.search(greek)
    assert ran.texts("es") != ran.texts("en")


def test_going_back_twice_walks_further_back():
    events = _asked("consent", "org_name", "country", "city", answers=ANSWERS)[:-2]
    # Back from "city": the form asked "country" again.
    events += [{"event": "action", "name": "action_go_back"},
               {"event": "slot", "name": "country", "value": None},
               {"event": "slot", "name": "requested_slot", "value": "country"}]
    tracker = make_tracker(language="fr", intent="go_back", events=events,
                           slots={**ANSWERS, "country": None, "city": None,
                                  "requested_slot": "country"}, active_loop="intake_form")
    ran = run(ActionGoBack(), tracker)
    assert ran.responses == ["utter_went_back"]
    assert ran.slots == {"org_name": None, "requested_slot": None}


def test_the_first_question_has_nothing_before_it():
    events = _asked("consent", "org_name", answers=ANSWERS)[:-2]
    tracker = make_tracker(language="ar", intent="go_back", events=events,
                           slots={"consent": True, "requested_slot": "org_name"},
                           active_loop="intake_form")
    ran = run(ActionGoBack(), tracker)
    assert ran.responses == ["utter_nothing_to_go_back"]
    assert ran.events == []  # the consent question is never reopened this way
    (arabic,) = ran.texts("ar")
    assert ARABIC.search(arabic) and not LATIN.search(arabic)


def test_going_back_does_not_reach_into_an_earlier_request():
    earlier = _asked("consent", "org_name", "country", "city", "email", answers=ANSWERS)
    events = earlier + _asked("org_name")[:-1]  # a second request, at its first question
    tracker = make_tracker(language="it", intent="go_back", events=events,
                           slots={"requested_slot": "org_name"}, active_loop="intake_form")
    ran = run(ActionGoBack(), tracker)
    assert ran.responses == ["utter_nothing_to_go_back"]
    assert ran.events == []


@pytest.mark.parametrize(("awaiting", "response"), [
    (True, "utter_ask_what_to_correct"), (False, "utter_nothing_to_go_back")])
def test_going_back_outside_the_questions(awaiting, response):
    tracker = make_tracker(language="el", intent="go_back", slots={
        **ANSWERS, "awaiting_confirmation": awaiting},
        events=_asked("consent", "org_name", "country", "city", answers=ANSWERS))
    ran = run(ActionGoBack(), tracker)
    assert ran.responses == [response]
    assert ran.events == []  # at the summary every answer stays; corrections are typed
    assert GREEK.search(ran.texts("el")[0])
    assert ran.texts("pt") != ran.texts("en")


# --- cancel ---------------------------------------------------------------------------------

@pytest.mark.parametrize("at_summary", [False, True])
def test_cancelling_clears_the_form_and_says_nothing_was_saved(at_summary):
    answers = {**ANSWERS, "need_category": "funding", "amount": 20000.0, "currency": "EUR",
               "email": "info@huerta.example.org"}
    tracker = make_tracker(language="ar", intent="stop_form",
                           slots={**answers, "awaiting_confirmation": at_summary,
                                  "requested_slot": None if at_summary else "phone",
                                  "failed_attempts": {"phone": 1}},
                           active_loop=None if at_summary else "intake_form")
    ran = run(ActionCancelIntake(), tracker)
    assert ran.responses == ["utter_intake_cancelled"]
    assert ran.loops == [None]
    assert ran.slots == {"requested_slot": None, "awaiting_confirmation": False,
                         "failed_attempts": None, **dict.fromkeys(CASE_SLOTS)}
    (arabic,) = ran.texts("ar")
    assert ARABIC.search(arabic) and not LATIN.search(arabic)
    (english,) = ran.texts("en")
    assert "nothing" in english.lower() and "saved" in english.lower()
    assert ran.texts("ca") != ran.texts("en")


# --- values read from a message that answered another question ------------------------------

@pytest.mark.parametrize(("lang", "text", "slot", "value", "requested"), [
    ("es", "Somos una coope de Zaragoza, unos cuantos socios", "members", "unos cuantos", None),
    ("fr", "nous sommes à Gotham, dans le nettoyage", "country", "Gotham", "sector"),
    ("tr", "Biz Atlantis'te bir kooperatifiz", "country", "Atlantis", None),
])
def test_a_bad_value_for_a_question_not_asked_yet_is_dropped_silently(lang, text, slot, value,
                                                                       requested):
    tracker = make_tracker(language=lang, text=text, intent="inform",
                           slots={"requested_slot": requested, "consent": True},
                           active_loop="intake_form")
    dispatcher = CollectingDispatcher()
    validate = getattr(ValidateIntakeForm(), f"validate_{slot}")
    result = asyncio.run(validate(value, dispatcher, tracker, {}))
    assert result == {slot: None}  # not stored, no try counted
    assert dispatcher.messages == []  # and no "choose one of the options" before the question


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_the_same_bad_value_as_the_answer_to_its_question_is_explained(lang):
    tracker = make_tracker(language=lang, text="Atlantis", intent="inform",
                           slots={"requested_slot": "country", "consent": True},
                           active_loop="intake_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateIntakeForm().validate_country("Atlantis", dispatcher,
                                                               tracker, {}))
    assert result["country"] is None and result["failed_attempts"] == {"country": 1}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_invalid_country"]


@pytest.mark.parametrize(("lang", "slot", "text"), [
    ("it", "members", "contano anche i lavoratori svantaggiati in borsa lavoro o solo i soci?"),
    ("tr", "sector", "sabun yapıyoruz, bu hangisine giriyor, el sanatları mı?"),
    ("el", "members", "μετράνε και οι εθελοντές;"),
    ("ar", "country", "نحنا لاجئين، شو نكتب هون؟"),
])
def test_a_question_back_is_explained_and_asked_again_without_a_try(lang, slot, text):
    tracker = make_tracker(language=lang, text=text, intent="inform",
                           slots={"requested_slot": slot, "consent": True},
                           active_loop="intake_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(getattr(ValidateIntakeForm(), f"validate_{slot}")(
        text, dispatcher, tracker, {}))
    assert result == {slot: None}
    assert [m.get("response") for m in dispatcher.messages] == [f"utter_explain_{slot}"]


# --- a need changed in the middle of the questions ------------------------------------------

def _need_message(lang: str, text: str, requested: str, need: str, ranking: dict[str, float],
                  slots: dict[str, Any] | None = None):
    """The tracker of a message the model read as ``ranking`` (intent → confidence)."""
    tracker = make_tracker(language=lang, text=text,
                           slots={"requested_slot": requested, "consent": True,
                                  "need_category": need, **(slots or {})},
                           active_loop="intake_form")
    best = max(ranking, key=lambda name: ranking[name])
    tracker.latest_message["intent"] = {"name": best, "confidence": ranking[best]}
    tracker.latest_message["intent_ranking"] = [
        {"name": name, "confidence": value} for name, value in ranking.items()]
    return tracker


@pytest.mark.parametrize(("lang", "text", "requested", "ranking", "new"), [
    ("pt", "na realidade o que nos faz falta é formação e apoio técnico, não crédito", "stage",
     {"need_consultancy": 0.6, "need_funding": 0.2}, "consultancy"),
    ("el", "τελικα δεν θελουμε δανειο, ψαχνουμε συνεργατες στο εξωτερικο", "members",
     {"search_partners": 0.5, "need_funding": 0.3}, "partners"),
    ("tr", "aslında kredi değil, yurtdışına açılmak için destek arıyoruz", "timeline",
     {"need_internationalisation": 0.45, "need_funding": 0.25}, "internationalisation"),
    ("ar", "عفوا، ما نحتاجه حقا هو تمويل وليس استشارة", "members",
     {"need_funding": 0.7, "need_consultancy": 0.1}, "funding"),
])
def test_a_need_named_instead_of_an_answer_changes_the_need(lang, text, requested, ranking,
                                                            new):
    tracker = _need_message(lang, text, requested,
                            "consultancy" if new == "funding" else "funding", ranking)
    tracker.slots_to_validate = lambda: {requested: text}  # type: ignore[method-assign]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateIntakeForm().get_validation_events(dispatcher, tracker, {}))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["need_category"] == new
    assert slots[requested] is None  # the open question is asked again
    assert dispatcher.messages == []  # no "please write a number" for it
    required = asyncio.run(ValidateIntakeForm().required_slots(
        [], dispatcher, make_tracker(language=lang, slots={"consent": True,
                                                           "need_category": new}), {}))
    assert ("amount" in required) == (new == "funding")


@pytest.mark.parametrize(("lang", "text", "requested", "ranking"), [
    # an answer to the open question that also mentions the need it already holds
    ("pt", "somos 12 e precisamos mesmo do empréstimo", "members",
     {"need_funding": 0.8, "need_consultancy": 0.1}),
    # a valid answer to the open question wins over a need the model also reads in it
    ("tr", "yaklaşık 30 kişiyiz, danışmanlık da lazım", "members",
     {"need_consultancy": 0.6, "need_funding": 0.2}),
    # too unsure: the model hesitates between the held need and another
    ("el", "χρειαζομαστε και λιγη καθοδηγηση ισως", "stage",
     {"need_consultancy": 0.38, "need_funding": 0.36}),
    # a sector is answered with need words ("consultancy" is a sector of services)
    ("ar", "نقدم خدمات استشارية للتعاونيات", "sector",
     {"need_consultancy": 0.8, "need_funding": 0.1}),
])
def test_an_answer_or_an_unsure_need_leaves_the_need(lang, text, requested, ranking):
    tracker = _need_message(lang, text, requested, "funding", ranking)
    tracker.slots_to_validate = lambda: {requested: text}  # type: ignore[method-assign]
    events = asyncio.run(ValidateIntakeForm().get_validation_events(
        CollectingDispatcher(), tracker, {}))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("need_category", "funding") == "funding"
