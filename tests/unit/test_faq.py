"""Plain questions are recognised in every language and answered, never stored as answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.asides import ASIDE_SLOTS
from actions.faq import ActionAnswerFaq
from catalog.db import make_engine, upgrade
from catalog.vocabulary import LANGUAGES
from nlu.faq import FaqMatcher

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = yaml.safe_load((ROOT / "tests" / "corpora" / "faq_heldout.yml").read_text("utf-8"))
MATCHER = FaqMatcher.load()


@pytest.mark.parametrize("lang,text,topic", [
    # the questions of issue 17, as users wrote them
    ("en", "is there a fee for the matchmaking days?", "fees"),
    ("en", "who is iesMed?", "about"),
    ("en", "is the stand paid?", "fees"),
    ("en", "how much does it cost?", "fees"),
    ("en", "who would see my data?", "data"),
    ("en", "can I register my friend too?", "friend"),
    ("en", "how long does it take?", "duration"),
    ("en", "my registrations?", "registrations"),
    ("it", "c'è una quota per le giornate di matchmaking?", "fees"),
    ("es", "¿el estand es de pago?", "fees"),
    ("ca", "qui veuria les meves dades?", "data"),
    ("fr", "je peux inscrire mon amie aussi ?", "friend"),
    ("pt", "quanto tempo demora?", "duration"),
    ("el", "Ποιος είναι το iesMed;", "about"),
    ("tr", "kayıtlarım?", "registrations"),
    ("ar", "كم يكلف ذلك؟", "fees"),
])
def test_the_questions_users_asked_are_recognised(lang, text, topic):
    assert MATCHER.topic(text, lang) == topic


@pytest.mark.parametrize("lang,text", [
    ("en", "we need money to pay the stand at the trade fair"),
    ("en", "can you delete my data?"),
    ("en", "cancel my registration for the webinar"),
    ("it", "ci serve un prestito per pagare i macchinari"),
    ("es", "¿cómo calculamos los precios de venta?"),
    ("el", "χρειαζόμαστε δάνειο για να πληρώσουμε τον εξοπλισμό"),
    ("ar", "ممكن تحذفوا البيانات اللي عندكم عني؟"),
])
def test_answers_requests_and_erasures_are_not_taken_for_questions(lang, text):
    assert MATCHER.topic(text, lang) is None



@pytest.mark.parametrize("batch", ["questions", "fresh"])
def test_held_out_phrasings_are_recognised(batch):
    """Phrasings written to measure the patterns, not to write them (docs/DECISIONS.md)."""
    asked = [(lang, topic, text) for lang, rows in HELD_OUT[batch].items()
             for topic, text in rows]
    right = [1 for lang, topic, text in asked if MATCHER.topic(text, lang) == topic]
    wrong = [(lang, text) for lang, topic, text in asked
             if MATCHER.topic(text, lang) not in (None, topic)]
    assert len(right) / len(asked) >= 0.9
    assert not wrong


def test_held_out_non_questions_stay_unmatched():
    taken = [(lang, text) for lang, texts in HELD_OUT["not_questions"].items()
             for text in texts if MATCHER.topic(text, lang)]
    assert not taken


def test_every_language_has_patterns_for_every_topic_and_an_answer():
    responses = {lang: yaml.safe_load((ROOT / "nlu" / lang / "responses.yml")
                                      .read_text("utf-8"))["responses"] for lang in LANGUAGES}
    for topic in MATCHER.topics:
        for lang in LANGUAGES:
            assert lang in topic.question or lang in topic.anywhere, (topic.name, lang)
            if topic.name not in ("data", "registrations"):
                assert f"utter_faq_{topic.name}" in responses[lang], (topic.name, lang)
        assert all(f"utter_faq_{t}" in responses[lang] for t in ("unknown",)
                   for lang in LANGUAGES)


def test_a_question_is_never_stored_as_the_answer_to_an_open_question():
    domain = yaml.safe_load((ROOT / "dialogues" / "domain.yml").read_text("utf-8"))
    for slot, spec in domain["slots"].items():
        for mapping in spec.get("mappings", []):
            # Either the domain maps no question to the slot, or its validator answers the
            # question and asks again (actions/asides.py; tests/unit/test_asides.py).
            if mapping.get("type") == "from_text" and slot not in ASIDE_SLOTS:
                assert "ask_faq" in mapping.get("not_intent", []), slot


def test_the_dialogue_asks_the_open_question_again_after_the_answer():
    rules = yaml.safe_load((ROOT / "dialogues" / "rules.yml").read_text("utf-8"))["rules"]
    for form in ("intake_form", "registration_form"):
        steps = [r["steps"] for r in rules
                 if r.get("condition") == [{"active_loop": form}]
                 and r["steps"][0] == {"intent": "ask_faq"}]
        assert steps == [[{"intent": "ask_faq"}, {"action": "action_answer_faq"},
                          {"action": form}, {"active_loop": form}]]


def _answer(topic: str | None, lang: str = "en") -> list[dict]:
    entities = [{"entity": "faq_topic", "value": topic}] if topic else []
    tracker = Tracker(sender_id="faq-1", slots={"language": lang},
                      latest_message={"text": "?", "intent": {"name": "ask_faq"},
                                      "entities": entities, "metadata": {"language": lang}},
                      events=[], paused=False, followup_action=None, active_loop={},
                      latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerFaq().run(dispatcher, tracker, {}))
    return dispatcher.messages


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'faq.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    engine.dispose()


@pytest.mark.parametrize("topic,response", [
    ("fees", "utter_faq_fees"), ("about", "utter_faq_about"), ("friend", "utter_faq_friend"),
    ("duration", "utter_faq_duration"), ("data", "utter_privacy"),
    ("unknown", "utter_faq_unknown"), (None, "utter_faq_unknown"),
])
def test_each_topic_gets_its_answer(topic, response):
    assert [m["response"] for m in _answer(topic)] == [response]


@pytest.mark.parametrize("lang", ["en", "it"])
def test_my_registrations_shows_registrations_not_services(database, lang):
    assert [m["response"] for m in _answer("registrations", lang)] == ["utter_no_registration"]


def test_a_question_nothing_answers_is_offered_to_a_broker():
    responses = yaml.safe_load((ROOT / "nlu" / "fr" / "responses.yml").read_text("utf-8"))
    buttons = responses["responses"]["utter_faq_unknown"][0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/request_human"]


def test_the_matchers_unknown_limit_is_the_fallbacks_threshold() -> None:
    # A question the classifier places below the fallback's threshold is "unknown" to the
    # matcher; nlu/config.yml sets both, and they move together (session 13: 0.25 -> 0.30).
    config = yaml.safe_load((ROOT / "nlu" / "config.yml").read_text("utf-8"))
    by_name = {c["name"].rsplit(".", 1)[-1]: c for c in config["pipeline"]}
    assert by_name["FaqQuestionMatcher"]["unknown_below"] == \
        by_name["FallbackClassifier"]["threshold"]
