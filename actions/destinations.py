"""Where the organisation wants to go: the countries its partners, markets or fairs are in.

"Som una cooperativa de Girona i busquem socis d'Itàlia o de França" keeps Spain as home
(actions/places.py) and gives Italy and France as destinations, a field of the case of its
own (`destinations`, ISO codes). A country or a known town (catalog/places.py) named after
a destination word of the language pack (nlu/<lang>/fields.yml `targets:`) is one; in
Turkish, where the verb comes last ("İtalya'da ortaklar arıyoruz"), a destination word
later in the same clause also makes one (actions/places.py, which also keeps such a
country out of home).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.cleaning import find, words
from actions.common import language
from actions.places import countries_in, cues_in, is_destination
from catalog.places import find_town

SLOT = "destinations"
_CLAUSE_END = re.compile(r"[.;!?\n]")


def destinations_in(text: str, lang: str) -> list[str]:
    """The ISO codes of the countries ``text`` names as where the organisation wants to go."""
    if not text or text.startswith("/"):
        return []
    found: list[str] = []
    for hit in countries_in(text):
        if is_destination(text, hit, lang):
            found.append(hit.tag)
    # A known town after a destination word: "partners in Marseille" is France.
    for sentence in _CLAUSE_END.split(text):
        cue = max((h.end for h in cues_in(sentence, lang, "targets")), default=None)
        town = find_town(sentence[cue:]) if cue is not None else None
        if town is not None and len(town[1]) == 1:
            found.append(town[1][0])
    return list(dict.fromkeys(found))


def merged(old: Any, new: list[str]) -> list[str]:
    """The destinations held so far with the new ones added, in the order first named."""
    held = [str(code) for code in old] if isinstance(old, list) else []
    return list(dict.fromkeys([*held, *new]))


def destination_events(tracker: Tracker) -> list[EventType]:
    """Add the destinations the latest message names to the case's (never removes one)."""
    text = str(tracker.latest_message.get("text") or "")
    found = destinations_in(text, language(tracker))
    home = tracker.get_slot("country")
    found = [code for code in found if code != home]
    if not found:
        return []
    held = tracker.get_slot(SLOT)
    value = merged(held, found)
    return [SlotSet(SLOT, value)] if value != held else []


def _not_named(text: str, lang: str) -> list[str]:
    """The countries ``text`` names right after a "not" word ("…, not Italy")."""
    codes: list[str] = []
    countries = countries_in(text)
    for cue in find(text, words(lang, "not")):
        after = next((h for h in countries if h.start >= cue.end), None)
        if after is not None and not any(c.end <= after.start for c in countries
                                         if c.start >= cue.end and c is not after):
            codes.append(after.tag)
    return codes


def corrected(text: str, lang: str, held: Any, home: Any) -> list[str] | None:
    """The destinations after a correction at the summary; None when it names none.

    "Partners in Portugal, not Italy" adds Portugal and takes Italy out.
    """
    removed = set(_not_named(text, lang))
    found = [code for code in destinations_in(text, lang) if code not in removed]
    if not found and not removed:
        return None
    value = [code for code in merged(held, found) if code not in removed and code != home]
    return value


def named(value: str) -> list[str]:
    """Every country a value names, for "destinations: Italy and Portugal"."""
    return list(dict.fromkeys(hit.tag for hit in countries_in(value)))
