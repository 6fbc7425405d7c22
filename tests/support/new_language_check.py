"""Run inside a copy of the project that has one more language pack, "xx" (see
tests/unit/test_add_a_language.py): every part of the product must offer and serve it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from starlette.testclient import TestClient


def main(data_dir: Path) -> None:
    """Check each place that lists languages; exit non-zero (AssertionError) on a miss."""
    from actions.amounts import parse_amount
    from actions.common import SUPPORTED
    from bot.config import Settings
    from bot.core import locales
    from bot.core.engine_messages import language_buttons
    from bot.core.language import LanguageResolver
    from bot.web.app import create_app
    from catalog.vocabulary import LANGUAGES
    from ops.rasa_project import build_domain

    assert LANGUAGES[-1] == "xx", LANGUAGES  # order 95: after English (90)
    assert "xx" in SUPPORTED
    assert locales.LANGUAGE_NAMES["xx"] == "Xish"
    assert "Xish" in [b.title for b in language_buttons()]
    assert locales.text("kept_expired", "xx") == "Xish: " + locales.text("kept_expired", "en")
    assert locales.when(dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC), "xx")  # no Babel locale
    assert parse_amount("20 xthousand €", "xx") == (20_000, "EUR")
    domain = build_domain()
    conditions = [v.get("condition") for v in domain["responses"]["utter_greet"]]
    assert [{"type": "slot", "name": "language", "value": "xx"}] in conditions
    assert LanguageResolver().resolve("hello there", current="xx").language == "xx"

    settings = Settings(_env_file=None, IESMED_ENV="test",  # type: ignore[call-arg]
                        IESMED_DATA_DIR=data_dir)
    with TestClient(create_app(settings)) as client:
        listed = client.get("/api/languages").json()["languages"]
        assert {"code": "xx", "name": "Xish", "direction": "ltr"} in listed
        assert client.get("/api/locales/xx").json()["send"] == "Xish: " + locales.text(
            "send", "en")
        opened = client.post("/api/conversations", json={"language": "xx"})
        assert opened.status_code == 201 and opened.json()["language"] == "xx"
    print("the new language is offered and served everywhere")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
