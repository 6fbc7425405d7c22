"""The trained NLU model, asked through the real Rasa server's parse endpoint.

These sentences are not in the training data (a test below checks that), so
they show what the classifier generalises to, not what it memorised.
"""

from __future__ import annotations

import os

import httpx
import pytest

from ops.evaluation import examples_by_language

pytestmark = pytest.mark.e2e

# Chat users often leave accents, tonos and hamzas out; the intent must not change.
WITH_AND_WITHOUT_MARKS = [
    ("es", "necesitaríamos financiación para la cooperativa de pan",
     "necesitariamos financiacion para la cooperativa de pan", "need_funding"),
    ("pt", "queríamos exportação das nossas conservas para o Líbano",
     "queriamos exportacao das nossas conservas para o Libano", "need_internationalisation"),
    ("fr", "je voudrais m'inscrire à la journée des coopératives",
     "je voudrais m'inscrire a la journee des cooperatives", "register_event"),
    ("el", "θέλουμε δάνειο για τον καινούργιο φούρνο του συνεταιρισμού",
     "θελουμε δανειο για τον καινουργιο φουρνο του συνεταιρισμου", "need_funding"),
    ("ar", "أريد إلغاء تسجيلي في الورشة القادمة",
     "اريد الغاء تسجيلي في الورشة القادمة", "cancel_registration"),
    ("tr", "kooperatifimiz için hibe arıyoruz, yardımcı olur musunuz",
     "kooperatifimiz icin hibe ariyoruz, yardimci olur musunuz", "need_funding"),
]


def _training_texts() -> set[str]:
    return {text.strip().lower() for rows in examples_by_language().values()
            for text, _ in rows}


def _parse(stack, text: str) -> dict:
    response = httpx.post(f"{stack.rasa_url}/model/parse", json={"text": text}, timeout=60,
                          params={"token": os.environ["RASA_TOKEN"]})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_probe_sentences_are_not_training_examples():
    known = _training_texts()
    for _, marked, bare, _ in WITH_AND_WITHOUT_MARKS:
        assert marked.lower() not in known and bare.lower() not in known


@pytest.mark.parametrize("lang,marked,bare,intent", WITH_AND_WITHOUT_MARKS,
                         ids=[case[0] for case in WITH_AND_WITHOUT_MARKS])
def test_accents_and_marks_do_not_change_the_intent(stack, lang, marked, bare, intent):
    with_marks, without = _parse(stack, marked), _parse(stack, bare)
    assert with_marks["intent"]["name"] == intent
    assert without["intent"]["name"] == intent
    # Folding happens before featurising: both spellings are the same message.
    assert without["intent"]["confidence"] == pytest.approx(with_marks["intent"]["confidence"])


def test_ranking_is_a_probability_distribution_led_by_the_intent(stack):
    parsed = _parse(stack, "Bonjour, nous cherchons des partenaires en Tunisie pour un projet")
    ranking = parsed["intent_ranking"]
    assert parsed["intent"]["name"] == "search_partners" == ranking[0]["name"]
    confidences = [entry["confidence"] for entry in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.5 < confidences[0] <= 1.0 and sum(confidences) <= 1.0 + 1e-6


def test_a_huge_message_is_parsed_without_error(stack):
    parsed = _parse(stack, "Necesitamos un préstamo para la cooperativa. " * 250)
    assert parsed["intent"]["name"] == "need_funding"
