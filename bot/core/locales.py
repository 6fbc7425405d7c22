"""Channel chrome texts (bot/locales/<lang>.yml) for what cannot come from Rasa."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml
from babel.dates import format_date, format_time, format_timedelta, get_timezone_name

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "en"

# Each language named in itself: shown on language-choice buttons.
LANGUAGE_NAMES: dict[str, str] = {
    "ca": "Català", "es": "Español", "fr": "Français", "it": "Italiano", "pt": "Português",
    "el": "Ελληνικά", "tr": "Türkçe", "ar": "العربية", "en": "English",
}


@cache
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{lang}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {str(k): str(v) for k, v in (data or {}).items()}


def text(key: str, lang: str | None, **values: object) -> str:
    """Return the text for ``key`` in ``lang`` (English if missing), placeholders filled."""
    template = _catalogue(lang or DEFAULT_LANGUAGE).get(key) or _catalogue(DEFAULT_LANGUAGE)[key]
    return template.format(**values) if values else template



def duration(value: dt.timedelta, lang: str | None) -> str:
    """Return a rounded duration in the language's words ("about 5 minutes" style)."""
    return format_timedelta(value, threshold=1.5, locale=lang or DEFAULT_LANGUAGE)


def when(moment: dt.datetime, lang: str | None) -> str:
    """Return a weekday, date and time in the moment's own time zone, with the zone named."""
    locale = lang or DEFAULT_LANGUAGE
    day = format_date(moment, "full", locale=locale)
    time = format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    zone = get_timezone_name(moment, width="long", locale=locale)
    return f"{day}, {time} ({zone})"
