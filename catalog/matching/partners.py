"""Propose partner organisations: those that opted in to be found, never their contacts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog import destinations
from catalog.matching.need import Matches, Proposal
from catalog.models import Case


def find_partners(session: Session, case: Case, *, limit: int = 3) -> Matches:
    """Organisations that opted in to be found, in the same sector and another country."""
    if case.sector is None:
        return Matches(0, [])
    filters = [Case.discoverable.is_(True), Case.id != case.id,
               Case.conversation_id != case.conversation_id,
               Case.status != "closed", Case.sector == case.sector,
               Case.org_name.is_not(None)]
    if case.country:
        filters.append(Case.country != case.country)
    total = session.scalar(select(func.count()).select_from(Case).where(*filters)) or 0
    going = destinations.codes(case.destinations)
    found = session.scalars(select(Case).where(*filters).order_by(
        destinations.located_first(Case.country, going), Case.created_at.desc(),
        Case.id.desc()).limit(limit)).all()
    proposals = [Proposal(
        kind="partner", key=other.reference, title=other.org_name or other.reference,
        provider="", score=1.0,
        reasons=tuple(r for r in (destinations.reason([other.country or ""], going),
                                  ("reason_sector", {"sector": other.sector or ""}),
                                  ("reason_country", {"country": other.country or ""}))
                      if r is not None and any(r[1].values())))
        for other in found]
    return Matches(total, proposals)
