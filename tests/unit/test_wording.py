"""Wording: plurals from the language's rules, reasons without filler, untranslated text
said so, the organiser named, no assumed gender, salam answered, Catalan words."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from babel import Locale
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.matching import send_proposals
from actions.returning import ActionGreet
from catalog.db import make_engine, upgrade
from catalog.matching.explain import explain
from catalog.matching.need import Matches, Need, Proposal
from catalog.matching.services import service_reasons
from catalog.models import Service
from catalog.plurals import counted
from catalog.vocabulary import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


def _responses(lang: str) -> dict:
    return yaml.safe_load((ROOT / "nlu" / lang / "responses.yml").read_text("utf-8"))["responses"]


@pytest.mark.parametrize("lang,count,wrong,right", [
    ("it", 1, "1 servizi fanno", "1 servizio fa"),
    ("tr", 1, "En uygun olanları", "1 hizmet buldum"),
    ("en", 1, "1 services", "1 service fits"),
    ("ar", 2, "2 خدمة", "خدمتين"),
    ("ar", 5, "5 خدمة", "5 خدمات"),
    ("ar", 12, "12 خدمات", "12 خدمة"),
    ("el", 1, "υπηρεσίες ταιριάζουν", "1 υπηρεσία ταιριάζει"),
])
def test_counts_follow_the_plural_rules_of_the_language(lang, count, wrong, right):
    text = counted(lang, "matches_intro", count)
    assert wrong not in text and right in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_category_of_the_language_has_its_sentence(lang):
    counts = yaml.safe_load((ROOT / "nlu" / lang / "terms.yml").read_text("utf-8"))["counts"]
    needed = set(Locale.parse(lang).plural_form.tags) - {"many"} | {"other"}
    if lang == "ar":
        needed |= {"many"}
    for key in ("matches_intro", "matches_more", "events_more"):
        assert needed <= set(counts[key]), (lang, key)
        for text in counts[key].values():
            assert set(re.findall(r"\{(\w+)\}", text)) <= {"count"}


@pytest.mark.parametrize("lang,filler,meaningful", [
    ("ar", "قائمة", "تمويل"),
    ("ar", "لكم", "تعاونية"),
    ("pt", "direção", "cooperativa"),
    ("en", "please", "olive"),
])
def test_match_reasons_quote_only_words_that_carry_meaning(lang, filler, meaningful):
    service = Service(key="s", languages=[], cost="paid")
    reasons = service_reasons(service, Need(language=lang), [filler, meaningful])
    text = explain(reasons, lang)
    assert meaningful in text and filler not in text


@pytest.mark.parametrize("lang,language_name", [("ca", "anglès"), ("ar", "الإنجليزية")])
def test_a_text_shown_in_another_language_says_so(lang, language_name):
    dispatcher = CollectingDispatcher()
    proposal = Proposal(kind="service", key="k", title="Cooperative loan", provider="",
                        score=1.0, summary="Loans for cooperatives.", text_language="en")
    send_proposals(dispatcher, Matches(1, [proposal]), lang)
    assert language_name in dispatcher.messages[0]["text"]
    dispatcher = CollectingDispatcher()
    send_proposals(dispatcher, Matches(1, [Proposal(**{**proposal.__dict__,
                                                        "text_language": lang})]), lang)
    assert language_name not in dispatcher.messages[0]["text"]


ORGANISER = {"en": "organiser", "es": "organización", "ca": "organització",
             "fr": "organisateur", "it": "organizzazione", "pt": "organização",
             "el": "διοργανωτές", "tr": "düzenleyenler", "ar": "المنظمة"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_event_registration_says_the_organiser_will_write(lang):
    text = _responses(lang)["utter_registered"][0]["text"]
    assert ORGANISER[lang] in text and "broker" not in text.lower()


MASCULINE = re.compile(r"\b(inscrito|inscrit|iscritto|apuntado|lembrá-lo|coloquei-o|aviso-o|"
                       r"ajudá-lo|contactá-lo)\b")


@pytest.mark.parametrize("lang", ["es", "ca", "fr", "it", "pt"])
def test_registration_wording_does_not_assume_the_user_is_a_man(lang):
    responses = _responses(lang)
    for name in ("utter_registered", "utter_already_registered", "utter_registration_declined",
                 "utter_waitlisted", "utter_promoted", "utter_matches_end",
                 "utter_service_chosen"):
        assert not MASCULINE.search(responses[name][0]["text"]), (lang, name)


def test_catalan_says_it_in_catalan():
    texts = (ROOT / "nlu" / "ca" / "responses.yml").read_text("utf-8")
    assert "broker" not in texts.lower()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'greet.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    engine.dispose()


@pytest.mark.parametrize("lang,text", [("ar", "السلام عليكم"), ("fr", "salam aleykoum"),
                                       ("ar", "السَّلامُ عَلَيْكُم ورحمة الله")])
def test_salam_gets_its_answer_first(database, lang, text):
    tracker = Tracker(sender_id="greet-1", slots={"language": lang},
                      latest_message={"text": text, "intent": {"name": "greet"},
                                      "metadata": {"language": lang}},
                      events=[], paused=False, followup_action=None, active_loop={},
                      latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionGreet().run(dispatcher, tracker, {}))
    assert [m["response"] for m in dispatcher.messages][:2] == ["utter_salam_reply",
                                                                "utter_greet"]
    assert _responses("ar")["utter_salam_reply"][0]["text"].startswith("وعليكم السلام")


def test_hello_is_not_answered_with_salam(database):
    tracker = Tracker(sender_id="greet-2", slots={"language": "en"},
                      latest_message={"text": "hello", "intent": {"name": "greet"}},
                      events=[], paused=False, followup_action=None, active_loop={},
                      latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionGreet().run(dispatcher, tracker, {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_greet"]


def test_decimal_amount_reasons_still_render():
    service = Service(key="s", languages=["en"], cost="free", amount_max=Decimal("5000"),
                      currency="EUR")
    assert explain(service_reasons(service, Need(language="en"), []), "en")


def test_the_seed_catalogue_speaks_the_languages_it_offers():
    """Every service has its text in each language it is delivered in, and in Catalan and
    Arabic; every event in all nine (what is left says its language, tested above)."""
    from catalog.seed import SEED_FILE, load_file

    catalogue = load_file(SEED_FILE)
    for service in catalogue["services"]:
        missing = {*service["languages"], "ca", "ar"} - set(service["text"])
        assert not missing, (service["key"], missing)
    for event in catalogue["events"]:
        assert set(event["text"]) == set(LANGUAGES), event["key"]
