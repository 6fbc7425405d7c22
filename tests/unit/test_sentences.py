"""How a whole first message is read (nlu/components/sentences.py), without a model.

The classifier ranks the whole message and each of its clauses; these pure functions decide
what wins: a need said plainly in one clause over a close introduction, a quoted case
reference over a new request, a sum the message says it needs over an introduction, and
numbers that are not clause breaks (issue 16).
"""

from __future__ import annotations

from typing import Any

import pytest

from nlu.components.sentences import (
    REFERENCE,
    confirm_need,
    lift_need,
    parts,
    prefer_funding,
    prefer_need,
    prefer_status,
)
from nlu.money_need import states_money_need


def _ranker(by_text: dict[str, list[tuple[str, float]]]):
    def rank(texts: list[str]) -> list[list[dict[str, Any]]]:
        return [[{"name": n, "confidence": c} for n, c in by_text.get(t, [("inform", 0.9)])]
                for t in texts]
    return rank


def _ranking(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"name": n, "confidence": c} for n, c in pairs]


@pytest.mark.parametrize(("text", "expected"), [
    ("Somos una panadería de Huesca. Nos faltan unos 12.000 euros para el horno",
     ["Somos una panadería de Huesca", "Nos faltan unos 12.000 euros para el horno"]),
    ("Είμαστε σύλλογος στη Ζάκυνθο. Χρειαζόμαστε 8.500€ για όχημα",
     ["Είμαστε σύλλογος στη Ζάκυνθο", "Χρειαζόμαστε 8.500€ για όχημα"]),
])
def test_a_thousands_separator_is_not_a_clause_break(text, expected):
    assert parts(text) == expected


def test_a_need_barely_ahead_of_an_introduction_is_confirmed_by_its_clause():
    text = "Bursa'da bir fırın kooperatifiyiz, yeni fırın için krediye ihtiyacımız var"
    whole = _ranking(("need_funding", 0.49), ("inform", 0.48), ("out_of_scope", 0.03))
    ranked = confirm_need(whole, text, _ranker(
        {"yeni fırın için krediye ihtiyacımız var": [("need_funding", 0.95)]}))
    assert ranked[0] == {"name": "need_funding", "confidence": 0.95}
    assert abs(sum(r["confidence"] for r in ranked) - 1.0) < 1e-9
    # without a clause that says it, or with a clear lead already, nothing changes
    assert confirm_need(whole, text, _ranker({})) == whole
    clear = _ranking(("need_funding", 0.8), ("inform", 0.2))
    assert confirm_need(clear, text, _ranker({})) == clear


@pytest.mark.parametrize(("text", "part", "part_ranking", "expected"), [
    ("Somos una asociación de mujeres en Tánger, queremos formación en marketing",
     "queremos formación en marketing",
     [("need_consultancy", 0.49), ("need_internationalisation", 0.41), ("ask_events", 0.1)],
     "need_consultancy"),
    ("Siamo una cooperativa di Bari, cerchiamo fondi o un prestito",
     "cerchiamo fondi o un prestito", [("need_funding", 0.45), ("request_assistance", 0.3)],
     "need_funding"),
])
def test_a_clause_that_is_surely_a_need_but_unsure_which_one_still_leads(text, part,
                                                                         part_ranking, expected):
    whole = _ranking(("inform", 0.57), ("correct_answer", 0.15), ("need_consultancy", 0.13))
    ranked = prefer_need(whole, text, _ranker({part: part_ranking}))
    assert ranked[0]["name"] == expected
    assert abs(sum(r["confidence"] for r in ranked) - 1.0) < 1e-9


def test_a_clause_that_is_mostly_not_a_need_does_not_lead():
    text = "Somos una asociación de mujeres en Tánger, hacemos cursos de cocina"
    whole = _ranking(("inform", 0.57), ("correct_answer", 0.15), ("need_consultancy", 0.13))
    part = [("need_consultancy", 0.3), ("inform", 0.6), ("ask_events", 0.1)]
    assert prefer_need(whole, text, _ranker({"hacemos cursos de cocina": part})) == whole


@pytest.mark.parametrize(("text", "top"), [
    ("hello again, I asked for a loan in May, IM-Q541-B7J2, any news?", "need_funding"),
    ("καλησπέρα, για το im-7hq2k4px τι γίνεται;", "nlu_fallback"),
    ("IM-3F2A9C numaralı başvurumuz ne durumda", "out_of_scope"),
])
def test_a_quoted_reference_asks_for_the_status(text, top):
    ranked = prefer_status(_ranking((top, 0.5), ("ask_case_status", 0.3), ("inform", 0.2)), text)
    assert ranked[0]["name"] == "ask_case_status" and ranked[0]["confidence"] >= 0.8


