"""What matching is asked (a possibly partial need) and what it answers (proposals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from catalog import destinations
from catalog.models import Case

NEED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "funding": ("funding",),
    "consultancy": ("consultancy", "training"),
    "innovation": ("innovation",),
    "internationalisation": ("internationalisation", "networking"),
    "partners": ("networking",),
    "events": ("training", "networking"),
    "other": (),
}


@dataclass(frozen=True)
class Need:
    """What is known about an organisation and its need; every field may be missing."""

    language: str = "en"
    country: str | None = None
    legal_form: str | None = None
    stage: str | None = None
    sector: str | None = None
    need_category: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    words: str = ""
    delivered_in: str | None = None  # narrowing: only services delivered in this language
    destinations: tuple[str, ...] = ()  # where it wants to go (catalog/destinations.py)

    @classmethod
    def from_case(cls, case: Case) -> Need:
        """Describe a stored case."""
        return cls(language=case.language, country=case.country, legal_form=case.legal_form,
                   stage=case.stage, sector=case.sector, need_category=case.need_category,
                   amount=case.amount, currency=case.currency,
                   words=" ".join([case.need_description or "", *case.original_words]),
                   destinations=destinations.codes(case.destinations))


Reason = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Proposal:
    """One service or event proposed to the user, with why it fits."""

    kind: str  # "service" | "event"
    key: str
    title: str
    provider: str
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    summary: str = ""
    text_language: str = ""  # the language of title and summary (may differ from the user's)


@dataclass(frozen=True)
class Matches:
    """A page of proposals and how many fit in all (for events found by a topic: its words)."""

    total: int
    proposals: list[Proposal]
    topic: str = ""
