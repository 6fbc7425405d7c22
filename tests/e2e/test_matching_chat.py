"""Proposals, event registration and partner introductions in chat, against the real stack."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.db import make_engine, make_session_factory
from catalog.matching.need import Need
from catalog.matching.services import rank_services
from catalog.models import Case, CaseService, Consent, EventRegistration, Service
from catalog.plurals import counted
from tests.e2e.test_intake import Chat, _case, _text

pytestmark = pytest.mark.e2e


def _buttons(chat: Chat) -> list[dict]:
    return [b for r in chat.last["replies"] for b in r.get("buttons", [])]


def _texts(chat: Chat) -> list[str]:
    return [r["text"] for r in chat.last["replies"]]


def _starts(lang: str, response: str) -> str:
    """The fixed part of a response before its first placeholder."""
    return _text(lang, response).split("{")[0].strip()


def _payloads(chat: Chat, intent: str) -> list[dict]:
    found = []
    for button in _buttons(chat):
        if button["payload"].startswith(f"/{intent}{{"):
            found.append(json.loads(button["payload"][len(intent) + 1:]))
    return found


@contextmanager
def _session(stack) -> Iterator[Session]:
    """A session on the stack's catalogue, to check what the chat stored."""
    engine = make_engine(stack.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


FUNDING_ANSWERS = {
    "consent": "/affirm",
    "org_name": "Zitouna Coop",
    "legal_form": '/inform{"legal_form": "cooperative"}',
    "country": "Tunisie",
    "city": "Sfax",
    "sector": '/inform{"sector": "agrifood"}',
    "members": "9",
    "stage": '/inform{"stage": "starting"}',
    "website": "/skip_question",
    "need_description": "Un petit prêt pour acheter des caisses et une balance",
    "amount": "8000 euros",
    "timeline": '/inform{"timeline": "3_months"}',
    "contact_name": "Amira Trabelsi",
    "email": "amira@zitouna.example.org",
    "phone": "/skip_question",
}


def test_after_saving_the_case_the_best_services_come_with_reasons_and_can_be_chosen(stack):
    chat = Chat(stack, "fr")
    chat.say("Bonjour, notre coopérative a besoin d'un microcrédit")
    chat.answer_all(FUNDING_ANSWERS)
    assert chat.summary_shown()
    chat.say("/affirm")
    texts = _texts(chat)
    case = _case(stack, chat.id)
    assert case is not None and case.reference in texts[0]
    # The chat shows exactly the top of the ranking for this case, with why each fits.
    with _session(stack) as session:
        expected = rank_services(session, Need.from_case(session.get(Case, case.id)))
    assert expected.proposals, "the seed catalogue has services for this case"
    intro = counted("fr", "matches_intro", expected.total)
    assert intro in texts
    shown = [p["service"] for p in _payloads(chat, "choose_service")]
    assert shown == [p.key for p in expected.proposals]
    cards = [t for t in texts if t.startswith(expected.proposals[0].title)]
    assert cards and "✓ " in cards[0] and "Tunisie" in cards[0]  # reasons in French
    # Details of the first one, then "contact me about this": recorded on the case.
    chat.say(f'/service_details{{"service": "{shown[0]}"}}')
    assert _texts(chat)[0].startswith(expected.proposals[0].title)
    chat.say(f'/choose_service{{"service": "{shown[0]}"}}')
    assert _texts(chat) == [_text("fr", "utter_service_chosen").replace(
        "{title}", expected.proposals[0].title)]
    with _session(stack) as session:
        chosen = session.scalars(select(Service.key).join(
            CaseService, CaseService.service_id == Service.id).where(
            CaseService.case_id == case.id)).all()
        stored = session.get(Case, case.id)
        statuses = [e.status for e in stored.history]
    assert chosen == [shown[0]]
    assert stored.status == "matched" and statuses == ["new", "matched"]


def test_see_more_pages_through_the_rest_without_repeating(stack):
    chat = Chat(stack, "en")
    chat.say("/show_services")  # browsing without a request: everything in the catalogue
    first = [p["service"] for p in _payloads(chat, "choose_service")]
    assert len(first) == 3
    with _session(stack) as session:
        everything = rank_services(session, Need(language="en"))
    assert counted("en", "matches_more", everything.total - 3) in _texts(chat)
    chat.say("show me more")
    second = [p["service"] for p in _payloads(chat, "choose_service")]
    assert len(second) == 3 and not set(first) & set(second)
    # Naming a country narrows the list down to what is open there.
    chat.say("we are based in Morocco")
    with _session(stack) as session:
        in_morocco = rank_services(session, Need(language="en", country="MA"), limit=100)
    assert 0 < in_morocco.total < 40
    assert counted("en", "matches_intro", in_morocco.total) in _texts(chat)
    narrowed = [p["service"] for p in _payloads(chat, "choose_service")]
    assert set(narrowed) <= {p.key for p in in_morocco.proposals}
    # Choosing without a request asks to prepare one first, and records nothing.
    chat.say(f'/choose_service{{"service": "{second[0]}"}}')
    assert _texts(chat)[0].startswith(_starts("en", "utter_service_needs_case"))
    assert _case(stack, chat.id) is None


def test_declining_consent_still_shows_services_for_the_need_and_stores_nothing(stack):
    chat = Chat(stack, "en")
    chat.say("We need a loan for our cooperative")
    assert chat.question() == "consent"
    chat.say("/deny")
    texts = _texts(chat)
    assert texts[0] == _text("en", "utter_consent_declined")
    keys = [p["service"] for p in _payloads(chat, "choose_service")]
    assert keys, texts
    with _session(stack) as session:
        categories = set(session.scalars(select(Service.category).where(Service.key.in_(keys))))
    assert categories == {"funding"}
    assert _case(stack, chat.id) is None


def test_registering_for_an_event_asks_consent_name_and_email_then_can_be_cancelled(stack):
    chat = Chat(stack, "el")
    chat.say("/ask_events")
    assert _texts(chat)[0].startswith(_starts("el", "utter_events_intro"))
    events = [p["event"] for p in _payloads(chat, "register_event")]
    assert events
    chat.say(f'/register_event{{"event": "{events[0]}"}}')
    question = _texts(chat)[0]
    assert question.startswith(_starts("el", "utter_ask_registration_consent"))
    chat.say("/affirm")
    assert chat.question() == "contact_name"
    chat.say("Ελένη Παπαδοπούλου")
    assert chat.question() == "email"
    chat.say("ελένη στο example τελεία org")
    assert _texts(chat)[0] == _text("el", "utter_invalid_email")
    chat.say("eleni@example.org")
    assert _texts(chat)[0].startswith(_starts("el", "utter_registered"))
    assert "eleni@example.org" in _texts(chat)[0]
    with _session(stack) as session:
        registrations = session.scalars(select(EventRegistration).where(
            EventRegistration.conversation_id == chat.id)).all()
        consent = session.scalars(select(Consent).where(Consent.conversation_id == chat.id)
                                  ).all()
        assert [(r.event.key, r.name, r.email, r.language) for r in registrations] == [
            (events[0], "Ελένη Παπαδοπούλου", "eleni@example.org", "el")]
    assert [c.granted for c in consent] == [True]
    assert consent[0].text_shown == question  # the exact text the user saw, with the title
    # Registering twice says so; cancelling frees the seat and keeps it listed as cancelled.
    chat.say(f'/register_event{{"event": "{events[0]}"}}')
    assert _texts(chat)[0].startswith(_starts("el", "utter_already_registered"))
    chat.say("/cancel_registration")
    assert _texts(chat)[0].startswith(_starts("el", "utter_registration_cancelled"))
    with _session(stack) as session:
        assert session.scalars(select(EventRegistration.status).where(
            EventRegistration.conversation_id == chat.id)).all() == ["cancelled"]
    chat.say("/cancel_registration")
    assert _texts(chat)[0] == _text("el", "utter_no_registration")


def _start_registration_for_the_first_event(chat: Chat) -> None:
    chat.say("/ask_events")
    event = _payloads(chat, "register_event")[0]["event"]
    chat.say(f'/register_event{{"event": "{event}"}}')


def test_declining_the_registration_consent_stores_no_registration(stack):
    chat = Chat(stack, "tr")
    _start_registration_for_the_first_event(chat)
    chat.say("/deny")
    assert _texts(chat)[0] == _text("tr", "utter_registration_declined")
    with _session(stack) as session:
        assert session.scalars(select(EventRegistration).where(
            EventRegistration.conversation_id == chat.id)).all() == []


def _partner_case(stack, lang: str, opening: str, answers: dict[str, str]) -> Chat:
    chat = Chat(stack, lang)
    chat.say(opening)
    chat.answer_all(answers)
    assert chat.summary_shown(), chat.last
    chat.say("/affirm")
    return chat


def test_partners_are_introduced_only_when_both_agree(stack):
    common = {"consent": "/affirm", "sector": '/inform{"sector": "crafts"}',
              "members": "12", "stage": '/inform{"stage": "growing"}',
              "website": "/skip_question", "timeline": '/inform{"timeline": "no_rush"}',
              "phone": "/skip_question", "discoverable": "/affirm",
              "need_category": '/inform{"need_category": "partners"}'}
    first = _partner_case(stack, "it", "Cerchiamo partner per un progetto di cooperazione", {
        **common, "org_name": "Tessitrici di Lecce", "legal_form": "/inform{\"legal_form\": "
        "\"cooperative\"}", "country": "Italia", "city": "Lecce",
        "need_description": "Partner nel Maghreb per una linea di tessuti",
        "contact_name": "Carla Rizzo", "email": "carla@tessitrici.example.org"})
    assert "discoverable" in first.asked
    second = _partner_case(stack, "fr", "Nous cherchons des partenaires à l'étranger", {
        **common, "org_name": "Tisserandes de Kairouan", "legal_form": "/inform{\"legal_form\""
        ": \"association\"}", "country": "Tunisie", "city": "Kairouan",
        "need_description": "Un partenaire européen pour vendre nos tapis",
        "contact_name": "Salma Gharbi", "email": "salma@kairouan.example.org"})
    texts = _texts(second)
    assert any(t.startswith(_starts("fr", "utter_partners_intro")) for t in texts)
    cards = [t for t in texts if t.startswith("Tessitrici di Lecce")]
    assert cards and "carla@" not in " ".join(texts)  # no contact before both agree
    first_case = _case(stack, first.id)
    assert {"case": first_case.reference} in _payloads(second, "request_intro")
    second.say(f'/request_intro{{"case": "{first_case.reference}"}}')
    assert _texts(second) == [_text("fr", "utter_intro_requested").replace(
        "{org}", "Tessitrici di Lecce")]
    # The asked organisation is told at once, in Italian, with the answer buttons...
    pushed = _pushed(stack, first.id)
    assert _fills(_text("it", "utter_intro_request_received"), pushed["text"])
    assert "Tisserandes de Kairouan" in pushed["text"]
    assert "salma@" not in pushed["text"]
    assert [b["payload"] for b in pushed["buttons"]] == [
        '/answer_intro{"choice": "accept"}', '/answer_intro{"choice": "decline"}']
    # ... and asked again when it comes back, and accepts.
    first.say("Buongiorno")
    asked = [t for t in _texts(first) if "Tisserandes de Kairouan" in t]
    assert asked and "salma@" not in asked[0]
    first.say('/answer_intro{"choice": "accept"}')
    assert "salma@kairouan.example.org" in _texts(first)[0]
    # The requester hears the acceptance at once, in French, with the contact.
    told = _pushed(stack, second.id)
    assert "carla@tessitrici.example.org" in told["text"]
    assert _fills(_text("fr", "utter_intro_accepted"), told["text"])


def _fills(template: str, text: str) -> bool:
    """Return whether ``text`` is ``template`` with its {placeholders} filled in."""
    pattern = ".+".join(re.escape(part) for part in re.split(r"\{[a-z_]+\}", template))
    return re.fullmatch(pattern, text, flags=re.DOTALL) is not None


def _pushed(stack, conversation_id: str) -> dict:
    """Return the first message the conversation's live stream delivers."""
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client, client.stream(
            "GET", f"/api/conversations/{conversation_id}/events") as response:
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "message":
                return dict(json.loads(line.removeprefix("data: ")))
    raise AssertionError("no message was pushed")


def test_going_back_reasks_the_previous_question_in_spanish(stack):
    chat = Chat(stack, "es")
    chat.say("Necesitamos asesoría para el plan de negocio de la asociación")
    chat.answer_until({"consent": "/affirm", "org_name": "Huerta Viva",
                       "country": "Marruecos"}, stop_at="city")
    chat.say("vuelve a la pregunta anterior")
    assert _texts(chat)[0] == _text("es", "utter_went_back")
    assert chat.question() == "country"
    chat.say("Túnez")
    assert chat.question() == "city"
    chat.answer_all({"city": "Susa", "sector": '/inform{"sector": "agrifood"}',
                     "members": "7", "stage": '/inform{"stage": "idea"}',
                     "website": "/skip_question",
                     "need_description": "Un plan de negocio para vender verdura ecológica",
                     "timeline": '/inform{"timeline": "12_months"}',
                     "contact_name": "Yasmin Haddad", "email": "yasmin@huerta.example.org",
                     "phone": "/skip_question"})
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None and case.country == "TN" and case.city == "Susa"
    assert case.need_category == "consultancy" and case.legal_form == "association"


def test_erasing_my_data_also_erases_my_event_registrations(stack):
    chat = Chat(stack, "pt")
    _start_registration_for_the_first_event(chat)
    chat.say("/affirm")
    chat.say("João Almeida")
    chat.say("joao@example.org")
    assert _texts(chat)[0].startswith(_starts("pt", "utter_registered"))
    chat.say("/erase_data")
    chat.say('/erase_data{"choice": "confirm"}')
    assert _texts(chat)[0] == _text("pt", "utter_data_erased")
    with _session(stack) as session:
        left = session.scalars(select(EventRegistration).where(
            EventRegistration.email == "joao@example.org")).all()
        consents = session.scalars(select(Consent).where(Consent.conversation_id == chat.id)
                                   ).all()
    assert left == [] and consents == []
