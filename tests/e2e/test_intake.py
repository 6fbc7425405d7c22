"""The intake end to end, in five languages: from chat messages to exactly the expected case."""

from __future__ import annotations

import os
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from catalog.db import make_engine, make_session_factory
from catalog.models import Case, Consent, Conversation, ConversationMessage
from ops.rasa_project import language_responses

pytestmark = pytest.mark.e2e
RESPONSES = language_responses()
QUESTIONS = ("consent", "org_name", "legal_form", "country", "city", "sector", "members",
             "stage", "website", "need_category", "need_description", "discoverable", "amount",
             "timeline", "contact_name", "email", "phone")


def _text(lang: str, name: str) -> str:
    return RESPONSES[lang][name][0]["text"]


class Chat:
    """A user of the web chat API who answers the intake's questions."""

    def __init__(self, stack, lang: str) -> None:
        self.client = httpx.Client(base_url=stack.bot_url, timeout=90)
        self.lang = lang
        self.id = self.client.post("/api/conversations", json={"language": lang}).json()[
            "conversation_id"]
        self.asked: list[str] = []
        self.last: dict = {}

    def say(self, text: str) -> list[str]:
        response = self.client.post(f"/api/conversations/{self.id}/messages",
                                    json={"text": text})
        assert response.status_code == 200, response.text
        self.last = response.json()
        return [r["text"] for r in self.last["replies"]]

    def question(self) -> str | None:
        """Return which slot the last replies ask for, if any."""
        for reply in self.last.get("replies", []):
            for slot in QUESTIONS:
                if reply["text"] == _text(self.lang, f"utter_ask_{slot}"):
                    return slot
        return None

    def answer_all(self, answers: dict[str, str], limit: int = 20) -> None:
        """Answer each question from ``answers`` until the summary appears."""
        for _ in range(limit):
            slot = self.question()
            if slot is None:
                return
            self.asked.append(slot)
            assert slot in answers, f"unexpected question {slot}; replies: {self.last}"
            self.say(answers[slot])
        raise AssertionError("the intake did not end")

    def answer_until(self, answers: dict[str, str], stop_at: str, limit: int = 20) -> None:
        """Answer questions from ``answers`` until ``stop_at`` is asked."""
        for _ in range(limit):
            slot = self.question()
            if slot == stop_at:
                return
            assert slot in answers, f"unexpected question {slot}; replies: {self.last}"
            self.say(answers[slot])
        raise AssertionError(f"{stop_at} was never asked")

    def summary_shown(self) -> bool:
        intro = _text(self.lang, "utter_case_summary").split("{summary}")[0].strip()
        return any(r["text"].startswith(intro) for r in self.last["replies"])


def _case(stack, conversation_id: str) -> Case | None:
    engine = make_engine(stack.database_url)
    try:
        with make_session_factory(engine)() as session:
            case = session.scalar(select(Case).where(Case.conversation_id == conversation_id))
            if case is not None:
                case.history_statuses = [e.status for e in case.history]
            return case
    finally:
        engine.dispose()


def _fields(case: Case) -> dict:
    return {k: getattr(case, k) for k in (
        "status", "language", "channel", "org_name", "legal_form", "country", "city", "sector",
        "members", "stage", "website", "need_category", "need_description", "amount",
        "currency", "timeline", "contact_name", "email", "phone")}


