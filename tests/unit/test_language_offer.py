"""A first message whose language is a guess is answered in the guess, and the answer
ends with the language menu; a clear first message, or one in context, gets no menu."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from bot.core import locales
from bot.core.language import LanguageResolver
from bot.web.app import create_app


def _client(settings_factory) -> TestClient:  # type: ignore[no-untyped-def]
    def rasa(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "m.tar.gz"})
        return httpx.Response(200, json=[{"recipient_id": "c", "text": "ok"}])

    return TestClient(create_app(settings_factory(),
                                 rasa_transport=httpx.MockTransport(rasa)))


def _first_turn(client: TestClient, text: str, language: str | None = None) -> dict:
    body = {"language": language} if language else {}
    cid = client.post("/api/conversations", json=body).json()["conversation_id"]
    return client.post(f"/api/conversations/{cid}/messages", json={"text": text}).json()


@pytest.mark.parametrize(("text", "guess"), [("som una cooperativa petita", "ca"),
                                             ("busquem finançament", "ca"),
                                             ("isto e gratis?", "it")])
def test_an_uncertain_first_message_is_answered_with_the_language_menu(
        settings_factory, text, guess):  # type: ignore[no-untyped-def]
    assert LanguageResolver().resolve(text).uncertain
    with _client(settings_factory) as client:
        turn = _first_turn(client, text)
    assert turn["language"] == guess
    assert [r["text"] for r in turn["replies"]] == ["ok", locales.text("offer_language", guess)]
    payloads = [b["payload"] for b in turn["replies"][-1]["buttons"]]
    assert len(payloads) == len(locales.LANGUAGE_NAMES)
    assert '/change_language{"language": "pt"}' in payloads


@pytest.mark.parametrize(("text", "language"), [("on puc trobar ajuda?", None),
                                                ("vous êtes un robot ?", None),
                                                ("som una cooperativa petita", "ca")])
def test_a_clear_first_message_or_one_in_context_gets_no_menu(
        settings_factory, text, language):  # type: ignore[no-untyped-def]
    with _client(settings_factory) as client:
        turn = _first_turn(client, text, language)
    assert [r["text"] for r in turn["replies"]] == ["ok"]


@pytest.mark.parametrize(("text", "language"), [
    ("Hola, som una cooperativa de Sabadell i volem saber si busquem be", "ca"),
    ("som una associacio petita i busquem ajuda amb la comptabilitat", "ca"),
    ("nosaltres tambe volem fer-ho amb altres entitats", "ca"),
    ("somos uma associacao e queremos ajuda tambem com o site", "pt"),
    ("ca coute combien pour une asso ?", "fr"),
    ("you are a bot or a person?", "en"),
])
def test_first_messages_the_detectors_used_to_miss(text, language):  # type: ignore[no-untyped-def]
    assert LanguageResolver().resolve(text).language == language
