"""Partner introductions: asking through the outbox, answering, contacts only when both agree."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from actions.partners import ActionAnswerIntro, ActionRequestIntro
from catalog.models import OutboxMessage, PartnerIntroduction
from tests.support.trackers import add_case, make_tracker, run, seeded_catalogue

ARABIC = re.compile("[\u0600-\u06ff]")
GREEK = re.compile("[\u0370-\u03ff]")

REQUESTER = "IM-KYKL-0001"  # a Greek cooperative, writing in Greek (conv-1)
TARGET = "IM-ZAYT-0002"  # a Tunisian one that opted in to be found, writing in Arabic (conv-2)


@pytest.fixture
def catalogue(tmp_path_factory, tmp_path, monkeypatch):
    sessions = seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)
    add_case(sessions, "conv-1", REQUESTER, language="el", org_name="Kyklos Coop",
             legal_form="cooperative", sector="agrifood", country="GR",
             contact_name="Eleni", email="eleni@kyklos.example.org", phone="skipped")
    add_case(sessions, "conv-2", TARGET, language="ar", org_name="Zaytoun",
             legal_form="association", sector="agrifood", country="TN", discoverable=True,
             contact_name="Samira", email="samira@zaytoun.example.org", phone="+21620123456")
    return sessions


def _outbox(sessions) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _intros(sessions) -> list[PartnerIntroduction]:
    with sessions() as session:
        return list(session.scalars(select(PartnerIntroduction)))


def _request(reference: str = TARGET, sender: str = "conv-1", lang: str = "el"):
    return run(ActionRequestIntro(), make_tracker(
        language=lang, intent="request_intro", entities={"case": reference}, sender_id=sender))


def _answer(choice: str, sender: str = "conv-2", lang: str = "ar"):
    return run(ActionAnswerIntro(), make_tracker(
        language=lang, intent="answer_intro", entities={"choice": choice}, sender_id=sender))


# --- request --------------------------------------------------------------------------------

def test_asking_for_an_introduction_asks_the_other_side_in_its_language(catalogue):
    ran = _request()
    assert ran.responses == ["utter_intro_requested"]
    (told,) = ran.texts("el")
    assert "Zaytoun" in told and GREEK.search(told)
    (intro,) = _intros(catalogue)
    assert intro.status == "requested"
    (queued,) = _outbox(catalogue)
    assert (queued.conversation_id, queued.language, queued.kind) == (
        "conv-2", "ar", "introduction")
    # In Arabic, with who asks and what they are, never their contacts yet.
    assert "Kyklos Coop" in queued.text and "اليونان" in queued.text
    assert ARABIC.search(queued.text.replace("Kyklos Coop", ""))
    assert "eleni@" not in queued.text
    assert queued.buttons  # accept / decline


def test_asking_twice_is_one_request(catalogue):
    _request()
    again = _request()
    assert again.responses == ["utter_intro_requested"]
    assert len(_intros(catalogue)) == 1
    assert len(_outbox(catalogue)) == 1


def test_asking_again_after_both_agreed_gives_the_contacts_again(catalogue):
    _request()
    _answer("accept")
    queued = len(_outbox(catalogue))
    ran = _request()
    assert ran.responses == ["utter_intro_accepted"]  # not "I've asked them"
    (text,) = ran.texts("el")
    assert "samira@zaytoun.example.org" in text and GREEK.search(text)
    assert len(_outbox(catalogue)) == queued  # the other side is not asked again


def test_asking_again_after_a_refusal_does_not_promise_an_answer(catalogue):
    _request()
    _answer("decline")
    before = len(_outbox(catalogue))
    ran = _request()
    assert ran.responses == ["utter_intro_unavailable"]
    assert len(_outbox(catalogue)) == before  # nobody is asked again


@pytest.mark.parametrize(("reference", "sender"), [
    ("IM-HIDE-0003", "conv-1"),  # did not opt in to be found
    ("IM-NONE-0000", "conv-1"),  # no such case
    (TARGET, "conv-9"),  # the one asking has no request of their own
    (TARGET, "conv-2"),  # one's own organisation
])
def test_no_introduction_without_two_organisations_that_can_meet(catalogue, reference, sender):
    add_case(catalogue, "conv-3", "IM-HIDE-0003", language="fr", org_name="Cachée",
             sector="agrifood", country="FR", discoverable=False)
    ran = _request(reference, sender, lang="fr")
    assert ran.responses == ["utter_partners_none"]
    assert _intros(catalogue) == [] and _outbox(catalogue) == []
    assert ran.texts("fr") != ran.texts("en")


# --- answer ---------------------------------------------------------------------------------

def test_accepting_shares_both_contacts_each_in_its_own_language(catalogue):
    _request()
    ran = _answer("accept")
    assert ran.responses == ["utter_intro_accepted"]
    (told,) = ran.texts("ar")
    assert "Kyklos Coop" in told and "eleni@kyklos.example.org" in told
    assert "skipped" not in told  # no phone given: none shown
    (intro,) = _intros(catalogue)
    assert (intro.status, intro.requester_notified) == ("accepted", True)
    assert intro.answered_at is not None
    request, acceptance = _outbox(catalogue)
    assert request.conversation_id == "conv-2"
    assert (acceptance.conversation_id, acceptance.language) == ("conv-1", "el")
    assert "Zaytoun" in acceptance.text and "samira@zaytoun.example.org" in acceptance.text
    assert "+21620123456" in acceptance.text and GREEK.search(acceptance.text)


def test_declining_shares_nothing(catalogue):
    _request()
    ran = _answer("decline", lang="ar")
    assert ran.responses == ["utter_intro_declined"]
    (text,) = ran.texts("ar")
    assert ARABIC.search(text) and "eleni" not in text
    (intro,) = _intros(catalogue)
    assert intro.status == "declined" and not intro.requester_notified
    assert [m.conversation_id for m in _outbox(catalogue)] == ["conv-2"]  # the request only


def test_the_oldest_request_is_answered_first_and_each_only_once(catalogue):
    add_case(catalogue, "conv-4", "IM-ITAL-0004", language="it", org_name="Terra Viva",
             sector="agrifood", country="IT", email="tv@example.org")
    _request()
    _request(sender="conv-4", lang="it")
    assert _answer("accept").responses == ["utter_intro_accepted"]
    assert _outbox(catalogue)[-1].conversation_id == "conv-1"  # the first to ask
    second = _answer("decline")
    assert second.responses == ["utter_intro_declined"]
    with catalogue() as session:
        statuses = {intro.requester.reference: intro.status
                    for intro in session.scalars(select(PartnerIntroduction))}
    assert statuses == {REQUESTER: "accepted", "IM-ITAL-0004": "declined"}
    assert _answer("accept").responses == ["utter_default"]  # nothing left to answer


def test_answering_with_nothing_asked(catalogue):
    ran = _answer("accept", sender="conv-1", lang="el")
    assert ran.responses == ["utter_default"]
    assert _outbox(catalogue) == []


def test_the_other_side_is_asked_in_the_language_it_writes_in_now(catalogue):
    from catalog.models import Conversation

    with catalogue.begin() as session:
        session.get(Conversation, "conv-2").language = "fr"  # switched since the request
    _request()
    (queued,) = _outbox(catalogue)
    assert queued.language == "fr"
    assert "Grèce" in queued.text and not ARABIC.search(queued.text)
    with catalogue.begin() as session:
        session.get(Conversation, "conv-1").language = "it"
    _answer("accept")
    acceptance = _outbox(catalogue)[-1]
    assert acceptance.language == "it" and not GREEK.search(acceptance.text)
