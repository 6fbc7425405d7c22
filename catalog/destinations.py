"""Where the organisation wants to go, in matching: what is located there ranks higher.

A case's `destinations` (ISO codes, home left out) say where its partners, markets or
fairs should be. Partner organisations located there, events held there and services of
providers based there rank above the others that fit as well, and say why ("in Italy,
where you want to go"). Pure helpers over plain data and SQL expressions: no session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, literal, select
from sqlalchemy.orm import QueryableAttribute

from catalog.models import Provider, Service

WEIGHT_DESTINATION = 3  # as much as the sector: the reason the user came for
REASON = "reason_destination"

Reason = tuple[str, dict[str, str]]


def codes(destinations: Iterable[Any] | None) -> tuple[str, ...]:
    """The destinations as upper-case ISO codes, each once, in order."""
    return tuple(dict.fromkeys(str(c).upper() for c in destinations or () if c))


def located_first(column: QueryableAttribute[Any], destinations: Sequence[str]
                  ) -> ColumnElement[int]:
    """An ORDER BY key putting rows whose ``column`` is a destination first."""
    if not destinations:
        return literal(0)
    return case((column.in_(list(destinations)), 0), else_=1)


def service_score(destinations: Sequence[str]) -> ColumnElement[int]:
    """Extra score for a service whose provider is based in a destination country."""
    if not destinations:
        return literal(0)
    based_there = select(Provider.id).where(Provider.country.in_(list(destinations)))
    return case((Service.provider_id.in_(based_there.scalar_subquery()),
                 WEIGHT_DESTINATION), else_=0)


def event_score(countries: Iterable[str] | None, destinations: Sequence[str]) -> int:
    """Extra score for an event held in a destination country."""
    return WEIGHT_DESTINATION if reason(countries, destinations) else 0


def reason(countries: Iterable[str] | None, destinations: Sequence[str]) -> Reason | None:
    """"In Italy, where you want to go": the first destination among ``countries``."""
    held = set(countries or ())
    code = next((c for c in destinations if c in held), None)
    return (REASON, {"country": code}) if code else None
