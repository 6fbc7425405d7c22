"""Where the organisation is, read from a message: the town, not a word of its name.

"Sóc en Pau, de Teixits Vius SCCL, una cooperativa tèxtil de Manresa" is in Manresa; "da
Brilho Comum, … na Amadora" in Amadora, not "Brilho Comum"; "vendre a Barcelona i a Palma"
names where they want to sell. A town of the gazetteer written as a place wins, the town
named before a region word wins over the region (actions/localities.py), and the case keeps
a district's city and a known town's proper spelling. Called by `extract`
(actions/extraction.py) for every message.
"""

from __future__ import annotations

import re
from functools import cache

from actions.extraction import Extracted, country_code, fold
from actions.localities import after_region_word, settled, town_before_region
from catalog.languages import pack_file
from catalog.places import find_district, find_towns
from catalog.vocabulary import LANGUAGES

# Words before a place: "in" ones say where the organisation is ("en Zaragoza", "em Seia",
# "na Amadora", "στη Λάρισα"); "of/from" ones ("de", "da", "di", "a") also come before an
# organisation's or a person's name ("da Brilho Comum", "coordeno a Lavandaria").
_STRONG_CUES = (r"à|en|em|in|na|no|nel|nella|based in|located in|ubicad[ao]s? en|"
                r"situad[ao]s? en|basés? à|con sede a|sede a|με έδρα (?:τη|το|την)|στη|στο|στην")
_WEAK_CUES = r"a|di|de|da|do|from"
_CAPITALISED = r"[A-ZÀ-ÖØ-ÞΑ-Ω][\w'’À-ÿΑ-ώ-]+"
# A town's name: one to three capitalised words, maybe linked to one or two more by "of"
# ("Castel San Pietro", "Ponte da Barca", "Vila Nova de Famalicão", "Seu d'Urgell").
_PLACE = (rf"({_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}}(?:(?:\s+(?:de|da|do|dos|das|di|del|della|"
          rf"dels|de la|du|des)\s+|\s+d['’]){_CAPITALISED}(?:\s+{_CAPITALISED})?)?)")
# Searched at every word ("in Pasta di Modena" is a name; "di Modena" after it is the town).
_CITY_CUES = re.compile(rf"(?=(?:\b(?:(?P<strong>{_STRONG_CUES})|{_WEAK_CUES})\s+){_PLACE})")
# Continents and seas are where people sell or look, not a town.
_REGIONS = frozenset({"europa", "europe", "avrupa", "africa", "afrique", "afrika", "magreb",
                      "maghreb", "mediterrani", "mediterraneo", "mediterranee", "akdeniz",
                      "mediterranean", "balcans", "balkans", "balcanes", "balcani", "balkanlar"})
# "Mani in Pasta": an "in" word between two capitalised words is inside a name.
_IN_A_NAME = re.compile(r"\b[A-ZÀ-ÖØ-ÞΑ-Ω][a-zß-öø-ÿά-ώ'’-]+\s+$")
_ACRONYM = re.compile(r"[A-Z]{2,6}")  # "IPSS", "SCCL": not a town
# A place and "and/or/," before the next one: "Barcelona i a ", "Tunisia o a ", "Lyon, ".
_LISTED = re.compile(rf"{_CAPITALISED}(?:\s+{_CAPITALISED})?(?:\s*,|\s+(?:i|e|y|and|et|ou|o|"
                     rf"or|ve|veya|και|ή|و))\s*(?:(?:{_STRONG_CUES}|{_WEAK_CUES})\s+)?$")
_TURKISH_LOCATIVE = re.compile(r"([A-ZÇĞİÖŞÜ][\wçğıöşü]+)['’](?:de|da|te|ta)\b")


def city_in(text: str, known: Extracted, lang: str = "en") -> str | None:
    """Return where the organisation is, if the text says it, and it is not a country.

    A town named just before a region ("a Vittoria, provincia di Ragusa") wins; then a town
    of the gazetteer written as a place, one after a region word last; then a known
    district, which gives its city. Otherwise a capitalised name after a locative word: the
    first after an "in" word, else the last after an "of/from" word ("de Net i Just SCCL,
    una cooperativa de neteja de Sabadell"), never after a destination word ("partners
    in Marseille"). "sou a Helena Marques", "sóc en Martí": "a" and "en" are a person's
    article there (the pack's "I am" phrases say so), not "in"; "da Associação Sol": the
    organisation's name, not a place.
    """
    before_region = town_before_region(text, lang)  # "في منزل تميم، ولاية نابل"
    if before_region is not None and country_code(before_region) is None:
        return settled(before_region)
    town = home_town(text, lang)
    if town is not None and country_code(town[0]) is None:
        return settled(town[0])
    district = find_district(text)  # "del Poblenou": Barcelona
    if district is not None and _placed(text, district, lang):
        return settled(district)
    strong: list[str] = []
    weak: list[str] = []
    covered = -1
    for match in _CITY_CUES.finditer(text):
        if match.start(2) < covered:
            continue  # inside a name already taken ("Ponte da Barca": not "Barca")
        candidate = match.group(2).strip()
        if country_code(candidate) is None and candidate not in known.evidence.values() \
                and not _ACRONYM.fullmatch(candidate) and fold(candidate) not in _REGIONS \
                and not _after_self(text[:match.start(2)], lang) \
                and not _in_org_name(candidate, known) \
                and not _after_target(text[:match.start(2)], lang):
            if not match.group("strong"):
                weak.append(candidate)
                covered = match.end(2)
            elif not _IN_A_NAME.search(text[:match.start()]) \
                    or _form_ends_name(text[:match.start()], known):
                strong.append(candidate)
                covered = match.end(2)
    for found in _TURKISH_LOCATIVE.finditer(text):  # İzmir'de
        if country_code(found.group(1)) is None:
            strong.append(found.group(1))
    if strong:
        return settled(strong[0])
    return settled(weak[-1]) if weak else None


