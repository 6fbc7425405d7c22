"""Channel chrome texts (bot/locales/<lang>.yml) for what cannot come from Rasa."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml


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

