"""A need the whole message only guesses at gives way to the need one clause states plainly
(nlu/components/sentences.py `switch_need`), without a model: the clause rankings are given."""

from __future__ import annotations

from nlu.components.sentences import switch_need
from tests.unit.test_sentences import _ranker, _ranking

TEXT = ("Hello from Tralee! We roast coffee as a worker coop. "
        "We want cafés in Spain to sell our beans")
CLAUSES = {"We want cafés in Spain to sell our beans": [("need_internationalisation", 0.62),
                                                         ("search_partners", 0.2)]}


def test_the_need_a_clause_states_wins_over_a_guess():
    whole = _ranking(("need_funding", 0.41), ("need_internationalisation", 0.3), ("inform", 0.2))
    switched = switch_need(whole, TEXT, _ranker(CLAUSES))
    assert switched[0]["name"] == "need_internationalisation"
    assert switched[0]["confidence"] >= 0.62
    assert abs(sum(r["confidence"] for r in switched) - 1.0) < 1e-9


def test_a_sure_whole_message_is_kept():
    whole = _ranking(("need_funding", 0.72), ("need_internationalisation", 0.2))
    assert switch_need(whole, TEXT, _ranker(CLAUSES)) == whole


def test_a_guess_a_clause_also_states_is_kept():
    clauses = {**CLAUSES, "We roast coffee as a worker coop": [("need_funding", 0.55)]}
    whole = _ranking(("need_funding", 0.41), ("need_internationalisation", 0.3))
    assert switch_need(whole, TEXT, _ranker(clauses)) == whole


def test_no_clause_sure_of_a_need_changes_nothing():
    clauses = {"We want cafés in Spain to sell our beans": [("need_internationalisation", 0.4),
                                                             ("search_partners", 0.35)]}
    whole = _ranking(("need_funding", 0.41), ("need_internationalisation", 0.3))
    assert switch_need(whole, TEXT, _ranker(clauses)) == whole


def test_an_introduction_or_a_single_clause_is_not_its_business():
    intro = _ranking(("inform", 0.45), ("need_funding", 0.3))
    assert switch_need(intro, TEXT, _ranker(CLAUSES)) == intro
    single = _ranking(("need_funding", 0.41), ("need_internationalisation", 0.3))
    assert switch_need(single, "we want cafés in Spain to sell our beans",
                       _ranker(CLAUSES)) == single
