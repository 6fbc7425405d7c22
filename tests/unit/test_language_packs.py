"""Every language pack is complete: examples for every intent, every response, same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from catalog.vocabulary import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "dialogues" / "domain.yml").read_text("utf-8"))
INTENTS = [i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]]
MIN_EXAMPLES = 10
# Intents reached only through buttons built by the actions (no one types them), and
# ask_faq, which nlu/faq.yml recognises instead of training examples.
BUTTON_ONLY = {"show_services", "service_details", "choose_service", "request_intro",
               "answer_intro", "ask_faq"}
ANNOTATION = re.compile(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))")


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8")) or {}


def _examples(lang: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in _yaml(ROOT / "nlu" / lang / "nlu.yml").get("nlu", []):
        if "intent" in block:
            lines = [line[2:].strip() for line in block["examples"].splitlines()
                     if line.startswith("- ")]
            found.setdefault(block["intent"], []).extend(lines)
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _responses(lang: str) -> dict[str, list[dict]]:
    return _yaml(ROOT / "nlu" / lang / "responses.yml").get("responses", {})


REFERENCE = _responses("en")
LOCALE_REFERENCE = _yaml(ROOT / "bot" / "locales" / "en.yml")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_intent_has_enough_examples(lang: str) -> None:
    examples = _examples(lang)
    user_intents = [i for i in INTENTS if i != "nlu_fallback" and i not in BUTTON_ONLY]
    thin = {i: len(examples.get(i, [])) for i in user_intents
            if len(examples.get(i, [])) < MIN_EXAMPLES}
    assert not thin, f"{lang}: intents with fewer than {MIN_EXAMPLES} examples: {thin}"
    unknown = set(examples) - set(user_intents)
    assert not unknown, f"{lang}: examples for intents not in the domain: {unknown}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_annotated_entities_are_declared(lang: str) -> None:
    # An entity is a name, or a one-key mapping of its name to its settings.
    declared = {e if isinstance(e, str) else next(iter(e)) for e in DOMAIN["entities"]}
    for intent, lines in _examples(lang).items():
        for line in lines:
            for _, annotation in ANNOTATION.findall(line):
                if annotation.startswith("("):
                    name = annotation[1:-1].split(":")[0]
                else:
                    name = yaml.safe_load(annotation)["entity"]
                assert name in declared, f"{lang}/{intent}: undeclared entity {name} in {line!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_response_exists_with_the_same_placeholders_and_buttons(lang: str) -> None:
    responses = _responses(lang)
    assert set(responses) == set(REFERENCE), f"{lang}: responses differ from English: " \
        f"missing {set(REFERENCE) - set(responses)}, extra {set(responses) - set(REFERENCE)}"
    for name, variations in responses.items():
        expected = REFERENCE[name][0]
        for variation in variations:
            assert variation.get("text"), f"{lang}/{name}: empty text"
            assert _placeholders(variation["text"]) == _placeholders(expected["text"]), \
                f"{lang}/{name}: placeholders differ from English"
            payloads = [b["payload"] for b in variation.get("buttons", [])]
            assert payloads == [b["payload"] for b in expected.get("buttons", [])], \
                f"{lang}/{name}: button payloads differ from English"
            for button in variation.get("buttons", []):
                assert 0 < len(button["title"]) <= 20, f"{lang}/{name}: title {button['title']!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_locale_text_exists_with_the_same_placeholders(lang: str) -> None:
    texts = _yaml(ROOT / "bot" / "locales" / f"{lang}.yml")
    assert set(texts) == set(LOCALE_REFERENCE), f"{lang}: locale keys differ from English"
    for key, text in texts.items():
        assert _placeholders(str(text)) == _placeholders(str(LOCALE_REFERENCE[key])), key


def test_arabic_sentences_carry_no_latin_fragments() -> None:
    """Latin words inside Arabic text are reordered by the bidi algorithm and read scrambled."""
    texts = [v["text"] for vs in _responses("ar").values() for v in vs]
    texts += [b["title"] for vs in _responses("ar").values() for v in vs
              for b in v.get("buttons", [])]
    texts += [str(t) for t in _yaml(ROOT / "bot" / "locales" / "ar.yml").values()]
    for text in texts:
        without_placeholders = re.sub(r"\{[a-z_]+\}", "", text)
        assert not re.search(r"[A-Za-z]", without_placeholders), text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_terms_cover_every_canonical_value(lang: str) -> None:
    from catalog.vocabulary import LEGAL_FORMS, SECTORS, STAGES

    terms = _yaml(ROOT / "nlu" / lang / "terms.yml")
    for section, values in (("legal_form", LEGAL_FORMS), ("sector", SECTORS),
                            ("stage", STAGES)):
        assert set(terms[section]) >= values, f"{lang}: {section} lacks synonyms"
        assert set(terms["labels"][section]) >= values, f"{lang}: {section} lacks labels"


PHRASES_REFERENCE = _yaml(ROOT / "nlu" / "en" / "terms.yml")["phrases"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reason_phrase_and_button_label_exists(lang: str) -> None:
    """Proposals explain themselves in the user's language: every fragment must exist."""
    phrases = _yaml(ROOT / "nlu" / lang / "terms.yml").get("phrases") or {}
    assert set(phrases) == set(PHRASES_REFERENCE), f"{lang}: phrases differ from English"
    for key, text in phrases.items():
        assert str(text).strip(), f"{lang}/{key}: empty"
        assert _placeholders(str(text)) == _placeholders(str(PHRASES_REFERENCE[key])), key
        if key.startswith("button_"):
            assert len(str(text)) <= 20, f"{lang}/{key}: {text!r} is longer than a button"
    if lang == "ar":
        for text in phrases.values():
            assert not re.search(r"[A-Za-z]", re.sub(r"\{[a-z_]+\}", "", str(text))), text


def test_every_pack_folder_is_complete_and_listed() -> None:
    """A folder missing a file would silently not be a language: say which file."""
    folders = [f for f in (ROOT / "nlu").iterdir() if f.is_dir() and (f / "nlu.yml").exists()]
    assert sorted(f.name for f in folders) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        about = _yaml(ROOT / "nlu" / lang / "language.yml")
        assert about["name"] and about["direction"] in ("ltr", "rtl"), lang
        assert (ROOT / "bot" / "locales" / f"{lang}.yml").exists(), lang
        money = _yaml(ROOT / "nlu" / lang / "terms.yml")["money"]
        assert money["thousand"] and money["million"] and money["amount"], lang
