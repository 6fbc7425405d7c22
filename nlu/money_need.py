"""Does a message state a sum of money the organisation needs? ("ens faltarien 18.000 euros")

People who need money often say so by the sum and what it is for, not by the word
"funding": "we want to buy 5 cargo bikes, about 35 thousand euros", "μας χρειάζονται
8.500€ για ένα όχημα", "vamos precisar de 1,2 milhões de euros". The classifier reads
such a message as an introduction, or as a request without a kind, because it is mostly
one. This module finds the two things that make it a funding need: a sum written as money
(a number with a currency or a thousand/million word, "20 mil €", "٣٠ ألف درهم", "€15k")
and, in the same sentence and a few words away, a word that says the sum is needed,
lacking, or to buy, pay or finance something (each pack's `money: need` in terms.yml).

Read when the model loads, not trained into it (like nlu/faq.py): changing the words needs
no retraining. Every language's words are read together, so a message whose language is
not yet known is read too. No Rasa import: the app's tests use it as the engine does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from nlu.components.text_features import fold

PACKS = Path(__file__).resolve().parent
# Words between the sum and the need word, at most ("queremos comprar 5 bicicletas de
# carga elétricas, uns 35 mil euros": six).
WINDOW = 8
# Arabic writes articles, prepositions and pronouns onto its words: its words match inside.
_INSIDE = frozenset({"ar"})
# Currency signs, and currency words or codes (folded). Words of four letters or more may
# carry an ending ("avroluk", "liralık", "dolara"); codes stand alone.
_SIGNS = r"[€$£₺]"
_CURRENCY_STEMS = ("euro", "avro", "ευρω", "ευρο", "dollar", "dolar", "δολαρι", "dinar",
                   "δηναρι", "dirham", "dirhem", "ντιρχαμ", "pound", "sterlin", "στερλιν",
                   "lira", "lire", "λιρα", "λιρες", "λιρων")
_CURRENCY_CODES = ("eur", "usd", "gbp", "tl", "tnd", "dzd", "egp", "lbp", "jod", "lyd", "chf",
                   "mad", "dh", "dhs", "dt", "da", "cfa", "fcfa", "livres", "libras", "r$")
_ARABIC_CURRENCY = ("يورو", "اورو", "دولار", "دولارات", "دينار", "دنانير", "درهم", "دراهم",
                    "جنيه", "جنيهات", "ليره", "ليرات")
_CURRENCY = (rf"(?:{_SIGNS}|(?<!\w)(?:{'|'.join(_CURRENCY_STEMS)})\w*"
             rf"|(?<!\w)(?:{'|'.join(re.escape(c) for c in _CURRENCY_CODES)})(?!\w)"
             rf"|(?<!\w)(?:و?(?:بال|لل|ال|ب|ل))?(?:{'|'.join(_ARABIC_CURRENCY)})(?!\w))")
# A written number: digits grouped by "." "," "'" or a space before three digits, decimals.
_NUMBER = r"(?<![\w.,])\d+(?:(?:[.,'’]|\s(?=\d{3}(?!\d)))\d{3})*(?:[.,]\d{1,2})?(?!\d)"
# Joining words between a scale word and the currency ("1,2 milhões de euros").
_OF = r"(?:\s(?:de|d'|di|of|του|των)\s?|\s)?"
# What may follow a bare "20 mil" for it to be a sum: the end, a pause, or a purpose.
_PURPOSE_AFTER = r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:para|pra|per|pour|to|for|για|icin)(?!\w))"


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _pack_money(path: Path) -> dict[str, list[str]]:
    terms = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    money = terms.get("money") or {}
    return {key: [str(w) for w in money.get(key) or []]
            for key in ("thousand", "million", "need")}


@cache
def _tables(packs: Path = PACKS) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The sum pattern and the need-word pattern, built from every pack under ``packs``."""
    scales: set[str] = {"k"}
    inside: list[str] = []
    whole: list[str] = []
    for path in sorted(packs.glob("*/terms.yml")):
        money = _pack_money(path)
        scales.update(fold(w).strip(".") for w in money["thousand"] + money["million"])
        for word in money["need"]:
            stem = word.endswith("*")
            folded = re.escape(fold(word.rstrip("*")).strip()).replace(r"\ ", r"\s+")
            if path.parent.name in _INSIDE:
                inside.append(folded)
            else:
                whole.append(folded + (r"\w*" if stem else r"(?!\w)"))
    scale = rf"(?:{_alternation(s for s in scales if s)})\.?(?!\w)"
    long_scale = rf"(?:{_alternation(s for s in scales if len(s) > 1)})\.?(?!\w)"
    sums = re.compile("|".join((
        rf"{_NUMBER}\s?(?:{scale})?{_OF}{_CURRENCY}",      # "18.000 euros", "1,2 milhões de euros"
        rf"{_CURRENCY}\s?{_NUMBER}(?:\s?{scale})?",         # "€15k", "$ 40,000"
        rf"(?<!\w){long_scale}{_OF}{_CURRENCY}",            # "vint mil euros", "a million euros"
        rf"{_NUMBER}\s?k(?!\w)",                             # "30k"
        rf"{_NUMBER}\s?{long_scale}{_PURPOSE_AFTER}",        # "20 mil para comprar"
    )))
    needs = "|".join(filter(None, (
        rf"(?<!\w)(?:{'|'.join(sorted(whole, key=len, reverse=True))})" if whole else "",
        f"(?:{'|'.join(sorted(inside, key=len, reverse=True))})" if inside else "")))
    return sums, re.compile(needs or r"(?!)")


# Sentence ends; a dot between digits is a thousands separator, not one.
_SENTENCE_END = re.compile(r"[!?;\n؟]+|(?<!\d)\.+|\.+(?!\d)")


def _words_between(text: str, start: int, end: int) -> int:
    return len(text[start:end].split()) if end > start else 0


def states_money_need(text: str) -> bool:
    """Tell whether ``text`` states a sum of money beside a word that says it is needed.

    "Volem comprar tres bicis de càrrega i ens faltarien uns 18.000 euros" → True;
    "som una cooperativa amb un pressupost de 300.000 euros" (no need word) → False.
    """
    sums, needs = _tables()
    for sentence in _SENTENCE_END.split(fold(text or "")[:1000]):
        found = [m.span() for m in sums.finditer(sentence)]
        if not found:
            continue
        for need in needs.finditer(sentence):
            for start, end in found:
                gap = (_words_between(sentence, need.end(), start) if need.end() <= start
                       else _words_between(sentence, end, need.start()))
                if not (start < need.end() and need.start() < end) and gap <= WINDOW:
                    return True
    return False
