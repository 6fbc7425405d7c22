"""A message of several sentences read as a whole: a need outranks an introduction.

People write "We are a cooperative from Zaragoza, we need funding": the whole
message looks most like an introduction (`inform`), but what they want is the
need. The classifier scores each sentence (or clause) on its own as well; when
the whole message's best intent is one that yields (an introduction or a
greeting) and one part of it is, on its own, confidently a need, the need is
put first. Pure functions, no Rasa import: tested in the app environment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Intents that start a request for assistance.
NEED_INTENTS = frozenset({"need_funding", "need_consultancy", "need_innovation",
                          "need_internationalisation", "search_partners", "request_assistance"})
# Intents that say who is writing, not what they want: a need in the same message wins.
YIELDING = frozenset({"inform", "greet", "nlu_fallback"})
# How sure the classifier must be of a part on its own for it to decide the message.
MIN_PART_CONFIDENCE = 0.5
# A need the whole message already ranks this high wins over an introduction as well.
MIN_WHOLE_CONFIDENCE = 0.3
MAX_PARTS = 8
# A dot between two digits is a thousands separator ("18.000 euros"), not a sentence end.
_BOUNDARY = re.compile(r"[!?;¿¡\n،؛؟·]+|(?<!\d)\.+|\.+(?!\d)|,\s+|\s+[-–—]\s+")
# Intents that mean the user asks about a request already made.
STATUS_INTENT = "ask_case_status"
# What a message that quotes a case reference is not: a new need, an introduction, a
# greeting, or something the classifier could not place.
STATUS_YIELDING = NEED_INTENTS | YIELDING | {"out_of_scope", "ask_help"}
# A case reference as users type it (the same forms as actions/returning.py reads, which this
# engine-side module cannot import): "IM-Q541-B7J2", "imq541b7j2", the older "IM-FF39BC"; without
# the hyphen the characters must hold a digit ("imigrantes" and "im facade" are words).
REFERENCE = re.compile(
    r"\bIM(?:-(?:[0-9A-Z]{4}[-\s]?[0-9A-Z]{4}|[0-9A-Z]{4,8})"
    r"|(?=[0-9A-Z]{0,7}\d)[0-9A-Z]{4}-?[0-9A-Z]{4}|\s?(?=[0-9A-F]{0,5}\d)[0-9A-F]{6})\b",
    re.IGNORECASE)
# A need ranked first this close to an introduction is still confirmed part by part.
CLOSE_MARGIN = 0.15
FUNDING_INTENT = "need_funding"
# What a message stating a sum it needs is not: an introduction, a greeting, a request
# without a kind, a question about the service, or something the classifier could not place.
MONEY_YIELDING = YIELDING | {"out_of_scope", "request_assistance", "ask_help"}
# A need of another kind ranked below this is unsure which need it is: a stated sum decides.
MONEY_UNSURE = 0.5
# The confidence a stated money need gets, at least.
MONEY_CONFIDENCE = 0.7
# A need ranked first below this, in a message that is surely a need, is lifted to it: the
# fallback refuses a best intent under 0.25 (nlu/config.yml), the dialogue one under 0.3.
UNSURE_NEED_LIFT = 0.4

Ranking = list[dict[str, float | str]]


def parts(text: str) -> list[str]:
    """The sentences and clauses of ``text`` with at least two words; [] for a single one."""
    found = [p.strip() for p in _BOUNDARY.split(text) if len(p.split()) >= 2]
    return found[:MAX_PARTS] if len(found) > 1 else []


def _need_mass(ranking: Ranking) -> float:
    """How sure the classifier is that a part asks for help, whichever help it is.

    "queremos formación en marketing" is consultancy at 0.49 and internationalisation at
    0.41: unsure which need, sure that it is one. The best need leads; the summary shows
    it and the user can correct it.
    """
    return sum(float(r["confidence"]) for r in ranking if r["name"] in NEED_INTENTS)


def _promote(ranking: Ranking, intent: str, confidence: float) -> Ranking:
    """Put ``intent`` first with ``confidence``; the others share the rest in their order."""
    others = [r for r in ranking if r["name"] != intent]
    rest = sum(float(r["confidence"]) for r in others)
    scale = (1.0 - confidence) / rest if rest > 0 else 0.0
    return [{"name": intent, "confidence": confidence},
            *({"name": r["name"], "confidence": float(r["confidence"]) * scale}
              for r in others)]


def prefer_status(ranking: Ranking, text: str) -> Ranking:
    """Return ``ranking`` with the status question first when the message quotes a reference.

    "IM-Q541-B7J2, any news?" asks about a request already made, whatever else the message
    says ("I sent a request for a loan...", "hello again"); only intents that a reference
    does not contradict give way (an erasure or a human still win).
    """
    if not ranking or ranking[0]["name"] not in STATUS_YIELDING or not REFERENCE.search(text):
        return ranking
    confidence = max(0.8, float(ranking[0]["confidence"]) + 0.05)
    return _promote(ranking, STATUS_INTENT, min(confidence, 0.99))


def prefer_funding(ranking: Ranking, text: str,
                   states_money_need: Callable[[str], bool]) -> Ranking:
    """Return ``ranking`` with the funding need first when the message states a sum it needs.

    "Olá! Sou da cooperativa de estafetas de Lisboa, queremos comprar 5 bicicletas de carga,
    uns 35 mil euros" is mostly an introduction, and "Μας χρειάζονται 8.500€ για ένα όχημα,
    μπορείτε να βοηθήσετε;" mostly a request without a kind; the sum and what it is for make
    both a funding need. ``states_money_need`` tells whether a text states such a sum
    (nlu/money_need.py). So does a need of another kind the classifier is unsure of
    ("θέλουμε να ανοίξουμε δικό μας πλυντήριο. Χρειαζόμαστε περίπου 40 χιλ. ευρώ": 0.26
    internationalisation, 0.25 consultancy); one it is sure of, or any other request, keeps
    its place.
    """
    if not ranking or ranking[0]["name"] == FUNDING_INTENT:
        return ranking
    top, confidence = str(ranking[0]["name"]), float(ranking[0]["confidence"])
    unsure_need = top in NEED_INTENTS and confidence < MONEY_UNSURE
    if (top not in MONEY_YIELDING and not unsure_need) or not states_money_need(text):
        return ranking
    return _promote(ranking, FUNDING_INTENT, min(max(MONEY_CONFIDENCE, confidence + 0.05), 0.99))


def lift_need(ranking: Ranking) -> Ranking:
    """Return ``ranking`` with its best need lifted when the message surely asks for help.

    "Voldríem treballar al Marroc i a Algèria, ens podeu orientar per sortir a fora?" is
    internationalisation at 0.23, partners at 0.20, funding at 0.14: under the fallback's
    threshold, so the user was told nothing fits, although the needs together hold two
    thirds of it. As for a clause (``_need_mass``), the best need leads; the summary shows
    it and the user can correct it.
    """
    if not ranking or ranking[0]["name"] not in NEED_INTENTS \
            or float(ranking[0]["confidence"]) >= UNSURE_NEED_LIFT \
            or _need_mass(ranking) < MIN_PART_CONFIDENCE:
        return ranking
    return _promote(ranking, str(ranking[0]["name"]), UNSURE_NEED_LIFT)


def confirm_need(ranking: Ranking, text: str,
                 rank_parts: Callable[[list[str]], Sequence[Ranking]]) -> Ranking:
    """Return ``ranking`` with its need made sure when a part of the message says it plainly.

    "We are a courier cooperative in Konya, we need a loan of about 40,000 dollars": the
    whole message is as much an introduction as a need (0.49 against 0.48, which the
    fallback's ambiguity check refuses), while its second clause alone is the need at 0.98.
    """
    if len(ranking) < 2 or ranking[0]["name"] not in NEED_INTENTS \
            or ranking[1]["name"] not in YIELDING \
            or float(ranking[0]["confidence"]) - float(ranking[1]["confidence"]) > CLOSE_MARGIN:
        return ranking
    need = str(ranking[0]["name"])
    found = [float(r[0]["confidence"]) for r in rank_parts(parts(text)) if r
             and r[0]["name"] == need and float(r[0]["confidence"]) >= MIN_PART_CONFIDENCE]
    if not found:
        return ranking
    return _promote(ranking, need, min(max(found), 0.99))


# A need the whole message ranks first below this is a guess that a part stating another
# need plainly overrules.
UNSURE_WHOLE_NEED = 0.5


def switch_need(ranking: Ranking, text: str,
                rank_parts: Callable[[list[str]], Sequence[Ranking]]) -> Ranking:
    """Return ``ranking`` with the need one part states plainly first, when the whole
    message only guesses at another one that no part states.

    "Hi there! Small social business in Galway making wool blankets from local sheep,
    looking for shops abroad that would stock us": the whole is funding at 0.46, lifted by
    the introduction and the greeting, while the clause that asks something is
    internationalisation on its own and no clause asks for money.
    """
    if not ranking or ranking[0]["name"] not in NEED_INTENTS \
            or ranking[0]["name"] == "request_assistance" \
            or float(ranking[0]["confidence"]) >= UNSURE_WHOLE_NEED or not parts(text):
        return ranking
    guessed = str(ranking[0]["name"])
    stated: dict[str, float] = {}
    for part_ranking in rank_parts(parts(text)):
        top = part_ranking[0] if part_ranking else None
        if top and top["name"] in NEED_INTENTS and top["name"] != "request_assistance" \
                and float(top["confidence"]) >= MIN_PART_CONFIDENCE:
            name = str(top["name"])
            stated[name] = max(stated.get(name, 0.0), float(top["confidence"]))
    if not stated or guessed in stated:
        return ranking
    need, confidence = max(stated.items(), key=lambda item: item[1])
    return _promote(ranking, need, min(max(confidence, float(ranking[0]["confidence"]) + 0.05),
                                       0.99))


def prefer_need(ranking: Ranking, text: str,
                rank_parts: Callable[[list[str]], Sequence[Ranking]]) -> Ranking:
    """Return ``ranking`` with a need first when an introduction hides it.

    ``rank_parts`` classifies a list of texts, returning one ranking per text
    (best first). Only called when the whole message's best intent yields.
    """
    if not ranking or ranking[0]["name"] not in YIELDING:
        return ranking
    best: tuple[float, str] | None = None
    for part_ranking in rank_parts(parts(text)) if parts(text) else ():
        top = part_ranking[0] if part_ranking else None
        if top and top["name"] in NEED_INTENTS and _need_mass(part_ranking) >= \
                MIN_PART_CONFIDENCE and (best is None or float(top["confidence"]) > best[0]):
            best = (float(top["confidence"]), str(top["name"]))
    if best is None:
        needs = [r for r in ranking[1:3] if r["name"] in NEED_INTENTS
                 and float(r["confidence"]) >= MIN_WHOLE_CONFIDENCE]
        if not needs:
            return ranking
        best = (float(needs[0]["confidence"]), str(needs[0]["name"]))
    confidence = max(best[0], float(ranking[0]["confidence"]) + 0.05)
    return _promote(ranking, best[1], min(confidence, 0.99))
