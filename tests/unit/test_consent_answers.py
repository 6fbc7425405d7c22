"""An answer to the consent question that talks about the data is the answer, not a question
about privacy (actions/consent.py); a real question about the data is still a question."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.intake import ValidateIntakeForm
from tests.support.trackers import make_tracker


def _extract(lang: str, text: str, ranking: list[tuple[str, float]]):
    tracker = make_tracker(language=lang, text=text, intent=ranking[0][0],
                           slots={"requested_slot": "consent"}, active_loop="intake_form")
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c}
                                                for n, c in ranking]
    return asyncio.run(ValidateIntakeForm().extract_consent(CollectingDispatcher(), tracker,
                                                            {}))


@pytest.mark.parametrize(("lang", "text", "ranking", "consent"), [
    ("it", "ok, per noi nessun problema a salvare i dati",
     [("ask_privacy", 0.36), ("affirm", 0.21), ("say_goodbye", 0.07)], True),
    ("pt", "pode ficar com os dados, eu deixo",
     [("ask_privacy", 0.36), ("affirm", 0.24), ("erase_data", 0.12)], True),
    ("ca", "endavant amb les dades, cap inconvenient",
     [("ask_privacy", 0.59), ("affirm", 0.14), ("deny", 0.05)], True),
    # the model of session 14 ranks the yes below 0.1: "endavant" (go ahead) says it
    ("ca", "endavant amb les dades, cap inconvenient",
     [("ask_privacy", 0.72), ("affirm", 0.09), ("deny", 0.04)], True),
    ("en", "go ahead with the data, no problem",
     [("ask_privacy", 0.8), ("greet", 0.06), ("deny", 0.02)], True),
    ("es", "preferimos que no guardéis los datos de nadie",
     [("ask_privacy", 0.5), ("deny", 0.3), ("affirm", 0.1)], False),
])
def test_an_answer_about_the_data_is_a_yes_or_a_no(lang, text, ranking, consent):
    assert _extract(lang, text, ranking) == {"consent": consent}


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "who will see our data?"),
    ("el", "ποιος θα δει τα δεδομένα μας;"),
    ("ar", "من سيرى بياناتنا؟"),
])
def test_a_question_about_the_data_is_not_an_answer(lang, text):
    assert _extract(lang, text, [("ask_privacy", 0.7), ("affirm", 0.2)]) == {}


def test_words_about_the_data_with_no_yes_no_and_no_go_ahead_are_not_an_answer():
    assert _extract("en", "the data are held by our treasurer",
                    [("ask_privacy", 0.8), ("inform", 0.1), ("affirm", 0.03)]) == {}


def _extract_slot(slot: str, lang: str, text: str, ranking: list[tuple[str, float]]):
    tracker = make_tracker(language=lang, text=text, intent=ranking[0][0],
                           slots={"requested_slot": slot}, active_loop="intake_form")
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c}
                                                for n, c in ranking]
    extract = getattr(ValidateIntakeForm(), f"extract_{slot}")
    return asyncio.run(extract(CollectingDispatcher(), tracker, {}))


@pytest.mark.parametrize(("lang", "text", "ranking", "visible"), [
    ("en", "yes, others can see us", [("show_more", 0.53), ("affirm", 0.21)], True),
    ("es", "no, preferimos no aparecer", [("show_more", 0.4), ("affirm", 0.3)], False),
    ("tr", "tabii, görünebiliriz", [("say_goodbye", 0.4), ("affirm", 0.35)], True),
])
def test_a_yes_or_no_to_being_seen_misread_as_show_more_is_the_answer(lang, text, ranking,
                                                                        visible):
    assert _extract_slot("discoverable", lang, text, ranking) == {"discoverable": visible}


def test_a_real_request_at_the_visibility_question_is_not_an_answer():
    assert _extract_slot("discoverable", "en", "show me more",
                         [("request_human", 0.6), ("affirm", 0.3)]) == {}


@pytest.mark.parametrize(("lang", "text"), [("fr", "pas encore"), ("it", "non ancora")])
def test_a_website_answer_misread_as_show_more_is_read(lang, text):
    assert _extract_slot("website", lang, text, [("show_more", 0.53), ("deny", 0.27)]) == {
        "website": text}
