"""Console chrome in the broker's language (bot/console/locales/<lang>.yml), English key by key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta

from catalog.brief import value_label
from catalog.vocabulary import LANGUAGES, RTL_LANGUAGES

LOCALES_DIR = Path(__file__).with_name("locales")
DEFAULT = "en"
RTL = RTL_LANGUAGES


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return one language's console texts (empty for a language without a file)."""
    path = LOCALES_DIR / f"{lang}.yml"
    if lang not in LANGUAGES or not path.exists():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def best_language(header: str | None) -> str:
    """Pick a console language from an Accept-Language header (English by default)."""
    for part in (header or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


@dataclass(frozen=True)
class Texts:
    """The console's words in one language, with dates and names formatted for it."""

    lang: str
    timezone: str = "UTC"

    @property
    def dir(self) -> str:
        """Return the writing direction of the page."""
        return "rtl" if self.lang in RTL else "ltr"

    def __call__(self, key: str, **values: object) -> str:
        """Return the text for ``key`` (English if this language lacks it), filled in."""
        template = catalogue(self.lang).get(key) or catalogue(DEFAULT).get(key, key)
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        """Tell whether ``key`` has a text in this language or in English."""
        return key in catalogue(self.lang) or key in catalogue(DEFAULT)

    def code(self, prefix: str, value: str | None) -> str:
        """Return the label of a code (``reason_sensitive``), else the code itself."""
        if not value:
            return "—"
        key = f"{prefix}_{value}"
        return self(key) if self.has(key) else value

    def language_name(self, code: str | None) -> str:
        """Return a language's name in the broker's language."""
        if not code:
            return "—"
        return str(Locale.parse(self.lang).languages.get(code, code))

    def country(self, code: str | None) -> str:
        """Return a country's name in the broker's language."""
        return value_label("country", code, self.lang) if code else "—"

    def need(self, code: str | None) -> str:
        """Return a need category's label in the broker's language."""
        return value_label("need_category", code, self.lang) if code else "—"

    def when(self, moment: dt.datetime | None) -> str:
        """Return a short date and time in the brokers' time zone."""
        if moment is None:
            return "—"
        return format_datetime(moment, "short", tzinfo=self._zone(), locale=self.lang)

    def day(self, value: dt.date) -> str:
        """Return a short day and month ("3 Dec")."""
        return format_date(value, "d MMM", locale=self.lang)

    def date(self, value: dt.date | dt.datetime) -> str:
        """Return a medium date."""
        return format_date(value, "medium", locale=self.lang)

    def duration(self, value: dt.timedelta | None) -> str:
        """Return a rounded duration ("5 minutes")."""
        if value is None:
            return "—"
        return format_timedelta(value, threshold=1.5, locale=self.lang)

    def span(self, value: dt.timedelta) -> str:
        """Return a short whole duration for labels ("15 min", "1 hr")."""
        return format_timedelta(value, threshold=1, format="short", locale=self.lang)

    def since(self, moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
        """Return how long ago ``moment`` was, as a rounded duration."""
        if moment is None:
            return "—"
        return self.duration((now or dt.datetime.now(dt.UTC)) - moment)

    def _zone(self) -> dt.tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (KeyError, ValueError):
            return dt.UTC
