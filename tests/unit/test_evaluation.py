"""The benchmark's own arithmetic: macro-F1 over intents and entity-level F1."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ops.evaluation import _entity_f1, _macro_f1

ROOT = Path(__file__).resolve().parents[2]


def test_macro_f1_averages_intents_equally():
    pairs = [("greet", "greet")] * 8 + [("deny", "greet"), ("deny", "deny")]
    accuracy, macro = _macro_f1(pairs)
    assert accuracy == pytest.approx(0.9)
    # greet: P 8/9, R 1 -> 16/17; deny: P 1, R 1/2 -> 2/3
    assert macro == pytest.approx((16 / 17 + 2 / 3) / 2)


def test_entity_f1_counts_type_and_span_of_one_extractor():
    rows = [
        {"text": "12 socis a Girona",
         "entities": [{"entity": "members", "start": 0, "end": 2},
                      {"entity": "city", "start": 11, "end": 17}],
         "predicted_entities": [
             {"entity": "members", "start": 0, "end": 2, "extractor": "CRFEntityExtractor"},
             {"entity": "country", "start": 11, "end": 17, "extractor": "CRFEntityExtractor"},
             {"entity": "city", "start": 11, "end": 17, "extractor": "RegexEntityExtractor"}]},
    ]
    # CRF: one right, one wrong type (a false positive and a miss): P = R = 1/2.
    assert _entity_f1(rows, "CRFEntityExtractor") == pytest.approx(0.5)
    assert _entity_f1(rows, "RegexEntityExtractor") == pytest.approx(2 / 3)
    assert _entity_f1([], "CRFEntityExtractor") == 0.0


def test_a_component_left_out_of_the_cross_validation_is_gone_and_the_rest_kept(
        tmp_path: Path) -> None:
    from ops.evaluation import _leave_out

    config = tmp_path / "config.yml"
    config.write_text((ROOT / "nlu" / "config.yml").read_text("utf-8"), "utf-8")
    _leave_out(config, ("FaqQuestionMatcher",))
    names = [c["name"] for c in yaml.safe_load(config.read_text("utf-8"))["pipeline"]]
    assert "nlu.components.faq_matcher.FaqQuestionMatcher" not in names
    assert names[0] == "WhitespaceTokenizer" and names[-1] == "FallbackClassifier"
    with pytest.raises(SystemExit, match="no component Nothing"):
        _leave_out(config, ("Nothing",))


def test_a_plain_question_counts_by_what_the_assistant_then_does() -> None:
    from ops.evaluation import answered_as

    topics = {"who sees my data?": "data", "what is iesMed?": "about"}
    topic_of = topics.get
    # The privacy question gets the privacy notice: the answer to ask_privacy.
    assert answered_as("ask_faq", "who sees my data?", topic_of) == "ask_privacy"
    # A question no topic matched was made "unknown": the classifier placed it nowhere.
    assert answered_as("ask_faq", "can you fix my bike?", topic_of) == "out_of_scope"
    # A topic with an answer of its own is no intent of the domain: it stays wrong.
    assert answered_as("ask_faq", "what is iesMed?", topic_of) == "ask_faq:about"
    # Anything the matcher left alone is the classifier's reading.
    assert answered_as("ask_help", "what is iesMed?", topic_of) == "ask_help"


def test_the_served_reading_uses_the_real_matcher_topics() -> None:
    from nlu.faq import FaqMatcher
    from ops.evaluation import answered_as

    matcher = FaqMatcher.load()

    def topic_of(text: str) -> str | None:
        return matcher.topic(text, None)

    assert answered_as("ask_faq", "who can see my personal data?", topic_of) == "ask_privacy"
    assert answered_as("ask_faq", "is there a fee?", topic_of) == "ask_faq:fees"