def test_a_reference_does_not_override_an_erasure_and_no_reference_changes_nothing():
    erase = _ranking(("erase_data", 0.7), ("ask_case_status", 0.3))
    assert prefer_status(erase, "please delete IM-Q541-B7J2 and everything about me") == erase
    need = _ranking(("need_funding", 0.7), ("inform", 0.3))
    assert prefer_status(need, "we need a loan for 2024 im Mai") == need
    assert not REFERENCE.search("simple 2024 text")


@pytest.mark.parametrize("text", ["somos uma associação de apoio a imigrantes em Lisboa",
                                  "it is impossible for us", "im facade des Rathauses",
                                  "importance of the members"])
def test_words_that_begin_with_im_are_not_references(text):
    assert not REFERENCE.search(text)


@pytest.mark.parametrize(("text", "top"), [
    ("Bon dia, som una cooperativa de Girona. Volem comprar un forn, uns 14.000 euros", "inform"),
    ("Γεια σας, είμαστε σύλλογος στην Κέρκυρα. Χρειαζόμαστε 7.000€ για ένα βαν, βοηθάτε;",
     "request_assistance"),
    ("Sou o Nuno, da associação de pais de Tomar. Vamos precisar de 300 mil euros para a "
     "creche, como fazemos?", "out_of_scope"),
    ("bonjour ! on voudrait acheter une chambre froide, il nous manque 18 000 €", "greet"),
    ("Merhaba, İzmir'de bir kooperatifiz, yeni bir tekne almak için 500 bin TL lazım",
     "nlu_fallback"),
])
def test_a_sum_the_message_needs_makes_it_a_funding_need(text, top):
    whole = _ranking((top, 0.6), ("need_funding", 0.2), ("need_consultancy", 0.1),
                     ("search_partners", 0.1))
    ranked = prefer_funding(whole, text, states_money_need)
    assert ranked[0]["name"] == "need_funding" and ranked[0]["confidence"] >= 0.7
    assert [r["name"] for r in ranked[1:]] == [top, "need_consultancy", "search_partners"]
    assert abs(sum(r["confidence"] for r in ranked) - 1.0) < 1e-9


def test_a_stated_sum_decides_between_needs_only_when_the_classifier_is_unsure():
    text = "volem obrir una bugaderia pròpia i ens calen uns 40 mil euros"
    unsure = _ranking(("need_internationalisation", 0.3), ("need_consultancy", 0.28),
                      ("need_funding", 0.2), ("inform", 0.22))
    assert prefer_funding(unsure, text, states_money_need)[0]["name"] == "need_funding"
    sure = _ranking(("need_internationalisation", 0.8), ("need_funding", 0.2))
    assert prefer_funding(sure, text, states_money_need) == sure


@pytest.mark.parametrize(("text", "top"), [
    # a sum said in passing: an introduction stays one
    ("Siamo una cooperativa di Lecce con un fatturato di 2 milioni di euro", "inform"),
    # other requests keep their place, whatever sum they mention
    ("vorrei iscrivermi alla fiera di Bari, la quota di 50 euro la pago io", "register_event"),
    ("please delete everything, we no longer need the 20.000 euros", "erase_data"),
    ("cerchiamo partner in Grecia per un progetto da 200.000 euro da finanziare",
     "search_partners"),
])
def test_a_sum_in_passing_or_another_request_is_left_alone(text, top):
    whole = _ranking((top, 0.7), ("need_funding", 0.2), ("inform", 0.1))
    assert prefer_funding(whole, text, states_money_need) == whole


@pytest.mark.parametrize("needs", [
    # "Volem vendre al Marroc i a Algèria, ens podeu orientar?": export, partners or money
    [("need_internationalisation", 0.23), ("search_partners", 0.2), ("need_funding", 0.14)],
    # "Θέλουμε να ξεκινήσουμε κάτι νέο με τα μέλη, πώς μας στηρίζετε;"
    [("need_innovation", 0.21), ("need_consultancy", 0.19), ("request_assistance", 0.15)],
])
def test_a_message_surely_asking_for_help_is_not_refused_for_not_saying_which(needs):
    rest = 1.0 - sum(c for _, c in needs)
    ranking = _ranking(*needs, ("inform", rest / 2), ("out_of_scope", rest / 2))
    lifted = lift_need(ranking)
    assert lifted[0] == {"name": needs[0][0], "confidence": 0.4}
    assert [r["name"] for r in lifted] == [r["name"] for r in ranking]
    assert abs(sum(r["confidence"] for r in lifted) - 1.0) < 1e-9


def test_a_need_already_clear_or_a_message_mostly_not_a_need_is_left_alone():
    clear = _ranking(("need_funding", 0.55), ("inform", 0.45))
    assert lift_need(clear) == clear
    scattered = _ranking(("need_funding", 0.2), ("out_of_scope", 0.2), ("ask_events", 0.2),
                         ("greet", 0.2), ("need_consultancy", 0.2))
    assert lift_need(scattered) == scattered
    other = _ranking(("ask_events", 0.2), ("need_funding", 0.4), ("need_consultancy", 0.4))
    assert lift_need(other) == other
