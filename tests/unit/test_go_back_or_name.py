"""A name may hold a word that also means "back" (Arabic عودة, "return", is the surname
Odeh): at a question answered by a name, a message the model took for "go back" only
weakly is the name. A go-back the model is sure of, or a question, still goes back.
"""

from __future__ import annotations

import pytest

from actions.intake_navigation import ActionGoBack
from tests.support.trackers import make_tracker, run

ANSWERS = {"consent": True, "org_name": "Dar Al Karma", "country": "JO", "city": "Irbid"}


def _events(asked: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = [{"event": "action", "name": "action_start_intake"}]
    for question in ("consent", "org_name", "country", "city", "timeline", asked):
        events.append({"event": "slot", "name": "requested_slot", "value": question})
        if question != asked:
            events.append({"event": "user", "text": f"answer to {question}"})
    return events


def _go_back(text: str, confidence: float, asked: str = "contact_name", lang: str = "ar"):
    tracker = make_tracker(language=lang, text=text, intent="go_back", events=_events(asked),
                           slots={**ANSWERS, "timeline": "3_months", asked: None,
                                  "requested_slot": asked}, active_loop="intake_form")
    tracker.latest_message["intent"]["confidence"] = confidence
    return run(ActionGoBack(), tracker)


@pytest.mark.parametrize(("lang", "text", "asked", "value"), [
    ("ar", "سامر عودة", "contact_name", "سامر عودة"),
    ("ar", "جمعية العودة للتنمية", "org_name", "جمعية العودة للتنمية"),
    ("tr", "Geri Dönüşüm Kadın Kooperatifi", "org_name", "Geri Dönüşüm Kadın Kooperatifi"),
])
def test_a_name_weakly_read_as_go_back_is_the_answer(lang, text, asked, value):
    ran = _go_back(text, 0.3, asked, lang)
    assert ran.messages == []
    assert ran.slots == {asked: value}


@pytest.mark.parametrize(("text", "confidence"), [
    ("ارجع للسؤال اللي قبل", 0.9),      # sure: back it goes
    ("ممكن نرجع للسؤال السابق؟", 0.3),  # a question is no name
])
def test_a_go_back_the_model_is_sure_of_or_a_question_goes_back(text, confidence):
    ran = _go_back(text, confidence)
    assert ran.responses == ["utter_went_back"]
    assert ran.slots == {"timeline": None, "requested_slot": None}
