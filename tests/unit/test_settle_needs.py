"""A message torn between two needs as a whole (the fallback's ambiguity check refuses it)
is settled by the clause that says one of them plainly; nothing else changes."""

from __future__ import annotations

from typing import Any

from nlu.components.sentences import settle_needs

TEXT = ("Είμαστε νέα κοινωνική επιχείρηση που φτιάχνει ηλιακούς θερμοσίφωνες, "
        "χρειαζόμαστε συμβουλές για το κοστολόγιο")
CLAUSE = "χρειαζόμαστε συμβουλές για το κοστολόγιο"


def _ranker(by_text: dict[str, list[tuple[str, float]]]):
    def rank(texts: list[str]) -> list[list[dict[str, Any]]]:
        return [[{"name": n, "confidence": c} for n, c in by_text.get(t, [("inform", 0.9)])]
                for t in texts]
    return rank


def _ranking(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"name": n, "confidence": c} for n, c in pairs]


TORN = _ranking(("need_innovation", 0.41), ("need_consultancy", 0.40), ("inform", 0.19))


def test_the_clause_that_says_one_of_the_two_needs_settles_it():
    ranked = settle_needs(TORN, TEXT, _ranker({CLAUSE: [("need_consultancy", 0.8)]}))
    assert ranked[0] == {"name": "need_consultancy", "confidence": 0.8}
    assert abs(sum(float(r["confidence"]) for r in ranked) - 1.0) < 1e-9


def test_a_clause_unsure_or_of_a_third_kind_changes_nothing():
    assert settle_needs(TORN, TEXT, _ranker({CLAUSE: [("need_consultancy", 0.45)]})) == TORN
    assert settle_needs(TORN, TEXT, _ranker({CLAUSE: [("need_funding", 0.9)]})) == TORN


def test_a_clear_lead_or_an_introduction_second_is_left_to_the_other_rules():
    clear = _ranking(("need_innovation", 0.7), ("need_consultancy", 0.2))
    assert settle_needs(clear, TEXT, _ranker({CLAUSE: [("need_consultancy", 0.9)]})) == clear
    intro = _ranking(("need_innovation", 0.45), ("inform", 0.40))
    assert settle_needs(intro, TEXT, _ranker({CLAUSE: [("need_consultancy", 0.9)]})) == intro