def test_a_long_opening_message_prefills_most_of_the_case_in_catalan(stack):
    chat = Chat(stack, "ca")
    chat.say("Som una cooperativa de 12 sòcies a Girona que fa formatges i necessitem "
             "finançament per comprar una màquina")
    chat.answer_all({
        "consent": "/affirm",
        "org_name": "Formatges del Ter",
        "country": "Espanya",
        "stage": '/inform{"stage": "growing"}',
        "website": "/skip_question",
        "need_description": "Volem comprar una envasadora per vendre a botigues",
        "amount": "25.000 €",
        "timeline": '/inform{"timeline": "3_months"}',
        "contact_name": "Núria Puig",
        "email": "nuria@formatges.example.org",
        "phone": "+34 972 000 111",
    })
    # Already said in the opening message, so never asked:
    assert not {"legal_form", "city", "sector", "members", "need_category"} & set(chat.asked)
    assert chat.summary_shown()
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert _text("ca", "utter_case_saved").split("{reference}")[0] in chat.last["replies"][0][
        "text"]
    assert case.reference in chat.last["replies"][0]["text"]
    assert _fields(case) == {
        "status": "new", "language": "ca", "channel": "web", "org_name": "Formatges del Ter",
        "legal_form": "cooperative", "country": "ES", "city": "Girona", "sector": "agrifood",
        "members": 12, "stage": "growing", "website": None, "need_category": "funding",
        "need_description": "Volem comprar una envasadora per vendre a botigues",
        "amount": Decimal("25000.00"), "currency": "EUR", "timeline": "3_months",
        "contact_name": "Núria Puig", "email": "nuria@formatges.example.org",
        "phone": "+34972000111"}
    assert case.history_statuses == ["new"]
    assert "Som una cooperativa de 12 sòcies" in case.original_words[0]


def test_two_corrections_in_french(stack):
    chat = Chat(stack, "fr")
    chat.say("Bonjour, nous cherchons un accompagnement pour notre plan d'affaires")
    chat.answer_all({
        "consent": "/affirm",
        "org_name": "Les Jardins de Carthage",
        "legal_form": '/inform{"legal_form": "association"}',
        "country": "Tunisie",
        "city": "Tunis",
        "sector": '/inform{"sector": "agrifood"}',
        "members": "18",
        "stage": '/inform{"stage": "starting"}',
        "website": "jardins.example.org",
        "need_description": "Un plan d'affaires pour une conserverie solidaire",
        "timeline": '/inform{"timeline": "12_months"}',
        "contact_name": "Leïla Ben Salem",
        "email": "leila@jardins.example.org",
        "phone": "/skip_question",
    })
    assert "amount" not in chat.asked  # not a funding request
    assert chat.summary_shown()
    chat.say("En fait nous sommes à Tanger, pas à Tunis")
    assert chat.summary_shown()
    chat.say("changez mon e-mail : contact@jardins.example.org")
    assert chat.summary_shown()
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert _fields(case) == {
        "status": "new", "language": "fr", "channel": "web",
        "org_name": "Les Jardins de Carthage", "legal_form": "association", "country": "TN",
        "city": "Tanger", "sector": "agrifood", "members": 18, "stage": "starting",
        "website": "jardins.example.org", "need_category": "consultancy",
        "need_description": "Un plan d'affaires pour une conserverie solidaire",
        "amount": None, "currency": None, "timeline": "12_months",
        "contact_name": "Leïla Ben Salem", "email": "contact@jardins.example.org",
        "phone": None}


def test_an_interrupted_intake_resumes_after_the_bot_restarts_in_spanish(stack, restart_bot):
    chat = Chat(stack, "es")
    chat.say("Necesitamos un microcrédito para la cooperativa")
    assert chat.question() == "consent"
    chat.say("/affirm")
    assert chat.question() == "org_name"
    chat.say("Tejidos Alhambra")
    asked_before = chat.question()
    assert asked_before == "country"
    restart_bot()
    chat.client = httpx.Client(base_url=stack.bot_url, timeout=90)
    chat.say("Hola")
    assert chat.last["replies"][0]["text"] == _text("es", "utter_welcome_back")
    chat.say("/affirm")
    assert chat.question() == "country"
    chat.say("España")
    assert chat.question() == "city"
    chat.answer_all({"city": "Granada", "sector": '/inform{"sector": "crafts"}',
                     "members": "6", "stage": '/inform{"stage": "starting"}',
                     "website": "/skip_question",
                     "need_description": "Un telar nuevo para el taller",
                     "amount": "6.000 €", "timeline": '/inform{"timeline": "urgent"}',
                     "contact_name": "Carmen Ruiz", "email": "carmen@tejidos.example.org",
                     "phone": "/skip_question"})
    assert chat.summary_shown(), (chat.asked, chat.last)
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert _fields(case) == {
        "status": "new", "language": "es", "channel": "web", "org_name": "Tejidos Alhambra",
        "legal_form": "cooperative", "country": "ES", "city": "Granada", "sector": "crafts",
        "members": 6, "stage": "starting", "website": None, "need_category": "funding",
        "need_description": "Un telar nuevo para el taller",
        "amount": Decimal("6000.00"),
        "currency": "EUR", "timeline": "urgent", "contact_name": "Carmen Ruiz",
        "email": "carmen@tejidos.example.org", "phone": None}


