"""The first conversation through the real stack: chat API → core → Rasa → actions → catalogue."""

from __future__ import annotations

import os

import httpx
import pytest

from catalog.db import make_engine, make_session_factory
from catalog.plurals import counted
from catalog.queries import catalogue_counts
from ops.rasa_project import language_responses

pytestmark = pytest.mark.e2e

RESPONSES = language_responses()
OPENINGS = {
    "ca": ("Bon dia!", "Què pots fer per nosaltres?", "Adéu, fins aviat"),
    "es": ("Hola, buenas tardes", "¿Qué puedes hacer por mí?", "Adiós, hasta luego"),
    "fr": ("Bonjour", "Qu'est-ce que tu peux faire pour nous ?", "Au revoir, bonne journée"),
    "it": ("Buongiorno", "Cosa puoi fare per noi?", "Arrivederci, a presto"),
    "pt": ("Olá, bom dia", "O que é que podes fazer por nós?", "Adeus, até à próxima"),
    "el": ("Καλημέρα", "Τι μπορείς να κάνεις για εμάς;", "Αντίο, τα λέμε"),
    "tr": ("Merhaba", "Bize nasıl yardımcı olabilirsin?", "Hoşça kal, görüşürüz"),
    "ar": ("مرحبا", "ماذا يمكنك أن تفعل لنا؟", "مع السلامة"),
    "en": ("Hi there", "What can you do for us?", "Bye, see you soon"),
}


def _say(client: httpx.Client, cid: str, text: str) -> dict:
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


def _texts(turn: dict) -> list[str]:
    return [reply["text"] for reply in turn["replies"]]


def _expected(lang: str, name: str, **values: object) -> str:
    return RESPONSES[lang][name][0]["text"].format(**values)


def _help(lang: str, counts: dict[str, int]) -> str:
    """The help text with the catalogue's figures as counted nouns of that language."""
    return _expected(lang, "utter_help", **counts,
                     services=counted(lang, "services", counts["service_count"]),
                     organisations=counted(lang, "organisations", counts["provider_count"]),
                     events=counted(lang, "events", counts["event_count"]))


@pytest.mark.parametrize("lang", list(OPENINGS))
def test_greeting_help_and_goodbye_in_every_language(stack, lang):
    hello, help_request, bye = OPENINGS[lang]
    engine = make_engine(stack.database_url)
    with make_session_factory(engine)() as session:
        counts = catalogue_counts(session)
    engine.dispose()
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"channel": "web"}).json()["conversation_id"]
        greeting = _say(client, cid, hello)
        assert greeting["language"] == lang
        assert _texts(greeting) == [_expected(lang, "utter_greet")]
        assert [b["payload"] for b in greeting["replies"][0]["buttons"]] == [
            "/need_funding", "/need_consultancy", "/ask_events", "/ask_help"]

        helped = _say(client, cid, help_request)
        assert helped["language"] == lang
        assert _texts(helped) == [_help(lang, counts)]

        farewell = _say(client, cid, bye)
        assert _texts(farewell) == [_expected(lang, "utter_goodbye")]
        assert farewell["state"] == "bot"


def test_buttons_work_and_keep_the_language(stack):
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"language": "tr"}).json()["conversation_id"]
        turn = _say(client, cid, "/ask_help")
        assert turn["language"] == "tr"
        assert _texts(turn)[0].startswith(_help("tr", {"service_count": 0, "provider_count": 0,
                                                       "event_count": 0})[:15])


def test_switching_language_on_request(stack):
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={}).json()["conversation_id"]
        assert _say(client, cid, "Hello")["language"] == "en"
        switched = _say(client, cid, "parles català?")
        assert switched["language"] == "ca"
        assert _texts(switched) == [_expected("ca", "utter_language_changed")]
        assert _say(client, cid, "ok")["language"] == "ca"


def test_rasa_sdk_action_sets_a_slot_from_message_metadata(stack):
    """rasa-sdk 3.21 against Rasa 3.6: the action ran, read metadata and set slots."""
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"channel": "terminal"}).json()[
            "conversation_id"]
        _say(client, cid, "Bonjour")
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{cid}/tracker", timeout=30,
                        params={"token": os.environ["RASA_TOKEN"]}).json()
    assert tracker["slots"]["channel"] == "terminal"  # set from the metadata by the NLU pipeline
    assert tracker["slots"]["language"] == "fr"  # set by the NLU component from metadata
    assert tracker["latest_message"]["metadata"]["language"] == "fr"


def test_transcript_records_both_sides(stack):
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={}).json()["conversation_id"]
        _say(client, cid, "Buongiorno")
        transcript = client.get(f"/api/conversations/{cid}").json()
    assert transcript["language"] == "it"
    assert [m["direction"] for m in transcript["messages"]] == ["in", "out"]
    assert transcript["messages"][1]["text"] == _expected("it", "utter_greet")


@pytest.mark.parametrize("text", ["", "🙂🙂🙂", "x" * 10_000, "<script>alert('x')</script>",
                                  "'; DROP TABLE conversation; --", "/etc/passwd",
                                  "/greet{not json", "\u202eolleh\u202c"])
def test_odd_input_gets_a_sensible_reply_in_the_conversation_language(stack, text):
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"language": "es"}).json()[
            "conversation_id"]
        turn = _say(client, cid, text)
        assert turn["language"] == "es"
        assert turn["replies"] and all(r["text"] for r in turn["replies"])
        assert "Traceback" not in str(turn)
        assert _say(client, cid, "Hola")["replies"][0]["text"] == _expected("es", "utter_greet")


def test_language_command_without_a_language_offers_the_choice(stack):
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"language": "pt"}).json()["conversation_id"]
        turn = _say(client, cid, "/language")
        assert turn["language"] == "pt"
        assert turn["replies"][0]["text"] == _expected("pt", "utter_choose_language")
        buttons = turn["replies"][0]["buttons"]
        assert [b["title"] for b in buttons][:3] == ["Català", "Español", "Français"]
        greek = next(b for b in buttons if b["title"] == "Ελληνικά")
        switched = _say(client, cid, greek["payload"])
        assert switched["language"] == "el"
        assert _texts(switched) == [_expected("el", "utter_language_changed")]
