"""`./iesmed events`: attendee and waiting lists of an event, and cancelling it (staff)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select

from bot.config import load_settings
from catalog.db import make_engine, make_session_factory
from catalog.models import Event
from catalog.registrations import attendees_csv, cancel_event


def main(argv: list[str]) -> int:
    """Print (or write) an event's attendee CSV, or cancel the event and tell everyone."""
    parser = argparse.ArgumentParser(prog="iesmed events")
    parser.add_argument("--database", help="database URL (default: DATABASE_URL)")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("attendees", help="confirmed seats, then the waiting list")
    listing.add_argument("key", help="the event's key, e.g. matchmaking-days-2027")
    listing.add_argument("--out", help="write the CSV to this file")
    cancel = actions.add_parser("cancel", help="cancel the event; everyone registered is told")
    cancel.add_argument("key")
    args = parser.parse_args(argv)
    engine = make_engine(args.database or load_settings().database)
    try:
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            event_id = session.scalar(select(Event.id).where(Event.key == args.key))
            if event_id is None:
                print(f"iesmed: no event {args.key!r}", file=sys.stderr)
                return 1
            if args.action == "cancel":
                told = cancel_event(session, event_id)
                print(f"iesmed: {args.key} cancelled; {len(told)} registration(s) told",
                      file=sys.stderr)
                return 0
            output = attendees_csv(session, event_id)
    finally:
        engine.dispose()
    if args.out:
        Path(args.out).write_text("\ufeff" + output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return 0