def test_declined_consent_stores_no_personal_data_in_english(stack):
    chat = Chat(stack, "en")
    chat.say("We need a loan for our cooperative")
    assert chat.question() == "consent"
    chat.say("/deny")
    assert chat.last["replies"][0]["text"] == _text("en", "utter_consent_declined")
    assert _case(stack, chat.id) is None
    engine = make_engine(stack.database_url)
    with make_session_factory(engine)() as session:
        consents = session.scalars(select(Consent).where(
            Consent.conversation_id == chat.id)).all()
    engine.dispose()
    assert [c.granted for c in consents] == [False]
    assert consents[0].text_shown == _text("en", "utter_ask_consent")
    # Browsing still works anonymously.
    chat.say("/ask_help")
    assert chat.last["replies"][0]["text"].startswith(_text("en", "utter_help")[:20])


def test_validation_messages_and_a_broker_offer_after_two_failures_in_italian(stack):
    chat = Chat(stack, "it")
    chat.say("Cerchiamo partner per un progetto di cooperazione")
    chat.answer_until({
        "consent": "/affirm",
        "org_name": "Mare Nostrum APS",
        "legal_form": '/inform{"legal_form": "association"}',
        "country": "Italia",
        "city": "Napoli",
        "sector": '/inform{"sector": "culture"}',
        "members": "30",
        "stage": '/inform{"stage": "consolidated"}',
        "website": "/skip_question",
        "need_description": "Cerchiamo partner in Tunisia per un festival",
        "discoverable": "/deny",
        "timeline": '/inform{"timeline": "no_rush"}',
        "contact_name": "Giulia Esposito",
    }, stop_at="email")
    chat.say("il mio indirizzo è giulia chiocciola marenostrum")
    assert chat.last["replies"][0]["text"] == _text("it", "utter_invalid_email")
    chat.say("giulia punto marenostrum")
    texts = [r["text"] for r in chat.last["replies"]]
    assert _text("it", "utter_invalid_email") in texts
    assert _text("it", "utter_offer_human") in texts
    chat.say("giulia@marenostrum.example.org")
    assert chat.question() == "phone"
    chat.say("+39 081 123 4567")
    assert chat.summary_shown()
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert _fields(case) == {
        "status": "new", "language": "it", "channel": "web", "org_name": "Mare Nostrum APS",
        "legal_form": "association", "country": "IT", "city": "Napoli", "sector": "culture",
        "members": 30, "stage": "consolidated", "website": None,
        "need_category": "partners",
        "need_description": "Cerchiamo partner in Tunisia per un festival",
        "amount": None, "currency": None, "timeline": "no_rush",
        "contact_name": "Giulia Esposito", "email": "giulia@marenostrum.example.org",
        "phone": "+390811234567"}
    assert case.discoverable is False  # the user said no to being shown to others


def test_erasing_my_data_deletes_the_conversation_and_cases(stack):
    chat = Chat(stack, "pt")
    chat.say("Precisamos de financiamento para a cooperativa")
    chat.say("/affirm")
    chat.say("Cooperativa Terra Viva")
    chat.say("/erase_data")
    assert chat.last["replies"][0]["text"] == _text("pt", "utter_confirm_erase")
    chat.say('/erase_data{"choice": "confirm"}')
    assert chat.last["replies"][0]["text"] == _text("pt", "utter_data_erased")
    engine = make_engine(stack.database_url)
    with make_session_factory(engine)() as session:
        assert session.get(Conversation, chat.id) is None
        assert session.scalars(select(ConversationMessage).where(
            ConversationMessage.conversation_id == chat.id)).all() == []
        assert session.scalars(select(Consent).where(
            Consent.conversation_id == chat.id)).all() == []
    engine.dispose()
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{chat.id}/tracker", timeout=30,
                        params={"token": os.environ["RASA_TOKEN"]}).json()
    assert not any(e.get("event") == "user" for e in tracker.get("events", []))