def home_town(text: str, lang: str) -> tuple[str, tuple[str, ...]] | None:
    """The first known town ``text`` places the organisation in, with its countries.

    Written as a place (see `_placed`): "quem já fez isso" is no Fès, "vendre a Barcelona"
    is where they go. A town named after a region word ("provincia di Ragusa") comes after
    the others: the town named beside it is more precise.
    """
    towns = [town for town in find_towns(text) if _placed(text, town[0], lang)]
    towns.sort(key=lambda town: after_region_word(text, town[0], lang))
    return towns[0] if towns else None


def _placed(text: str, town: str, lang: str) -> bool:
    """Whether a gazetteer town is where the organisation is, as written in ``text``.

    Written with a capital, or right after a locative word ("somos de zaragoza"), and not
    where they want to go: Portuguese "fez" (did) and Greek "καιρό" (a while) are not Fès
    and Cairo; "una fira a Barcelona" after "volem anar" is a destination.
    """
    at = text.find(town)
    before = text[:at] if at >= 0 else ""
    cue = re.search(rf"\b(?:{_STRONG_CUES}|{_WEAK_CUES})\s*$", before, re.IGNORECASE)
    if town == town.lower() and town.upper() != town and cue is None:
        return False
    # "sono Vittoria": a person named like a town ("Biz İzmir'de …" is a place).
    person = _after_self(before, lang) and not re.match(r"['’]", text[at + len(town):])
    return not person and not _after_target(before, lang)


def _after_target(before: str, lang: str) -> bool:
    """Whether a destination word comes just before ("we look for partners in …")."""
    # "vendre a Barcelona i a Palma": a town listed after a destination is one too.
    sentence = re.split(r"[.;!?\n]", before)[-1]
    while (listed := _LISTED.search(sentence)) is not None:
        sentence = sentence[:listed.start()]
    clause = sentence.split(",")[-1]
    words = fold(clause).split()
    for cue in _targets(lang):
        parts = cue.split()
        for start in range(max(0, len(words) - 4), len(words) - len(parts) + 1):
            if words[start:start + len(parts)] == parts \
                    and not (start and words[start - 1].isdigit()):
                return True  # "12 sòcies a Girona": a number before it makes it members
    return False


@cache
def _targets(lang: str) -> tuple[str, ...]:
    """Folded destination words of the pack (nlu/<lang>/fields.yml `targets:`)."""
    return tuple(fold(str(w)) for w in pack_file(lang, "fields.yml").get("targets") or []
                 if lang in LANGUAGES)


@cache
def _self_words(lang: str) -> tuple[str, ...]:
    """Folded "I am" / "my name is" phrases of the pack's fields.yml, lang + English."""
    return tuple(sorted({fold(str(w)) for code in {lang, "en"} if code in LANGUAGES
                         for w in pack_file(code, "fields.yml").get("self") or []}))


def _in_org_name(candidate: str, known: Extracted) -> bool:
    """Whether the candidate begins with the legal form read from the text ("Associação")."""
    form = known.evidence.get("legal_form")
    return bool(form) and fold(candidate).startswith(str(form))


def _form_ends_name(before: str, known: Extracted) -> bool:
    """Whether ``before`` ends with a name closed by its legal form ("Riverside Food Co-op",
    "Hope Cooperative"): an "in" after it says where the organisation is, not a word inside
    the name ("Mani in Pasta"); a name that begins with its form may go on ("Cooperativa in
    Rete")."""
    form = known.evidence.get("legal_form")
    if not form:
        return False
    words = before.split()
    size = len(str(form).split())
    return len(words) > size and fold(" ".join(words[-size:])) == fold(str(form)) \
        and bool(re.fullmatch(_CAPITALISED, words[-size - 1]))


def _after_self(before: str, lang: str) -> bool:
    """Whether ``before`` ends with an "I am" phrase of the pack ("sou a", "sóc en")."""
    folded = " ".join(re.findall(r"[\w'’]+", fold(before)))
    return any(folded == w or folded.endswith(" " + w) for w in _self_words(lang))
