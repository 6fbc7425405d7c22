"""Corrections at the summary: the field the user names gets the value they give.

"το ονομα μου ειναι Γιώργος Μανωλάκης" ("my name is") changes the contact person, not the
organisation; "the phone is 612 34 56 78" changes the phone, normalised like the first
answer; "l'organització es diu La Teixidora SCCL" the organisation, suffix and all. The words
that name each field are data (nlu/<lang>/fields.yml `fields:`). Without such words, values
that say what they are (an e-mail, a phone, an amount, a country, a legal form...) go to
their field; a bare name, which could be the organisation's, the contact's or a town's,
makes the assistant ask which field it is for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from rasa_sdk import Tracker

from actions import destinations
from actions.amounts import parse_currency, stated_amount
from actions.cleaning import (
    Found,
    _cut_at,
    clean_org_name,
    clean_person_name,
    field_words,
    find,
    first_clause,
    fold,
    strip_leading,
    words,
)
from actions.common import intent_of, language
from actions.extraction import extract
from actions.places import home_countries, only_destination
from actions.towns import city_answer, country_of
from actions.validators import parse_country, parse_email, parse_phone, parse_positive_int

# Fields a bare value may belong to: the assistant asks which one (buttons).
ASKABLE = ("org_name", "contact_name", "city", "need_description")
PREFILLABLE = ("legal_form", "sector", "stage", "need_category", "members")
# Entities the model finds that are read again from the text instead of taken as they come.
RE_READ = frozenset({"consent", "members", "amount", "currency", "email", "phone", "country",
                     "org_name", "contact_name", "city"})
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_WHOLE_NUMBER = re.compile(r"(?<![\d.,])\d+(?![.,]?\d)")
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_SENTENCE_END = re.compile(r"(?<=\w)[.!?;](?=\s+\S)|\n")
# Punctuation a name written again does not run across ("…Ανδρέας, με δέλτα: Ανδρέας …").
_PIECES = re.compile(r"[,.;:!?()«»\"“”„/\n]+")
# How alike (difflib ratio of the folded words) a name must be to the one held to be it
# written again: one or two letters changed in a name of ten or more.
RESPELT = 0.8
_EXTENDED = 0.9  # the name held followed by more words: "Rana Khatib" → "Rana Khatib Zoubi"
ASK_WHICH = "utter_ask_which_field"
_NEED_WORDS = 3  # a "description" this short that names a kind of need changes the need
# The held name's words in another order or form ("Ca Nostra Cooperativa d'Habitatge" for
# "Ca Nostra Habitatge Cooperatiu"): below a respelling, above no match.
_REWORDED = 0.79
_STEM = 5  # letters two forms of a word share at least ("cooperatiu", "cooperativa")


def _word_parts(words: list[str]) -> set[str]:
    """The folded words, split at apostrophes, without elided articles ("d'", "l'")."""
    return {part for word in words for part in re.split(r"['’]", word) if len(part) > 1}


def _core(words: list[str]) -> list[str]:
    """The words in order, without one-letter words and elided articles."""
    return [part for word in words for part in re.split(r"['’]", word) if len(part) > 1]


def _same_word(one: str, other: str) -> bool:
    if len(one) < _STEM or len(other) < _STEM:
        return one == other
    return one[:_STEM] == other[:_STEM]


def _reworded(span: list[str], held: list[str]) -> bool:
    """Every word of each is a word of the other, in any order or form."""
    mine, theirs = _word_parts(span), _word_parts(held)
    return bool(mine) and all(any(_same_word(a, b) for b in theirs) for a in mine) \
        and all(any(_same_word(b, a) for a in mine) for b in theirs)


@dataclass
class Correction:
    """What a message at the summary changes, or why it changes nothing."""

    updates: dict[str, Any] = field(default_factory=dict)
    unsure: str | None = None  # a value whose field cannot be told: ask which
    invalid: str | None = None  # the response saying why the named field's value is refused


def named_field(text: str, lang: str) -> tuple[str, str] | None:
    """Return (field, the words of its new value) when ``text`` names a field.

    The longest naming words followed by a value win ("contact email" is the e-mail, not
    the contact; "la città è Vittoria, … Ragusa è la provincia" is the city Vittoria); the
    value is what follows them, up to an "old value" word ("Girona, not Barcelona"), or what
    precedes them when nothing follows ("Ana Ruiz is my name"). Words such as "correct" or
    "full" inside the naming words are read as if absent ("the correct name of the org").
    """
    hits = _field_hits(text, lang)
    if not hits:
        return None
    ranked = sorted(hits, key=lambda h: (len(h.phrase), -h.start), reverse=True)
    hit = next((h for h in ranked if _value_after(text, h, lang, sentence=True)), ranked[0])
    value = _value_after(text, hit, lang)
    if not re.search(r"\w", value):
        value = _strip_trailing(text[:hit.start], words(lang, "connectors"))
    return hit.tag, value.strip(" .,;:!?")


def _field_hits(text: str, lang: str) -> list[Found]:
    """The naming words in ``text``, also with the qualifiers ("correct", "full") blanked."""
    # Words inside an address are not field names ("contact@..." names no contact).
    addresses = [m.span() for m in _ADDRESS.finditer(text)]
    blanked = list(text)
    for qualifier in find(text, words(lang, "qualifiers")):
        blanked[qualifier.start:qualifier.end] = " " * (qualifier.end - qualifier.start)
    hits = find(text, field_words(lang)) + find("".join(blanked), field_words(lang))
    return [h for h in hits if not any(start <= h.start < end for start, end in addresses)]


def _value_after(text: str, hit: Found, lang: str, sentence: bool = False) -> str:
    """The words after a field's naming words, up to an "old value" word; with ``sentence``,
    only those of the same sentence."""
    rest = text[hit.end:]
    if sentence:
        rest = _SENTENCE_END.split(rest, maxsplit=1)[0]
    # "my full name, the correct one, is …": qualifiers after the naming words go too.
    value = strip_leading(rest, words(lang, "connectors") + words(lang, "qualifiers"))
    after = find(value, words(lang, "not_after"))
    if after and re.search(r"\w", value[after[0].end:]):
        # Turkish puts "not" after the old value: "11 değil, 13 kişiyiz" is 13.
        value = strip_leading(value[after[0].end:], words(lang, "connectors"))
    value = _cut_at(value, find(value, words(lang, "not")))
    return value if re.search(r"\w", value) else ""


def _strip_trailing(text: str, connectors: tuple[str, ...]) -> str:
    """Remove connector words from the end of ``text`` ("Ana Ruiz is" → "Ana Ruiz")."""
    text = text.strip(" .,;:!?")
    for _ in range(4):
        folded = fold(text)
        cut = next((len(folded) - len(c) for c in connectors
                    if folded.endswith(" " + c) or folded == c), None)
        if cut is None:
            return text
        text = text[:cut].strip(" .,;:!?")
    return text


# Fields read by a parser, first from the named value, then from the whole message:
# parser (value, country, language) and the response that refuses what it cannot read.
_PARSED: dict[str, tuple[Callable[[str, Any, str], Any], str]] = {
    "email": (lambda text, _country, _lang: parse_email(text), "utter_invalid_email"),
    "phone": (lambda text, country, _lang: parse_phone(text, country), "utter_invalid_phone"),
    "members": (lambda text, _country, lang: parse_positive_int(text, lang),
                "utter_invalid_number"),
}


def value_for(name: str, value: str, tracker: Tracker, lang: str) -> Correction:
    """Read the value of the field the user named, the way its question reads an answer."""
    country = tracker.get_slot("country")
    text = str(tracker.latest_message.get("text") or "")
    if name in _PARSED:
        parse, refusal = _PARSED[name]
        found = parse(value, country, lang) or parse(text, country, lang)
        return Correction({name: found}) if found else Correction(invalid=refusal)
    if name == destinations.SLOT:
        codes = destinations.named(value)
        return Correction({name: codes}) if codes else Correction(
            invalid="utter_invalid_country")
    if name == "country":
        code = next(iter(home_countries(value, lang)), None) or parse_country(value)
        return Correction({"country": code}) if code else Correction(
            invalid="utter_invalid_country")
    if name == "website":
        address = next((w for w in value.split() if "." in w), None)
        return Correction({"website": address.strip(".,;")}) if address else Correction(
            invalid="utter_invalid_choice")
    if name == "city":
        code = parse_country(value) if len(value.split()) <= 3 else None
        if code and code == (parse_country(first_clause(value, lang)) or code):
            return Correction({"country": code})  # "based in Spain" names a country
        value = city_answer(value, lang)
        home = country_of(value)  # "the city is Vittoria": a known Italian town is Italy
        if value and len(value) <= 200 and home not in (None, country):
            return Correction({"city": value, "country": home})
    elif name == "org_name":
        value = clean_org_name(value, lang)
    elif name == "contact_name":
        value = clean_person_name(value, lang)
    elif name == "need_description":
        need = extract(text, lang).need_category
        if need and need != tracker.get_slot("need_category") and \
                len(value.split()) <= _NEED_WORDS:
            # "lo que necesitamos es asesoramiento": a kind of need, not a description
            return Correction({"need_category": need})
        value = value[:4000]
    return Correction({name: value}) if (value and len(value) <= 200) or \
        (name == "need_description" and value) else Correction(invalid="utter_invalid_choice")


def _typed(tracker: Tracker, text: str, lang: str) -> dict[str, Any]:
    """Values that say what they are: e-mail, phone, amount, home country, coded answers."""
    country = tracker.get_slot("country")
    updates: dict[str, Any] = {}
    found = extract(text, lang)
    for slot in PREFILLABLE:
        if getattr(found, slot) is not None:
            updates[slot] = getattr(found, slot)
    if "members" not in updates and (count := _count_put_right(
            text, lang, tracker.get_slot("members"))) is not None:
        updates["members"] = count
    if (email := parse_email(text)) is not None:
        updates["email"] = email
    money = stated_amount(text, lang, country)
    if money is None:
        for span in _PHONE_LIKE.findall(text):
            if (number := parse_phone(span, country)) is not None:
                updates["phone"] = number
                updates.pop("members", None)  # the digits of a phone are no head count
                break
    homes = home_countries(text, lang)
    if homes:
        updates["country"] = homes[0]
    going = destinations.corrected(text, lang, tracker.get_slot(destinations.SLOT),
                                   updates.get("country") or country)
    if going is not None:
        updates[destinations.SLOT] = going
    for entity in tracker.latest_message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name == "country" and "country" not in updates:
            code = parse_country(str(value or ""))
            if code and not only_destination(text, code, lang):
                updates["country"] = code
        elif name in ("legal_form", "sector", "stage", "need_category", "timeline") \
                and name not in updates and name not in found.unsure:
            updates[name] = value  # not a form only planned ("we'd like to become a coop")
    return updates


def _count_put_right(text: str, lang: str, held: Any) -> int | None:
    """The head count a message gives against the one held, which it denies: "sorry, we
    are 14 not 40", "somos 14 y no 40", "not 40, 14" (no word for members needed)."""
    try:
        old = int(float(held))
    except (TypeError, ValueError):
        return None
    numbers = [(m.start(), int(m.group())) for m in _WHOLE_NUMBER.finditer(text)]
    olds = [start for start, n in numbers if n == old]
    new = [n for _, n in numbers if n != old]
    if len(olds) != 1 or len(new) != 1 or new[0] <= 0:
        return None
    before = f" {fold(text[:olds[0]]).strip(' ,;:-')}"
    return new[0] if any(before.endswith(f" {phrase}") for phrase in words(lang, "not")) \
        else None


