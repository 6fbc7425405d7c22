"""Response texts of the language packs, for messages sent to someone else's conversation.

A reply to the user who wrote comes from the Rasa domain. A message for another user
(the organisation asked for an introduction) goes through the outbox in *that* user's
language, so its text is read from that language's pack here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from actions.common import SUPPORTED

PACKS = Path(__file__).resolve().parent.parent / "nlu"


@cache
def _responses(lang: str) -> dict[str, list[dict[str, Any]]]:
    path = PACKS / lang / "responses.yml"
    data = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {}
    return dict((data or {}).get("responses") or {})


def render(name: str, lang: str | None, **values: object) -> tuple[str, list[dict[str, str]]]:
    """Return the first variation of response ``name`` in ``lang`` (English if missing)."""
    lang = lang if lang in SUPPORTED else "en"
    variations = _responses(lang).get(name) or _responses("en")[name]
    first = variations[0]
    buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
               for b in first.get("buttons") or []]
    return str(first["text"]).format(**values), buttons
