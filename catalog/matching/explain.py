"""Render the reasons a proposal fits in the user's language, from the language packs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime

from catalog.brief import RTL, isolate, money_label, value_label
from catalog.languages import pack_file
from catalog.matching.need import Reason
from catalog.models import Event
from catalog.vocabulary import LANGUAGES


@cache
def phrases(lang: str) -> dict[str, str]:
    """The `phrases:` of a language pack, English filling any gap."""
    def load(code: str) -> dict[str, str]:
        data = pack_file(code, "terms.yml")
        return {str(k): str(v) for k, v in (data.get("phrases") or {}).items()}
    merged = load("en")
    if lang in LANGUAGES and lang != "en":
        merged.update(load(lang))
    return merged


def event_time(start: dt.datetime, timezone: str, lang: str) -> str:
    """An event's start as its attendees read it: local to the event, in ``lang``."""
    return format_datetime(start.astimezone(ZoneInfo(timezone)), "d MMM y, HH:mm", locale=lang)


def event_when(event: Event, lang: str) -> str:
    """Start time and venue (or "online") of an event, in ``lang``."""
    return explain((when_reason(event),), lang)


def when_reason(event: Event) -> Reason:
    """The start and place of an event, as a reason to render."""
    return ("event_when", {"start": event.starts_at.isoformat(), "timezone": event.timezone,
                           "place": event.venue or ""})


def _event_when(values: dict[str, str], lang: str) -> str:
    when = event_time(dt.datetime.fromisoformat(values["start"]), values["timezone"], lang)
    place = values.get("place") or phrases(lang).get("event_online", "online")
    return f"{when} · {place}"


def explain(reasons: Sequence[Reason], lang: str) -> str:
    """Render reasons in ``lang``: short fragments joined by middle dots."""
    lang = lang if lang in LANGUAGES else "en"
    texts = phrases(lang)
    parts: list[str] = []
    for key, values in reasons:
        if key == "event_when":
            parts.append(_event_when(values, lang))
            continue
        template = texts.get(key)
        if template is None:
            continue
        filled: dict[str, str] = {}
        for name, value in values.items():
            if name in {"legal_form", "sector", "stage", "country"}:
                filled[name] = value_label(name, value, lang)
            elif name == "language":
                filled[name] = Locale.parse(lang).languages.get(value, value)
            elif name in {"min", "max", "asked"}:
                filled[name] = isolate(money_label(value, values["currency"], lang), lang)
            elif name == "words":
                filled[name] = isolate(value, lang) if lang in RTL else f"“{value}”"
        try:
            parts.append(template.format(**filled))
        except (KeyError, IndexError, ValueError):
            continue
    return " · ".join(parts)