def _amount(tracker: Tracker, text: str, lang: str, currency_of: Any) -> dict[str, Any]:
    """The amount and currency a correction states, or only the currency it names."""
    country = tracker.get_slot("country")
    money = stated_amount(text, lang, country)
    if money is not None:
        return {"amount": float(money.amount),
                "currency": money.currency or currency_of(tracker.get_slot("currency"), country)}
    named = parse_currency(text, country)
    if named is not None and tracker.get_slot("amount") is not None:
        return {"currency": named}  # "in dirhams, not euros"
    return {}


def _respelt(tracker: Tracker, text: str) -> tuple[str, str] | None:
    """(field, value) when ``text`` writes a name the summary holds again, differently.

    A span of as many words as the held name (one more or one fewer) that is nearly the
    same ("Deniz Aslan" for "Deniz Arslan"), or the held name followed by more words of the
    same piece ("رنا الخطيب الزعبي" for "رنا الخطيب"), is the new spelling of that field; so
    is a span with the held name's words in another order or form ("Ca Nostra Cooperativa
    d'Habitatge" for "Ca Nostra Habitatge Cooperatiu"). The held name written unchanged is
    no correction of it.
    """
    best: tuple[float, str, str] | None = None
    for name in ASKABLE:
        held = tracker.get_slot(name)
        if name == "need_description" or not isinstance(held, str) or not held.strip():
            continue
        held_folded = fold(held)
        size = len(held.split())
        for piece in _PIECES.split(text):
            tokens = piece.split()
            folded = [fold(t) for t in tokens]
            for start in range(len(tokens)):
                if folded[start:start + size] == held_folded.split() \
                        and start + size < len(tokens) <= start + size + 2:
                    score, value = _EXTENDED, " ".join(tokens[start:])
                else:
                    score, value = 0.0, ""
                for width in {size - 1, size, size + 1} - {0}:
                    span = " ".join(folded[start:start + width])
                    if start + width > len(tokens) or len(span) < 4 or span == held_folded \
                            or _core(folded[start:start + width]) == _core(held_folded.split()):
                        continue  # the held name itself, a short word by it ("à Tunis")
                    ratio = SequenceMatcher(None, span, held_folded).ratio()
                    if ratio < RESPELT:
                        ratio = _REWORDED if _reworded(folded[start:start + width],
                                                       held_folded.split()) else 0.0
                    if ratio and ratio > score:
                        score, value = ratio, " ".join(tokens[start:start + width])
                if value and (best is None or score > best[0]):
                    best = (score, name, value)
    return (best[1], best[2]) if best else None


