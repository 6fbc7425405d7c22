"""Domain operations of the data layer that the actions (and the staff console) call.

Each runs on a copy of the seed catalogue (SQLite), in the caller's transaction, as the
actions use them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from catalog import registrations
from catalog.cases import cases_of, choose_service, new_chat_case, own_case, save_new_case
from catalog.chat_registrations import confirmed_registrations, known_contact, register_once
from catalog.consents import granted_consent_id, latest_consent, record_consent
from catalog.models import CaseService, Consent, Event
from catalog.queries import event_by_key, service_by_key
from tests.support.trackers import add_case, add_conversation, seeded_catalogue

SERVICE = "coop-microcredit-maghreb"
EVENT = "garrigue-guarantee-webinar-2027"


@pytest.fixture
def sessions(tmp_path_factory, tmp_path, monkeypatch):
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


def _event_id(sessions) -> int:
    with sessions() as session:
        event = event_by_key(session, EVENT)
        assert event is not None
        return event.id


# --- queries --------------------------------------------------------------------------------

def test_services_and_events_are_found_by_key_and_nothing_by_an_unknown_one(sessions):
    with sessions() as session:
        assert service_by_key(session, SERVICE).key == SERVICE  # type: ignore[union-attr]
        assert event_by_key(session, EVENT).key == EVENT  # type: ignore[union-attr]
        assert service_by_key(session, None) is None
        assert event_by_key(session, "no-such-event") is None


# --- consent --------------------------------------------------------------------------------

def test_a_consent_is_recorded_with_the_text_shown(sessions):
    add_conversation(sessions, "conv-1")
    with sessions.begin() as session:
        made = record_consent(session, "conv-1", granted=True, text_shown="May we?",
                              language="en")
    assert made is not None
    with sessions() as session:
        latest = latest_consent(session, "conv-1")
        assert (latest.granted, latest.text_shown, latest.language) == (  # type: ignore[union-attr]
            True, "May we?", "en")


def test_the_same_answer_again_is_one_record_when_repeats_are_skipped(sessions):
    add_conversation(sessions, "conv-1")
    for _ in range(2):
        with sessions.begin() as session:
            record_consent(session, "conv-1", granted=True, text_shown="May we?",
                           language="en", skip_repeat=True)
    with sessions.begin() as session:
        record_consent(session, "conv-1", granted=False, text_shown="May we?", language="en",
                       skip_repeat=True)
    with sessions() as session:
        assert [c.granted for c in session.scalars(select(Consent).order_by(Consent.id))] == [
            True, False]


def test_no_consent_is_recorded_for_an_unknown_conversation(sessions):
    with sessions.begin() as session:
        assert record_consent(session, "nobody", granted=True, text_shown="x",
                              language="en") is None
    with sessions() as session:
        assert latest_consent(session, "nobody") is None


def test_the_granted_consent_is_the_latest_yes(sessions):
    add_conversation(sessions, "conv-1")
    with sessions.begin() as session:
        yes = record_consent(session, "conv-1", granted=True, text_shown="a", language="en")
        record_consent(session, "conv-1", granted=False, text_shown="b", language="en")
        session.flush()
        yes_id = yes.id  # type: ignore[union-attr]
    with sessions() as session:
        assert granted_consent_id(session, "conv-1") == yes_id
        assert latest_consent(session, "conv-1").granted is False  # type: ignore[union-attr]
        assert granted_consent_id(session, "conv-2") is None


# --- cases ----------------------------------------------------------------------------------

def test_a_case_is_found_only_by_its_own_conversation(sessions):
    add_case(sessions, "conv-1", "IM-AAAA-0001")
    with sessions() as session:
        assert own_case(session, "conv-1", "IM-AAAA-0001") is not None
        assert own_case(session, "conv-2", "IM-AAAA-0001") is None


def test_a_conversations_cases_oldest_first_or_the_newest_few(sessions):
    for n in range(1, 4):
        add_case(sessions, "conv-1", f"IM-AAAA-000{n}")
    add_case(sessions, "conv-2", "IM-BBBB-0001")
    with sessions() as session:
        assert [c.reference for c in cases_of(session, "conv-1")] == [
            "IM-AAAA-0001", "IM-AAAA-0002", "IM-AAAA-0003"]
        assert [c.reference for c in cases_of(session, "conv-1", newest_first=True,
                                              limit=2)] == ["IM-AAAA-0003", "IM-AAAA-0002"]


def test_a_chosen_service_is_recorded_once_and_matches_the_case(sessions):
    add_case(sessions, "conv-1", "IM-AAAA-0001")
    for expected in (True, False):
        with sessions.begin() as session:
            case = own_case(session, "conv-1", "IM-AAAA-0001")
            service = service_by_key(session, SERVICE)
            assert choose_service(session, case, service) is expected  # type: ignore[arg-type]
    with sessions() as session:
        case = own_case(session, "conv-1", "IM-AAAA-0001")
        assert case.status == "matched"  # type: ignore[union-attr]
        assert [e.status for e in case.history] == ["matched"]  # type: ignore[union-attr]
        assert len(list(session.scalars(select(CaseService)))) == 1


def test_a_case_from_the_chat_keeps_answers_consent_words_and_history(sessions):
    add_conversation(sessions, "conv-1", language="fr")
    with sessions.begin() as session:
        record_consent(session, "conv-1", granted=True, text_shown="ok?", language="fr")

    def build(session, reference):
        return new_chat_case(
            session, reference=reference, conversation_id="conv-1", channel="telegram",
            language="fr", answers={"org_name": "Coop Olive", "country": "TN", "phone": None},
            amount=Decimal("20000"), original_words=["on cherche un prêt"],
            discoverable=True, note="created in chat")

    reference = save_new_case(sessions, build)
    with sessions() as session:
        case = own_case(session, "conv-1", reference)
        assert case is not None
        assert (case.org_name, case.country, case.phone, case.amount, case.channel) == (
            "Coop Olive", "TN", None, Decimal("20000"), "telegram")
        assert case.consent_id == granted_consent_id(session, "conv-1") is not None
        assert case.original_words == ["on cherche un prêt"] and case.discoverable
        assert [(e.status, e.note) for e in case.history] == [("new", "created in chat")]


# --- registrations from a conversation ------------------------------------------------------

def test_the_contact_comes_from_the_latest_case_else_the_latest_registration(sessions):
    add_conversation(sessions, "conv-1")
    with sessions() as session:
        assert known_contact(session, "conv-1") == {}
    register_once(sessions, conversation_id="conv-1", event_id=_event_id(sessions),
                  name="Ana", email="ana@example.org", language="en")
    with sessions() as session:
        assert known_contact(session, "conv-1") == {"contact_name": "Ana",
                                                    "email": "ana@example.org"}
    add_case(sessions, "conv-1", "IM-AAAA-0001", contact_name="Ana Puig",
             email="ana@coop.example.org")
    with sessions() as session:
        assert known_contact(session, "conv-1") == {"contact_name": "Ana Puig",
                                                    "email": "ana@coop.example.org"}


def test_registering_takes_the_latest_granted_consent_and_twice_is_already(sessions):
    add_conversation(sessions, "conv-1")
    with sessions.begin() as session:
        record_consent(session, "conv-1", granted=True, text_shown="ok?", language="en")
    event_id = _event_id(sessions)
    first = register_once(sessions, conversation_id="conv-1", event_id=event_id,
                          name="Ana" * 100, email="ana@example.org", language="en")
    assert first.result == "confirmed" and first.calendar_token
    again = register_once(sessions, conversation_id="conv-1", event_id=event_id,
                          name="Ana", email="ana@example.org", language="en")
    assert again.result == "already_confirmed"
    with sessions() as session:
        (held,) = confirmed_registrations(session, "conv-1")
        assert held.consent_id == granted_consent_id(session, "conv-1")
        assert len(held.name) == 200


def test_only_registrations_holding_a_seat_are_confirmed_ones(sessions):
    add_conversation(sessions, "conv-1")
    event_id = _event_id(sessions)
    register_once(sessions, conversation_id="conv-1", event_id=event_id, name="Ana",
                  email="ana@example.org", language="en")
    with sessions.begin() as session:
        registrations.cancel(session, event_id=event_id, conversation_id="conv-1")
    with sessions() as session:
        assert confirmed_registrations(session, "conv-1") == []
        assert session.get(Event, event_id) is not None
