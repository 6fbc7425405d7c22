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

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from catalog.models import Service, ServiceTerm, ServiceTranslation

STEM = 6
MIN_LENGTH = 4
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


def stems(text: str) -> dict[str, str]:
    """Return the stems of ``text``, each with the first word of the text that produced it."""
    found: dict[str, str] = {}
    for match in _WORD.finditer(text or ""):
        word = normalise(match.group())
        if len(word) < MIN_LENGTH or word in STOPWORDS:
            continue
        found.setdefault(word[:STEM], match.group())
    return found


def service_terms(texts: Iterable[str], languages: Iterable[str]) -> set[str]:
    """Return every search term of a service from its texts and delivery languages."""
    terms: set[str] = set()
    for text in texts:
        terms.update(stems(text))
    terms.update(f"lang:{lang}" for lang in languages)
    return terms


def index_services(session: Session, service_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search terms of the given services (all when ``None``); return rows written.

    Uses Core statements only, so migrations can call it whatever the ORM looks like later.
    """
    ids_filter = None if service_ids is None else list(service_ids)
    query = select(Service.id, Service.kind, Service.languages)
    if ids_filter is not None:
        if not ids_filter:
            return 0
        query = query.where(Service.id.in_(ids_filter))
    services = {row.id: (row.kind, row.languages or []) for row in session.execute(query)}
    texts: dict[int, list[str]] = {sid: [kind.replace("_", " ")]
                                   for sid, (kind, _) in services.items()}
    text_query = select(ServiceTranslation.service_id, ServiceTranslation.title,
                        ServiceTranslation.summary, ServiceTranslation.description)
    if ids_filter is not None:
        text_query = text_query.where(ServiceTranslation.service_id.in_(ids_filter))
    for row in session.execute(text_query):
        texts.setdefault(row.service_id, []).extend(
            [row.title, row.summary, row.description or ""])
    if ids_filter is None:
        session.execute(delete(ServiceTerm))
    else:
        session.execute(delete(ServiceTerm).where(ServiceTerm.service_id.in_(ids_filter)))
    rows = [{"service_id": sid, "term": term}
            for sid, (_, languages) in services.items()
            for term in sorted(service_terms(texts.get(sid, []), languages))]
    for start in range(0, len(rows), 5000):
        session.execute(insert(ServiceTerm), rows[start:start + 5000])
    return len(rows)


def index_all(session: Session) -> int:
    """Rebuild every service's search terms and commit."""
    written = index_services(session)
    session.commit()
    return written
