"""Channel updates handled once, marked done only when handling succeeded.

A process claims an update before handling it (so two replicas receiving the same
redelivery do not both answer), marks it done afterwards, and removes the claim if
handling failed. A claim left unfinished by a process that died expires after
CLAIM_LEASE, so the channel's next redelivery is handled.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from catalog.models import ProcessedUpdate

KEEP = dt.timedelta(days=7)  # channels redeliver for hours, not weeks
CLAIM_LEASE = dt.timedelta(seconds=90)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def claim(sessions: sessionmaker[Session], channel: str, external_id: str, *,
          now: dt.datetime | None = None) -> bool:
    """Claim an update for handling; False if it was handled or is being handled."""
    key = external_id[:128]
    now = _now(now)
    try:
        with sessions.begin() as session:
            session.add(ProcessedUpdate(channel=channel, external_id=key, done=False,
                                        created_at=now))
        return True
    except IntegrityError:
        pass
    with sessions.begin() as session:
        row = session.execute(select(ProcessedUpdate.done, ProcessedUpdate.created_at).where(
            ProcessedUpdate.channel == channel, ProcessedUpdate.external_id == key)).first()
        if row is None or row.done or row.created_at > now - CLAIM_LEASE:
            return False
        taken = session.execute(
            update(ProcessedUpdate)
            .where(ProcessedUpdate.channel == channel, ProcessedUpdate.external_id == key,
                   ProcessedUpdate.done.is_(False),
                   ProcessedUpdate.created_at == row.created_at)
            .values(created_at=now).execution_options(synchronize_session=False))
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def finish(sessions: sessionmaker[Session], channel: str, external_id: str) -> None:
    """Mark a claimed update as handled."""
    with sessions.begin() as session:
        session.execute(update(ProcessedUpdate).where(
            ProcessedUpdate.channel == channel,
            ProcessedUpdate.external_id == external_id[:128]).values(done=True))


def release(sessions: sessionmaker[Session], channel: str, external_id: str) -> None:
    """Forget a claim whose handling failed, so a redelivery is handled."""
    with sessions.begin() as session:
        session.execute(delete(ProcessedUpdate).where(
            ProcessedUpdate.channel == channel,
            ProcessedUpdate.external_id == external_id[:128]))


def prune(sessions: sessionmaker[Session], *, now: dt.datetime | None = None) -> int:
    """Drop records older than a week; return how many."""
    cutoff = _now(now) - KEEP
    with sessions.begin() as session:
        result = session.execute(delete(ProcessedUpdate)
                                 .where(ProcessedUpdate.created_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
