"""Every reply with a count says it in the form the language's plural rules ask for
(issue 17): 0, 1, 2, 5 and 21 in all nine languages; Arabic has six forms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.help import ActionShowHelp
from actions.matching import list_events
from bot.core import locales
from catalog.plurals import category, counted
from catalog.vocabulary import LANGUAGES
from tests.support.trackers import make_tracker, run

ROOT = Path(__file__).resolve().parents[2]
COUNTS = (0, 1, 2, 5, 21)
NOUNS = ("services", "organisations", "events", "characters")
SENTENCES = ("matches_intro", "matches_more", "events_more")
# Placeholders that would put a bare number before a noun the number must agree with.
RAW_NUMBERS = {"count", "service_count", "provider_count", "event_count"}


def _pack_counts(lang: str) -> dict[str, dict[str, str]]:
    data = yaml.safe_load((ROOT / "nlu" / lang / "terms.yml").read_text("utf-8"))
    return data["counts"]


def _texts(lang: str) -> list[tuple[str, str]]:
    responses = yaml.safe_load(
        (ROOT / "nlu" / lang / "responses.yml").read_text("utf-8"))["responses"]
    texts = [(name, str(v.get("text", ""))) for name, vs in responses.items() for v in vs]
    chrome = yaml.safe_load((ROOT / "bot" / "locales" / f"{lang}.yml").read_text("utf-8"))
    return texts + [(f"locale:{k}", str(v)) for k, v in chrome.items()]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", NOUNS + SENTENCES)
def test_each_count_has_the_form_of_its_plural_category(lang, key):
    forms = _pack_counts(lang)[key]
    for n in COUNTS:
        wanted = category(lang, n)
        assert wanted in forms, (lang, key, n, wanted)
        text = counted(lang, key, n)
        assert text == forms[wanted].format(count=n)
        if "{count}" in forms[wanted]:
            assert re.search(rf"(?<!\d){n}(?!\d)", text)


@pytest.mark.parametrize(("lang", "key", "n", "expected"), [
    ("ar", "services", 0, "لا خدمات"), ("ar", "services", 1, "خدمة واحدة"),
    ("ar", "services", 2, "خدمتان"), ("ar", "services", 5, "5 خدمات"),
    ("ar", "services", 21, "21 خدمة"), ("ar", "events", 5, "5 فعاليات"),
    ("pt", "services", 0, "0 serviços"), ("fr", "events", 0, "0 événement"),
    ("fr", "events", 21, "21 événements"), ("ca", "organisations", 1, "1 organització"),
    ("el", "events", 21, "21 εκδηλώσεις"), ("tr", "services", 5, "5 hizmet"),
    ("it", "characters", 1, "1 carattere"), ("es", "characters", 2, "2 caracteres"),
])
def test_counted_nouns_read_as_the_language_says_them(lang, key, n, expected):
    assert counted(lang, key, n) == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_reply_puts_a_bare_count_before_a_noun(lang):
    for name, text in _texts(lang):
        used = set(re.findall(r"\{(\w+)\}", text))
        assert not used & RAW_NUMBERS, (lang, name, text)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("n", COUNTS)
def test_a_message_too_long_names_the_limit_in_the_right_form(lang, n):
    text = locales.text("message_too_long", lang,
                        max_chars=locales.counted("characters", lang, n))
    assert counted(lang, "characters", n) in text


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    values = {"service_count": 21, "provider_count": 2, "event_count": 5}

    class Session:
        def __enter__(self) -> Session:
            return self

        def __exit__(self, *args: Any) -> None:
            return None

    monkeypatch.setattr("actions.help.catalogue.session", lambda: Session())
    monkeypatch.setattr("actions.help.catalogue_counts", lambda session: values)
    return values


@pytest.mark.parametrize(("lang", "parts"), [
    ("ar", ["21 خدمة", "منظمتان", "5 فعاليات"]),
    ("en", ["21 services", "2 organisations", "5 events"]),
    ("pt", ["21 serviços", "2 organizações", "5 eventos"]),
    ("el", ["21 υπηρεσίες", "2 οργανώσεις", "5 εκδηλώσεις"]),
])
def test_help_counts_the_catalogue_in_the_language(figures, lang, parts):
    ran = run(ActionShowHelp(), make_tracker(language=lang, intent="ask_help"))
    (text,) = ran.texts(lang)
    for part in parts:
        assert part in text


def test_the_event_list_heading_counts_in_the_language(monkeypatch):
    from catalog.matching.need import Matches, Proposal

    proposal = Proposal(kind="event", key="e", title="Camp", provider="", score=1.0)
    monkeypatch.setattr("actions.matching.rank_events",
                        lambda *a, **k: Matches(2, [proposal]))

    class Session:
        def __enter__(self) -> Session:
            return self

        def __exit__(self, *args: Any) -> None:
            return None

    monkeypatch.setattr("actions.matching.catalogue.session", lambda: Session())
    from rasa_sdk.executor import CollectingDispatcher

    for lang, part in (("ar", "فعاليتان"), ("ca", "2 esdeveniments")):
        dispatcher = CollectingDispatcher()
        list_events(dispatcher, make_tracker(language=lang, intent="list_events"))
        assert part in dispatcher.messages[0]["events"]
