"""Channel chrome texts (bot/locales/<lang>.yml) for what cannot come from Rasa."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, format_timedelta, get_timezone_name

from catalog import plurals
from catalog.languages import PACKS

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "en"

# Each language named in itself, in menu order: shown on language-choice buttons.
LANGUAGE_NAMES: dict[str, str] = {lang.code: lang.name for lang in PACKS}


@cache
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{lang}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {str(k): str(v) for k, v in (data or {}).items()}


def text(key: str, lang: str | None, **values: object) -> str:
    """Return the text for ``key`` in ``lang`` (English if missing), placeholders filled."""
    template = _catalogue(lang or DEFAULT_LANGUAGE).get(key) or _catalogue(DEFAULT_LANGUAGE)[key]
    return template.format(**values) if values else template



def counted(key: str, lang: str | None, count: int) -> str:
    """A counted noun ("1 character", "4000 characters") by the language's plural rules."""
    return plurals.counted(lang or DEFAULT_LANGUAGE, key, count)


def duration(value: dt.timedelta, lang: str | None) -> str:
    """Return a rounded duration in the language's words ("about 5 minutes" style)."""
    return format_timedelta(value, threshold=1.5, locale=_babel_locale(lang))


def when(moment: dt.datetime, lang: str | None) -> str:
    """Return a weekday, date and time in the moment's own time zone, with the zone named."""
    locale = _babel_locale(lang)
    day = format_date(moment, "full", locale=locale)
    time = format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    zone = get_timezone_name(moment, width="long", locale=locale)
    return f"{day}, {time} ({zone})"


@cache
def _babel_locale(lang: str | None) -> str:
    """Return the locale Babel formats dates in: the language's, or English if Babel lacks it."""
    try:
        Locale.parse(lang or DEFAULT_LANGUAGE)
    except (UnknownLocaleError, ValueError):
        return DEFAULT_LANGUAGE
    return lang or DEFAULT_LANGUAGE