def _free(tracker: Tracker, text: str, lang: str, updates: dict[str, Any]) -> Correction:
    """A town, a name: a name the summary holds written again is that field's; a town when
    the message locates the organisation; else ask which."""
    # The coded words a name holds ("… Tarım Kooperatifi") are part of it, not answers.
    if set(updates) <= set(PREFILLABLE) and (respelt := _respelt(tracker, text)) is not None:
        result = value_for(respelt[0], respelt[1], tracker, lang)
        if not result.invalid:
            return result
    entities = {e.get("entity"): str(e.get("value") or "")
                for e in tracker.latest_message.get("entities") or []}
    city = entities.get("city")
    if city and fold(city) not in fold(text):
        # A value the message does not hold: a synonym of another field's word ("d'Habitatge"
        # tagged as a town comes back as the sector code "housing"), not a town given.
        city = None
    city = city or extract(text, lang).city
    if city and "country" not in updates and not find(text, words(lang, "targets")):
        return Correction({**updates, "city": city})  # "à Tanger, pas à Tunis"
    if updates:
        return Correction(updates)
    bare = entities.get("org_name") or entities.get("contact_name") or _bare_value(
        tracker, text)
    return Correction(unsure=bare) if bare else Correction()


def _bare_value(tracker: Tracker, text: str) -> str | None:
    """A short message that is only a value ("Γιώργος Μανωλάκης"), not a request to change."""
    intent = intent_of(tracker)
    stripped = text.strip(" .!")
    if intent != "inform" or not stripped or re.search(r"\d", stripped):
        return None
    return stripped if len(stripped.split()) <= 6 else None


