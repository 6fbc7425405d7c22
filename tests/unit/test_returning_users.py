"""Returning users: the status of their own requests, a greeting with what they have,
and an erasure request that wins over the questions (action unit tests)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.intake_navigation import ActionStartIntake
from actions.privacy import ActionEraseData
from actions.returning import ActionGreet, ActionShowCaseStatus, mentioned_reference
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, Conversation, Event, EventRegistration, EventTranslation


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'returning.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for cid, lang in (("mine", "it"), ("theirs", "en"), ("newcomer", "el"), ("recent", "el")):
            session.add(Conversation(id=cid, channel="web", language=lang, state="bot"))
        session.flush()
        session.add(Case(reference="IM-FF39BC", conversation_id="mine", status="escalated",
                         channel="web", language="it", org_name="Coop Sole"))
        session.add(Case(reference="IM-15BF30", conversation_id="theirs", status="new",
                         channel="web", language="en", org_name="Other Coop"))
        session.add(Case(reference="IM-Q541-B7J2", conversation_id="recent", status="new",
                         channel="web", language="el", org_name="Coop Elia"))
    monkeypatch.setenv("DATABASE_URL", url)
    yield sessions
    engine.dispose()


def _tracker(sender: str, text: str, intent: str, lang: str, *,
             events: list[dict[str, Any]] | None = None,
             active_loop: dict[str, Any] | None = None,
             slots: dict[str, Any] | None = None) -> Tracker:
    return Tracker(sender_id=sender, slots={"language": lang, **(slots or {})},
                   latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9},
                                   "entities": [], "metadata": {"language": lang}},
                   events=events or [], paused=False, followup_action=None,
                   active_loop=active_loop or {}, latest_action_name="action_listen")


def _run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_a_reference_in_the_message_shows_that_cases_status_in_the_users_language(database):
    messages, _ = _run(ActionShowCaseStatus(), _tracker(
        "mine", "ciao di nuovo! volevo sapere a che punto è la mia richiesta im-ff39bc",
        "ask_case_status", "it"))
    assert [m["response"] for m in messages] == ["utter_case_status"]
    assert messages[0]["reference"] == "IM-FF39BC"
    assert messages[0]["status"] == "seguita da una persona del team"


@pytest.mark.parametrize(("text", "lang"), [
    ("τι γίνεται με το IM-Q541-B7J2; το είδε κανείς;", "el"),
    ("any news on im-q541 b7j2 please", "en"),
    ("IM-Q541-B7J2 numaralı talep ne durumda?", "tr"),
    ("e o pedido imq541b7j2?", "pt"),
])
def test_a_reference_in_the_current_form_is_read_whole(database, text, lang):
    # References are IM- and two groups of four Crockford base-32 characters
    # (catalog.cases.new_reference); reading only "IM-Q541" found no request.
    messages, _ = _run(ActionShowCaseStatus(), _tracker("recent", text, "ask_case_status",
                                                        lang))
    assert [m["response"] for m in messages] == ["utter_case_status"]
    assert messages[0]["reference"].strip("\u2068\u2069") == "IM-Q541-B7J2"


def test_someone_elses_reference_is_not_found_and_reveals_nothing(database):
    messages, _ = _run(ActionShowCaseStatus(), _tracker(
        "mine", "I already have a request IM-15BF30", "ask_case_status", "el"))
    assert [m["response"] for m in messages] == ["utter_case_not_found"]
    assert "status" not in messages[0]


def test_a_status_question_without_a_reference_lists_the_users_own_cases(database):
    messages, _ = _run(ActionShowCaseStatus(), _tracker(
        "mine", "com va la meva sol·licitud?", "ask_case_status", "ca"))
    assert [(m["response"], m["reference"], m["status"]) for m in messages] == [
        ("utter_case_status", "IM-FF39BC", "en mans d'una persona de l'equip")]
    messages, _ = _run(ActionShowCaseStatus(), _tracker(
        "newcomer", "το αίτημά μου;", "ask_case_status", "el"))
    assert [m["response"] for m in messages] == ["utter_no_case"]


def test_a_returning_user_is_greeted_with_cases_and_registrations_and_asked_first(database):
    with database.begin() as session:
        event = Event(key="med-forum", starts_at=dt.datetime(2027, 3, 4, 9, tzinfo=dt.UTC),
                      ends_at=dt.datetime(2027, 3, 4, 17, tzinfo=dt.UTC),
                      timezone="Europe/Athens", translations=[
                          EventTranslation(lang="el", title="Φόρουμ ΚΑΛΟ", summary="."),
                          EventTranslation(lang="en", title="SSE forum", summary=".")])
        session.add(event)
        session.flush()
        session.add(EventRegistration(event_id=event.id, conversation_id="newcomer",
                                      name="Γιώργος", email="g@example.org", language="el",
                                      calendar_token="token-confirmed"))
        other = Event(key="old-fair", starts_at=dt.datetime(2027, 2, 1, 9, tzinfo=dt.UTC),
                      ends_at=dt.datetime(2027, 2, 1, 17, tzinfo=dt.UTC),
                      timezone="Europe/Athens", translations=[
                          EventTranslation(lang="el", title="Έκθεση", summary=".")])
        session.add(other)
        session.flush()
        # A cancelled registration is not something the user has any more.
        session.add(EventRegistration(event_id=other.id, conversation_id="newcomer",
                                      name="Γιώργος", email="g@example.org", language="el",
                                      calendar_token="token-cancelled", status="cancelled"))
    messages, events = _run(ActionGreet(), _tracker("mine", "Hello again", "greet", "it"))
    assert [m["response"] for m in messages] == [
        "utter_welcome_returning", "utter_case_status", "utter_ask_something_new"]
    assert messages[1]["reference"] == "IM-FF39BC"
    assert events == []  # nothing starts before the user says what they want
    messages, _ = _run(ActionGreet(), _tracker("newcomer", "γεια σας ξανά", "greet", "el"))
    assert [m["response"] for m in messages] == [
        "utter_welcome_returning", "utter_registration_status", "utter_ask_something_new"]
    assert messages[1]["event"] == "Φόρουμ ΚΑΛΟ"
    messages, _ = _run(ActionGreet(), _tracker("stranger", "hello", "greet", "en"))
    assert [m["response"] for m in messages] == ["utter_greet"]


def _bot(utterance: str) -> dict[str, Any]:
    return {"event": "bot", "timestamp": None, "text": "…",
            "metadata": {"utter_action": utterance}}


def _user(intent: str) -> dict[str, Any]:
    return {"event": "user", "timestamp": None, "text": "…",
            "parse_data": {"intent": {"name": intent}}}


def test_an_erasure_request_during_the_questions_stops_them_and_asks_only_to_confirm():
    tracker = _tracker("mine", "esqueçam-me", "erase_data", "pt",
                       active_loop={"name": "intake_form"}, slots={"requested_slot": "consent"})
    messages, events = _run(ActionEraseData(), tracker)
    assert [m["response"] for m in messages] == ["utter_confirm_erase"]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events


@pytest.mark.parametrize(("text", "intent", "lang", "expected"), [
    ("sim", "affirm", "pt", "utter_data_erased"),
    ("ναι", "affirm", "el", "utter_data_erased"),
    ("no, keep it", "deny", "en", "utter_erase_cancelled"),
    # the request said again is the yes ("sim, apaguem tudo mesmo" reads as erase_data)
    ("sim, apaguem tudo mesmo", "erase_data", "pt", "utter_data_erased"),
    ("evet eminim, hepsini silin", "erase_data", "tr", "utter_data_erased"),
])
def test_a_typed_answer_to_the_erase_question_decides_the_erasure(text, intent, lang, expected):
    history = [_user("erase_data"), _bot("utter_confirm_erase"), _user(intent)]
    messages, _ = _run(ActionEraseData(), _tracker("mine", text, intent, lang, events=history))
    assert messages[0]["response"] == expected
    assert (expected == "utter_data_erased") == ({"erase": True} in
                                                 [m.get("custom") for m in messages])


@pytest.mark.parametrize(("text", "expected"), [
    # The model placed neither: only the words ask to erase (read_as "erase").
    ("sí, esborra-ho tot", "utter_data_erased"),
    ("no, no ho esborreu tot", "utter_confirm_erase"),  # a refusal is never a yes
])
def test_the_erasure_asked_again_in_words_the_model_could_not_place(text, expected):
    history = [_user("erase_data"), _bot("utter_confirm_erase"), _user("nlu_fallback")]
    messages, _ = _run(ActionEraseData(), _tracker("mine", text, "nlu_fallback", "ca",
                                                   events=history,
                                                   slots={"read_as": "erase"}))
    assert messages[0]["response"] == expected


def test_an_erasure_request_that_answers_no_question_asks_to_confirm_first():
    history = [_user("greet"), _bot("utter_greet"), _user("erase_data")]
    messages, _ = _run(ActionEraseData(), _tracker("mine", "delete everything", "erase_data",
                                                   "en", events=history))
    assert [m.get("response") for m in messages] == ["utter_confirm_erase"]


def test_a_yes_that_answers_another_question_erases_nothing():
    history = [_user("erase_data"), _bot("utter_confirm_erase"), _user("deny"),
               _bot("utter_erase_cancelled"), _user("affirm")]
    messages, _ = _run(ActionEraseData(), _tracker("mine", "yes", "affirm", "en",
                                                   events=history))
    assert messages == []


@pytest.mark.parametrize(("text", "intent", "lang"), [
    ("can we just see the partners?", "search_partners", "en"),
    ("e per un prestito?", "need_funding", "it"),
])
def test_after_a_declined_consent_a_need_browses_without_asking_consent_again(text, intent,
                                                                           lang):
    history = [_bot("utter_ask_consent"), _user("deny"), _bot("utter_consent_declined"),
               _user(intent)]
    _, events = _run(ActionStartIntake(), _tracker("mine", text, intent, lang, events=history))
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    # The form ends on the refusal at once: no consent question, proposals from the need.
    assert values["consent"] is False and values["consent_refused"] is True
    assert values["need_category"] in ("partners", "funding")


def test_a_mistyped_reference_is_named_in_the_not_found_answer_and_words_are_not_references():
    assert mentioned_reference("What's the status of IM-7K2P4D?") == "IM-7K2P4D"
    assert mentioned_reference("IM 15bf30") == "IM-15BF30"
    assert mentioned_reference("apoio a imigrantes em Lisboa, impossible") is None
