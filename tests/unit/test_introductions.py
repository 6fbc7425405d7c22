"""Partner introductions in the data layer: one request per pair, answers, who was told."""

from __future__ import annotations

import pytest

from catalog.introductions import (
    answer_introduction,
    mark_heard,
    pending_introductions,
    request_introduction,
)
from tests.support.trackers import add_case, seeded_catalogue

ASKER, TARGET, HIDDEN = "IM-KYKL-0001", "IM-ZAYT-0002", "IM-HIDE-0003"


@pytest.fixture
def sessions(tmp_path_factory, tmp_path, monkeypatch):
    sessions = seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)
    add_case(sessions, "conv-1", ASKER, sector="agrifood", country="GR")
    add_case(sessions, "conv-2", TARGET, sector="agrifood", country="TN", discoverable=True)
    add_case(sessions, "conv-3", HIDDEN, sector="agrifood", country="MA")
    return sessions


def _ask(sessions, reference: str = TARGET, asker: str = "conv-1") -> str:
    with sessions.begin() as session:
        return request_introduction(session, conversation_id=asker,
                                    target_reference=reference).result


def test_a_request_is_stored_once_and_asking_again_finds_it(sessions):
    assert _ask(sessions) == "new"
    assert _ask(sessions) == "requested"
    with sessions() as session:
        asked, answered = pending_introductions(session, "conv-2")
        assert [i.requester.reference for i in asked] == [ASKER] and answered == []


@pytest.mark.parametrize(("reference", "asker"), [
    (HIDDEN, "conv-1"),  # not discoverable
    ("IM-NONE-0000", "conv-1"),  # no such case
    (TARGET, "conv-2"),  # its own
    (TARGET, "conv-9"),  # an asker without a case
])
def test_nobody_is_asked_who_may_not_be(sessions, reference, asker):
    assert _ask(sessions, reference, asker) == "unknown"
    with sessions() as session:
        assert pending_introductions(session, "conv-2") == ([], [])


def test_an_acceptance_is_heard_by_the_target_at_once_and_by_the_asker_once(sessions):
    _ask(sessions)
    with sessions.begin() as session:
        intro = answer_introduction(session, "conv-2", accept=True)
        assert intro is not None and intro.status == "accepted" and intro.answered_at
        assert intro.requester_notified  # the accepting action tells the asker at once
    assert _ask(sessions) == "accepted"
    with sessions() as session:
        assert pending_introductions(session, "conv-1") == ([], [])


def test_a_declined_request_stays_declined_and_nothing_is_pending(sessions):
    _ask(sessions)
    with sessions.begin() as session:
        intro = answer_introduction(session, "conv-2", accept=False)
        assert intro is not None and intro.status == "declined"
        assert answer_introduction(session, "conv-2", accept=True) is None
    assert _ask(sessions) == "declined"


def test_an_acceptance_not_yet_heard_is_pending_until_marked(sessions):
    _ask(sessions)
    with sessions.begin() as session:
        (intro,), _ = pending_introductions(session, "conv-2")
        intro.status = "accepted"  # accepted elsewhere (the console), the asker not told
    with sessions.begin() as session:
        _, answered = pending_introductions(session, "conv-1")
        assert [i.target.reference for i in answered] == [TARGET]
        mark_heard(answered)
    with sessions() as session:
        assert pending_introductions(session, "conv-1") == ([], [])
