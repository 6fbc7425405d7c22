"""Where the organisation is, as opposed to where it wants to go.

"Som una cooperativa de Girona i busquem socis d'Itàlia o de França": France and Italy are
where the partners are, not the cooperative's country. A country named after a word of
destination ("partners", "export", "towards": nlu/<lang>/fields.yml `targets:`) in the
same sentence is a destination, unless a word of home ("based in", "som de") comes
closer before it.
"""

from __future__ import annotations

import re
from functools import cache

from actions.cleaning import Found, find, fold, words
from actions.extraction import country_names, detach_countries
from actions.name_forms import detach_particles, phrase_index
from catalog.places import marked_towns

_SENTENCE = re.compile(r"[.;!?\n]")


def countries_in(text: str) -> list[Found]:
    """Every country named in ``text`` (any of the nine languages), in order.

    Greek cases ("στην Ιταλία", "του Λιβάνου") are names too, and an Arabic particle
    attached to a name ("وإيطاليا", "للمغرب") is no part of it.
    """
    towns = {fold(town) for town in marked_towns(text)}  # "عمّان" is Amman, not Oman
    return [Found(h.start, h.end, h.phrase, country_names()[h.phrase])
            for h in find(detach_countries(fold(text)), _longest_first())
            if fold(h.phrase) not in towns]


@cache
def _longest_first() -> tuple[str, ...]:
    """The country names, longest first (a longer name wins over one inside it)."""
    return tuple(sorted(country_names(), key=len, reverse=True))


def cues_in(text: str, lang: str, section: str) -> list[Found]:
    """The phrases of a `fields.yml` section in ``text``, an Arabic particle attached or not.

    "ونبحث عن شركاء", "مقرنا بالمغرب وللتصدير": the conjunction or preposition written
    onto the cue does not hide it.
    """
    phrases = words(lang, section)
    return find(detach_particles(fold(text), phrase_index(phrases)), phrases)


# A Turkish country name in the dative ("Hollanda'ya", "Fransa'ya", "İtalya'ya") is a "to".
# "Almanya ve Hollanda'ya": the suffix on the last of a list covers the list.
_TURKISH_DATIVE = re.compile(
    r"(?:\s+(?:ve|veya|ya da|ile)\s+[A-ZÇĞİÖŞÜ][\wçğıöşü]*)*['’]y?[ae]\b")
# Turkish puts the verb last: what a country is to the organisation may come after it, up
# to a comma or the first word that ends the clause with "we" ("kooperatifiz", "arıyoruz").
_TURKISH_CLAUSE = re.compile(r"[^,.;!?\n]*?[^\W\d_]*[iıuü]z\b|[^,.;!?\n]*")


def _turkish_target_after(text: str, hit: Found) -> bool:
    """Whether a Turkish destination word follows the country, before any word of home.

    "Almanya ve Hollanda'daki marketlere ihraç etmek istiyoruz", "Yunanistan ve İtalya'dan
    gruplarla ortak oyun": where they sell or look for partners; "Türkiye'de bir
    kooperatifiz ve Yunanistan'da ortak arıyoruz": the clause about Türkiye ends at
    "kooperatifiz", so Türkiye stays home.
    """
    clause = _TURKISH_CLAUSE.match(text, hit.end)
    rest = clause.group(0) if clause else ""
    targets = [h.start for h in cues_in(rest, "tr", "targets")]
    homes = [h.start for h in cues_in(rest, "tr", "home")]
    return bool(targets) and not any(h < min(targets) for h in homes)


def is_destination(text: str, hit: Found, lang: str) -> bool:
    """Whether the country at ``hit`` is named as a destination, not as home."""
    folded = fold(text)
    start = max((m.end() for m in _SENTENCE.finditer(folded, 0, hit.start)), default=0)
    clause = text[start:hit.start]
    if lang == "tr" and _TURKISH_DATIVE.match(text, hit.end):
        return True  # "Almanya'ya ihraç etmek": the dative says where to
    if lang == "tr" and _turkish_target_after(text, hit):
        return True
    cues = [(h.end, "target") for h in cues_in(clause, lang, "targets")]
    cues += [(h.end, "home") for h in cues_in(clause, lang, "home")]
    if not cues:
        return False
    return max(cues)[1] == "target"


def home_countries(text: str, lang: str) -> list[str]:
    """The ISO codes of the countries ``text`` names as home (destinations left out)."""
    return [h.tag for h in countries_in(text) if not is_destination(text, h, lang)]


def only_destination(text: str, code: str, lang: str) -> bool:
    """Whether ``text`` names country ``code`` only as a destination (never as home)."""
    hits = [h for h in countries_in(text) if h.tag == code]
    return bool(hits) and all(is_destination(text, h, lang) for h in hits)
