"""Search terms of services: the user's own words meet service texts in any language.

Words are reduced to language-neutral stems: case-folded, accents and Arabic
diacritics removed, the Arabic article dropped, and cut to their first
``STEM`` letters. Truncation is crude but works across the Romance languages
of the catalogue ("exportar", "exporter", "export" -> "export"; "cooperativa",
"coopérative" -> "cooper"), costs nothing at query time, and lets the database
do the lookup through an index (table ``service_term``).

A service's delivery languages are stored as terms too (``lang:fr``), so the
language preference is answered by the same index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from catalog.models import Service, ServiceEligibility, ServiceTerm, ServiceTranslation

STEM = 6
MIN_LENGTH = 4
MIN_LENGTH_ARABIC = 3  # Arabic words are built on three-letter roots
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ARABIC_ARTICLE = ("ال", "وال", "بال", "لل")

# Frequent function words of four letters or more in the nine languages. Words that are
# merely common in the catalogue are dropped at query time by document frequency instead.
STOPWORDS = frozenset("""
about also been before between from have into more most other over such than that their
them then there these they this those through very were what when where which while will
with would your ours
aber alla alle anche come della delle degli dello nella nelle negli sono essere questo questa
quello quella molto dove quando perché perche sulla sulle tutto tutti nostra nostro vostra
para pero como esta este esto estos estas porque sobre entre desde hasta donde cuando tiene
tienen nuestra nuestro muchas muchos todas todos tambien también ellos ellas sino
pour avec dans sont nous vous leur leurs mais comme cette ceux elle elles tout tous aussi
depuis entre être etre avoir plus moins très tres notre votre quand sans chez
amb però pero aquest aquesta aquests aquestes perquè perque també tambe molt molts moltes
tots totes nosaltres vosaltres seva seus seves quan fins
para pelo pela pelos pelas como esta este isto isso essa esse porque sobre entre desde
muito muita muitos muitas nossa nosso também tambem quando onde eles elas está estão
için icin gibi daha çok cok olan olarak veya ancak kadar sonra önce once bizim sizin
التي الذي الذين هذه هذا الى على ذلك التى
είναι ειναι για από απο στην στον στις στους μας σας αλλά αλλα όπως οπως πολύ πολυ
""".split())


def normalise(word: str) -> str:
    """Fold case, strip accents and Arabic vowel marks, and drop the Arabic article."""
    folded = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("\u0640", "")
    for article in _ARABIC_ARTICLE:
        if bare.startswith(article) and len(bare) - len(article) >= 3:
            return bare[len(article):]
    return bare


def stem_of(word: str) -> str | None:
    """Return the stem of one word, or None for a short word or a function word."""
    bare = normalise(word)
    minimum = MIN_LENGTH_ARABIC if "\u0600" <= bare[:1] <= "\u06ff" else MIN_LENGTH
    if len(bare) < minimum or bare in STOPWORDS:
        return None
    return bare[:STEM]


def words_of(text: str) -> list[re.Match[str]]:
    """Return the words of ``text`` as matches (where each is, as typed)."""
    return list(_WORD.finditer(text or ""))


def stems(text: str) -> dict[str, str]:
    """Return the stems of ``text``, each with the first word of the text that produced it."""
    found: dict[str, str] = {}
    for match in words_of(text):
        stem = stem_of(match.group())
        if stem is not None:
            found.setdefault(stem, match.group())
    return found


def service_terms(texts: Iterable[str], languages: Iterable[str]) -> set[str]:
    """Return every search term of a service from its texts and delivery languages."""
    terms: set[str] = set()
    for text in texts:
        terms.update(stems(text))
    terms.update(f"lang:{lang}" for lang in languages)
    return terms


ELIGIBILITY_COLUMNS = {"country": "eligible_countries", "legal_form": "eligible_legal_forms",
                       "stage": "eligible_stages", "sector": "eligible_sectors"}


def packed(values: Iterable[str]) -> str | None:
    """Codes as one delimited string (",ES,FR,"), or None for "no restriction"."""
    unique = sorted(set(values))
    return f",{','.join(unique)}," if unique else None


def derived_columns(eligibility: Iterable[tuple[str, str]],
                    languages: Iterable[str]) -> dict[str, str | None]:
    """The service columns the matching filters on, from eligibility rows and languages."""
    by_dimension: dict[str, list[str]] = {}
    for dimension, value in eligibility:
        by_dimension.setdefault(dimension, []).append(value)
    columns = {column: packed(by_dimension.get(dimension, ()))
               for dimension, column in ELIGIBILITY_COLUMNS.items()}
    columns["delivery_languages"] = packed(languages)
    return columns


def index_services(session: Session, service_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search terms of the given services (all when ``None``); return rows written.

    Uses Core statements only, so migrations can call it whatever the ORM looks like later.
    """
    ids = None if service_ids is None else list(service_ids)
    if ids == []:
        return 0

    def only(statement: Any, column: Any) -> Any:
        return statement if ids is None else statement.where(column.in_(ids))

    services = {row.id: (row.kind, row.languages or []) for row in session.execute(
        only(select(Service.id, Service.kind, Service.languages), Service.id))}
    texts: dict[int, list[str]] = {sid: [kind.replace("_", " ")]
                                   for sid, (kind, _) in services.items()}
    for row in session.execute(only(select(
            ServiceTranslation.service_id, ServiceTranslation.title,
            ServiceTranslation.summary, ServiceTranslation.description),
            ServiceTranslation.service_id)):
        texts.setdefault(row.service_id, []).extend(
            [row.title, row.summary, row.description or ""])
    eligibility: dict[int, list[tuple[str, str]]] = {}
    for row in session.execute(only(select(
            ServiceEligibility.service_id, ServiceEligibility.dimension,
            ServiceEligibility.value), ServiceEligibility.service_id)):
        eligibility.setdefault(row.service_id, []).append((row.dimension, row.value))
    session.execute(only(delete(ServiceTerm), ServiceTerm.service_id))
    updates = [{"id": sid, **derived_columns(eligibility.get(sid, []), languages)}
               for sid, (_, languages) in services.items()]
    rows = [{"service_id": sid, "term": term}
            for sid, (_, languages) in services.items()
            for term in sorted(service_terms(texts.get(sid, []), languages))]
    for start in range(0, max(len(updates), len(rows)), 5000):
        if updates[start:start + 5000]:
            session.execute(update(Service), updates[start:start + 5000])
        if rows[start:start + 5000]:
            session.execute(insert(ServiceTerm), rows[start:start + 5000])
    return len(rows)


def index_all(session: Session) -> int:
    """Rebuild every service's search terms and commit."""
    written = index_services(session)
    session.commit()
    return written