def _summary_text(chat: Chat) -> str:
    assert chat.summary_shown(), chat.last
    intro = _text(chat.lang, "utter_case_summary").split("{summary}")[0].strip()
    return next(r["text"] for r in chat.last["replies"] if r["text"].startswith(intro))


def test_amount_corrections_at_the_summary_in_greek(stack):
    chat = Chat(stack, "el")
    chat.say("Χρειαζόμαστε χρηματοδότηση για τον συνεταιρισμό μας")
    chat.answer_all({
        "consent": "/affirm",
        "org_name": "Ελαιώνες Κρήτης",
        "legal_form": '/inform{"legal_form": "cooperative"}',
        "country": "Ελλάδα",
        "city": "Χανιά",
        "sector": '/inform{"sector": "agrifood"}',
        "members": "14",
        "stage": '/inform{"stage": "growing"}',
        "website": "/skip_question",
        "need_category": '/inform{"need_category": "funding"}',
        "need_description": "Ένα νέο ελαιοτριβείο για τον συνεταιρισμό",
        "amount": "270 χιλ. ευρω",
        "timeline": '/inform{"timeline": "12_months"}',
        "contact_name": "Νίκος Παπαδάκης",
        "email": "nikos@elaiones.example.org",
        "phone": "/skip_question",
    })
    assert "270.000\u00a0€" in _summary_text(chat)  # not 270: "χιλ." is a thousand
    # Read as an answer, as a bare amount, and as a new funding need: each one corrects.
    for text, shown in (("το ποσό είναι 275000 ευρώ", "275.000\u00a0€"),
                        ("280.000 €", "280.000\u00a0€"),
                        ("χρειαζομαστε 290000 ευρω", "290.000\u00a0€")):
        chat.say(text)
        assert shown in _summary_text(chat), text
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert (case.amount, case.currency, case.members) == (Decimal("290000.00"), "EUR", 14)


def test_amount_correction_at_the_summary_in_italian(stack):
    chat = Chat(stack, "it")
    chat.say("Cerchiamo un finanziamento per la nostra cooperativa sociale")
    chat.answer_all({
        "consent": "/affirm",
        "org_name": "Terre Solidali",
        "legal_form": '/inform{"legal_form": "cooperative"}',
        "country": "Italia",
        "city": "Bari",
        "sector": '/inform{"sector": "care"}',
        "members": "22",
        "stage": '/inform{"stage": "growing"}',
        "website": "/skip_question",
        "need_category": '/inform{"need_category": "funding"}',
        "need_description": "Un furgone attrezzato per l'assistenza domiciliare",
        "amount": "120.000 euro",
        "timeline": '/inform{"timeline": "3_months"}',
        "contact_name": "Marta Rinaldi",
        "email": "marta@terresolidali.example.org",
        "phone": "/skip_question",
    })
    assert "120.000\u00a0€" in _summary_text(chat)
    chat.say("anzi l'importo è 80.000 euro")
    assert "80.000\u00a0€" in _summary_text(chat)
    assert "120.000" not in _summary_text(chat)
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert (case.amount, case.currency) == (Decimal("80000.00"), "EUR")


def test_a_turkish_organisation_asking_in_euros_gets_euros(stack):
    chat = Chat(stack, "tr")
    chat.say("Kooperatif için kredi arıyoruz")
    chat.answer_all({
        "consent": "/affirm",
        "org_name": "Ege Dokuma Kooperatifi",
        "legal_form": '/inform{"legal_form": "cooperative"}',
        "country": "Türkiye",
        "city": "İzmir",
        "sector": '/inform{"sector": "crafts"}',
        "members": "9",
        "stage": '/inform{"stage": "starting"}',
        "website": "/skip_question",
        "need_category": '/inform{"need_category": "funding"}',
        "need_description": "Yeni dokuma tezgahları",
        "amount": "15000 euro",
        "timeline": '/inform{"timeline": "urgent"}',
        "contact_name": "Ayşe Demir",
        "email": "ayse@egedokuma.example.org",
        "phone": "/skip_question",
    })
    assert "€15.000" in _summary_text(chat)
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert (case.amount, case.currency, case.country) == (Decimal("15000.00"), "EUR", "TR")
