"""An answer to an open question that only the detectors read as another language stays in
the conversation's language ("financas solidarias, banco comunitario" is Portuguese typed
without accents, which both detectors call Spanish): a switch needs a word of the new
language's own, or no question waiting (bot/core/language.py, bot/core/conversation.py).
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.core.language import LanguageResolver
from bot.web.app import create_app
from tests.support.rasa_rest import RasaStandIn


@pytest.fixture(scope="module")
def resolver() -> LanguageResolver:
    return LanguageResolver()


@pytest.mark.parametrize(("text", "current", "detected"), [
    ("financas solidarias, banco comunitario", "pt", "es"),
    ("economia sociale e solidale, commercio equo", "es", "it"),
])
def test_a_switch_on_names_alone_is_tentative(resolver, text, current, detected):
    resolution = resolver.resolve(text, current=current)
    assert (resolution.language, resolution.switched, resolution.tentative) == (
        detected, True, True)


@pytest.mark.parametrize(("text", "current", "expected"), [
    ("necesitamos ayuda para nuestra cooperativa de barrio", "pt", "es"),
    ("Nous sommes une coopérative agricole et nous cherchons un prêt", "en", "fr"),
])
def test_a_sentence_with_words_of_its_own_language_switches(resolver, text, current,
                                                             expected):
    resolution = resolver.resolve(text, current=current)
    assert (resolution.language, resolution.tentative) == (expected, False)


@pytest.fixture
def chat(settings_factory):
    """A chat API on a Rasa stand-in; yields (client, stand-in)."""
    rasa = RasaStandIn()
    settings = settings_factory(MAX_BODY_BYTES=65536)
    with TestClient(create_app(settings, rasa_transport=rasa.transport()),
                    raise_server_exceptions=False) as client:
        yield client, rasa


def _say(client: TestClient, cid: str, text: str) -> dict:
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": text})
    assert response.status_code == 200
    return dict(response.json())


def _conversation(client: TestClient, lang: str) -> str:
    response = client.post("/api/conversations", json={"language": lang})
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


def test_an_answer_to_an_open_question_keeps_the_language(chat):
    client, rasa = chat
    cid = _conversation(client, "pt")
    rasa.questions_open.add(cid)
    body = _say(client, cid, "financas solidarias, banco comunitario")
    assert body["language"] == "pt"
    assert rasa.received[-1]["metadata"]["language"] == "pt"
    # A sentence with words of its own language still switches, question or not.
    body = _say(client, cid, "necesitamos ayuda para nuestra cooperativa de barrio")
    assert body["language"] == "es"


def test_with_no_question_waiting_the_detectors_decide(chat):
    client, rasa = chat
    cid = _conversation(client, "es")
    body = _say(client, cid, "economia sociale e solidale, commercio equo")
    assert body["language"] == "it"
    assert rasa.received[-1]["metadata"]["language"] == "it"
