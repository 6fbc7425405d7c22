"""Catalogue texts in the user's language: the translation to show, with fallbacks."""

from __future__ import annotations

from collections.abc import Sequence

from catalog.models import Event, Service, ServiceTranslation
from catalog.vocabulary import FALLBACK_LANGUAGES


def translation_in(rows: Sequence[ServiceTranslation], lang: str) -> ServiceTranslation | None:
    """Return the translation row to show in ``lang``: that language, then the fallbacks."""
    by_lang = {row.lang: row for row in rows}
    for candidate in (lang, *FALLBACK_LANGUAGES, *sorted(by_lang)):
        if candidate in by_lang:
            return by_lang[candidate]
    return None


def title_in(item: Service | Event, lang: str) -> str:
    """A service's or event's title in ``lang`` (by translation_in's fallbacks), else its key."""
    text = translation_in(item.translations, lang)  # type: ignore[arg-type]
    return text.title if text else item.key
