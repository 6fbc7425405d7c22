"""How the replay judges a turn (from tracker facts and replies) and reports the figures."""

from __future__ import annotations

from ops.rasa_project import language_responses
from ops.replay_observe import Responses, Turn, flow_of
from ops.replay_report import ConversationResult, FirstResult, LanguageResult, as_markdown, figures

RESPONSES = Responses()
TEXTS = language_responses()


def _text(lang: str, name: str) -> str:
    return str(TEXTS[lang][name][0]["text"])


def _turn(**facts: object) -> Turn:
    values: dict = {"user": "x", "replies": (), "status": 200, "language": "en"}
    values.update(facts)
    return Turn(**values)


def test_an_intake_started_from_a_need_is_that_need():
    turn = _turn(actions=("action_start_intake", "intake_form"), active_loop="intake_form",
                 slots={"need_category": "funding", "requested_slot": "consent"})
    assert flow_of(turn) == "funding"
    assert turn.requested_slot == "consent"


def test_an_intake_without_a_known_need_is_not_a_need_flow():
    turn = _turn(actions=("action_start_intake",), active_loop="intake_form", slots={})
    assert flow_of(turn) == "intake"


def test_a_need_outranks_the_greeting_in_the_same_turn():
    turn = _turn(intent="greet", actions=("action_greet", "action_start_intake"),
                 active_loop="intake_form", slots={"need_category": "internationalisation"})
    assert flow_of(turn) == "internationalisation"


def test_other_flows_come_from_their_actions_or_intent():
    assert flow_of(_turn(actions=("action_show_case_status",))) == "status"
    assert flow_of(_turn(actions=("action_list_events",))) == "events"
    assert flow_of(_turn(actions=("action_answer_faq",))) == "faq"
    assert flow_of(_turn(intent="ask_help", actions=("action_show_help",))) == "help"
    assert flow_of(_turn(intent="greet", actions=("action_greet",))) == "greeting"
    assert flow_of(_turn(intent="nlu_fallback", actions=("utter_default",))) is None


def test_a_question_outside_the_intake_form_is_not_an_intake_question():
    turn = _turn(active_loop="registration_form", slots={"requested_slot": "consent"})
    assert turn.requested_slot is None


def test_fallbacks_are_recognised_in_any_language_by_their_text():
    for lang in ("en", "es", "ar"):
        assert RESPONSES.fallback(_turn(replies=(_text(lang, "utter_default"),))) == \
            "utter_default"
    assert RESPONSES.fallback(_turn(replies=(_text("fr", "utter_out_of_scope"),))) == \
        "utter_out_of_scope"
    assert RESPONSES.fallback(_turn(replies=(_text("en", "utter_ask_org_name"),))) is None


def test_validation_messages_summary_and_foreign_replies():
    invalid = _turn(replies=(_text("es", "utter_invalid_choice"),
                             _text("es", "utter_ask_sector")))
    assert RESPONSES.invalid(invalid) == ["utter_invalid_choice"]
    summary = _text("fr", "utter_case_summary").replace("{summary}", "Nom : X")
    assert RESPONSES.summary(_turn(replies=(summary,)))
    assert RESPONSES.summary(_turn(slots={"awaiting_confirmation": True}))
    spanish = _turn(replies=(_text("es", "utter_ask_org_name"),))
    assert RESPONSES.foreign(spanish, "fr") == [_text("es", "utter_ask_org_name")]
    assert RESPONSES.foreign(spanish, "es") == []


def test_figures_and_misses_in_the_report():
    first = [FirstResult("we need a loan", "funding", True, "funding", "en", None, ("ok",)),
             FirstResult("hi, loan please", "funding", True, None, "en", "utter_default",
                         ("Sorry",), ["fallback (utter_default, intent nlu_fallback)"])]
    good = ConversationResult("en-01", "intake", questions=["consent", "org_name", "org_name"],
                              validation_failures=1, saved=True)
    bad = ConversationResult("en-02", "intake", validation_failures=3, stuck_at="sector",
                             questions=["consent"])
    bad.failures.append("asked sector, which has no answer in the corpus")
    result = LanguageResult("en", first, [good, bad])
    values = figures(result.first, result.conversations)
    assert values["first_fallbacks_naming_need"] == 1 and values["first_right_share"] == 0.5
    assert values["questions_per_saved_case"] == 2.0  # distinct questions, re-asks apart
    assert values["validation_failures_per_case"] == 2.0
    assert (values["intake_saved"], values["intake_correct"]) == (1, 1)
    assert values["questions_per_conversation"] == 1.5
    assert values["stuck_at"] == {"sector": 1}
    text = as_markdown([result], "Replay")
    assert "“hi, loan please” (expected funding): fallback" in text
    assert "conversation en-02 (intake): asked sector" in text
    assert "en-01" not in text
    assert "| Intakes stuck at a question refused twice | sector 1 | sector 1 |" in text