def read_correction(tracker: Tracker, currency_of: Any) -> Correction:
    """Return what the latest message at the summary changes.

    ``currency_of(value, country)`` turns a slot's currency into an ISO code.
    """
    lang = language(tracker)
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return Correction()
    named = named_field(text, lang)
    if named is not None:
        result = value_for(named[0], named[1], tracker, lang)
        going = destinations.corrected(text, lang, tracker.get_slot(destinations.SLOT),
                                       tracker.get_slot("country"))
        # "socis a Portugal": a field word ("socis") that is also a destination word.
        return Correction({destinations.SLOT: going}) if result.invalid and going else result
    updates = {**_typed(tracker, text, lang), **_amount(tracker, text, lang, currency_of)}
    if "amount" in updates:
        updates.pop("members", None)  # "we need 270000 euros" is no head count
    return _free(tracker, text, lang, updates)


def pending_value(events: list[dict[str, Any]]) -> str | None:
    """The value the assistant asked a field for: the message before "which field?"."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) < 2:
        return None
    previous, latest = users[-2], users[-1]
    asked = any(e.get("event") == "bot"
                and (e.get("metadata") or {}).get("utter_action") == ASK_WHICH
                for e in events[previous:latest])
    text = str(events[previous].get("text") or "").strip(" .!")
    return text if asked and text and not text.startswith("/") else None
