"""Event times in the reader's language, and the calendar file (.ics) of a registration."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_time,
    format_timedelta,
    get_timezone_gmt,
    get_timezone_location,
    get_timezone_name,
)
from icalendar import Alarm, Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.brief import isolate
from catalog.matching.explain import phrases
from catalog.models import Event, EventRegistration
from catalog.translations import translation_in
from catalog.vocabulary import LANGUAGES

PRODUCT_ID = "-//iesMed//Intake assistant//EN"
UID_DOMAIN = "registrations.iesmed"
ALARM_BEFORE = dt.timedelta(hours=1)


def _lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "en"


def zone_name(moment: dt.datetime, lang: str) -> str:
    """Name the moment's time zone in ``lang`` ("Central European Standard Time").

    Zones without a name of their own in CLDR (Istanbul, Casablanca) would read as a bare
    "GMT+03:00"; the country's time ("Türkiye Time") says more.
    """
    name = get_timezone_name(moment, width="long", locale=lang)
    if name == get_timezone_gmt(moment, width="long", locale=lang):
        name = get_timezone_location(moment.tzinfo, locale=lang)
    return name


def when_text(start: dt.datetime, timezone: str, lang: str | None) -> str:
    """Weekday, date and time of ``start`` in the event's zone, the zone named, in ``lang``."""
    lang = _lang(lang)
    local = start.astimezone(ZoneInfo(timezone))
    day = format_date(local, "full", locale=lang)
    time = format_time(local, "short", tzinfo=local.tzinfo, locale=lang)
    # The language's own joint of a date and a time ("{1}, {0}", "{1} - {0}", "{1}، {0}"),
    # and the zone after the time as CLDR's full time format puts it.
    joint = str(Locale.parse(lang).datetime_formats["full"])
    return joint.replace("{1}", day).replace("{0}", f"{time} {zone_name(local, lang)}")


def until_text(left: dt.timedelta, lang: str | None) -> str:
    """How long until something starts, the way ``lang`` says it ("in 1 hour")."""
    return format_timedelta(max(left, dt.timedelta(minutes=1)), add_direction=True,
                            granularity="minute", locale=_lang(lang))


def place_text(event: Event, lang: str | None) -> str:
    """Where the event happens: its venue, else its link, else "online" in ``lang``."""
    lang = _lang(lang)
    place = event.venue or event.online_url
    return isolate(place, lang) if place else phrases(lang).get("event_online", "online")


def uid(token: str) -> str:
    """Return the calendar UID of a registration: stable, and revealing nothing of the token."""
    return f"{hashlib.sha256(token.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def filename(event: Event) -> str:
    """Return the file name a registration's calendar file is offered under."""
    return f"{event.key}.ics"


def build_ics(event: Event, registration: EventRegistration, lang: str | None, *,
              now: dt.datetime | None = None) -> bytes:
    """Return the iCalendar file of one registration, in its event's own time zone.

    The UID stays the same for the registration, so importing the file again updates the
    entry; a cancelled registration or event comes out as a cancelled entry.
    """
    lang = _lang(lang)
    zone = ZoneInfo(event.timezone)
    text = translation_in(event.translations, lang)  # type: ignore[arg-type]
    title = text.title if text else event.key
    cancelled = registration.status == "cancelled" or event.cancelled_at is not None
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", uid(registration.calendar_token))
    entry.add("dtstamp", now or dt.datetime.now(dt.UTC))
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", title)
    if text is not None and text.summary:
        entry.add("description", text.summary)
    entry.add("location", event.venue or event.online_url
              or phrases(lang).get("event_online", "online"))
    if event.online_url:
        entry.add("url", event.online_url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    entry.add("sequence", 1 if cancelled else 0)
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", -ALARM_BEFORE)
        entry.add_component(alarm)
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


@dataclass(frozen=True)
class CalendarFile:
    """A calendar file ready to be sent or downloaded."""

    filename: str
    content: bytes


def calendar_for_token(session: Session, token: str) -> CalendarFile | None:
    """Return the calendar file named by a registration's token, or None if there is none."""
    registration = session.scalar(select(EventRegistration).where(
        EventRegistration.calendar_token == token))
    if registration is None or registration.status == "waitlisted":
        return None
    event = registration.event
    return CalendarFile(filename(event), build_ics(event, registration, registration.language))
