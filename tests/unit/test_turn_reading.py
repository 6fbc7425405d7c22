"""A message read in its place in the conversation (actions/turn_reading.py), and the consent
question left for another action (actions/asides.py): action unit tests without the stack.

The rules that act on the reading are in dialogues/rules.yml; these tests check what the
action server decides: the `read_as` slot, the form stepping aside, the events said back by
topic, and a refusal at the consent question.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import declined_with_request
from actions.intake import ValidateIntakeForm
from actions.matching import ActionListEvents
from actions.metadata_slots import ValidatePredefinedSlots
from actions.turn_reading import reading
from tests.support.trackers import add_case, make_tracker, run, seeded_catalogue

CAMP = "thessaloniki-social-innovation-camp-2027"
MICROFINANCE = "maghreb-microfinance-days-2027"
MATCHMAKING = "iesmed-partner-matchmaking-2027"


@pytest.fixture
def catalogue(tmp_path_factory, tmp_path, monkeypatch):
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


def _user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}


def _action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def _events_shown(*between: str) -> list[dict[str, Any]]:
    """A conversation in which a list of events was shown, then ``between`` was said."""
    events = [_user("what events are there?"), _action("action_list_events")]
    for text in between:
        events += [_user(text), _action("action_answer_faq")]
    return events


def _read(lang: str, text: str, intent: str, events: list[dict[str, Any]] | None = None,
          **kwargs: Any) -> str | None:
    events = [*(events or []), _user(text)]
    return reading(make_tracker(language=lang, text=text, intent=intent, events=events,
                                **kwargs))


# --- register: a registration word and an upcoming event's title -------------------------

@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("el", "θέλω να δηλώσω συμμετοχή στην Κατασκήνωση Κοινωνικής Καινοτομίας", "need_innovation"),
    ("es", "quiero inscribirme en el Campamento de Innovación Social", "need_innovation"),
    ("it", "voglio iscrivermi al Campo di innovazione sociale di Salonicco", "need_innovation"),
    ("en", "please sign us up for the Social Innovation Camp in Thessaloniki", "need_innovation"),
    ("pt", "queremos inscrever-nos no Campo de Inovação Social", "need_innovation"),
])
def test_registering_for_an_event_whose_title_names_a_need_reads_as_register(
        catalogue, lang, text, intent):
    assert _read(lang, text, intent) == "register"


@pytest.mark.parametrize(("lang", "text", "intent"), [
    # a need, no registration word
    ("es", "necesitamos ayuda para un proyecto de innovación social", "need_innovation"),
    # a registration word, no event of the catalogue
    ("en", "we are a registered cooperative and need a loan for a van", "need_funding"),
    ("fr", "on veut s'inscrire dans une démarche d'innovation sociale", "need_innovation"),
    # help to take part in fairs, in words that also fit a fair's title
    ("tr", "İyi akşamlar, Trabzon'dan bir fındık üreticileri kooperatifiyiz. Ürünlerimizi "
           "Almanya ve Hollanda'ya satmak istiyoruz, yurt dışındaki fuarlara katılmak için "
           "yardım alabilir miyiz?", "need_internationalisation"),
    ("tr", "Kooperatif ürünlerimizi fuarlara katılmak istiyoruz", "need_internationalisation"),
])
def test_a_need_without_an_events_title_or_a_registration_word_stays_a_need(
        catalogue, lang, text, intent):
    assert _read(lang, text, intent) is None


# --- events: an event word in a question, or a topic right after the events -------------

@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("es", "¿organizáis algún encuentro para conocer cooperativas de otros países?",
     "search_partners"),
    ("fr", "vous avez des rencontres pour trouver des partenaires à l'étranger ?",
     "search_partners"),
    ("tr", "yurt dışından ortak bulmak için bir buluşma düzenliyor musunuz?",
     "search_partners"),
    ("el", "κάνετε κάποια ημερίδα για χρηματοδότηση συνεταιρισμών;", "need_funding"),
    ("ar", "واش كاين شي ملتقى على التمويل التضامني؟", "need_funding"),
])
def test_a_need_asked_as_a_question_about_events_reads_as_events(lang, text, intent):
    assert _read(lang, text, intent) == "events"


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("ca", "i de finançament, hi ha alguna cosa?", "need_funding"),
    ("it", "e sulla finanza etica?", "need_funding"),
    ("pt", "e sobre inovação social", "need_innovation"),
    ("en", "anything on exporting olive oil?", "need_internationalisation"),
    ("ar", "وعلى التصدير؟", "inform"),
])
def test_a_topic_asked_right_after_the_events_reads_as_events(lang, text, intent):
    assert _read(lang, text, intent, _events_shown()) == "events"
    # ... also with a plain question in between, but not long after, and not out of context
    assert _read(lang, text, intent, _events_shown("is it free?")) == "events"
    assert _read(lang, text, intent, _events_shown("a", "b", "c")) is None
    assert _read(lang, text.replace("?", "").replace("؟", ""), intent) is None


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "We make olive oil. Could you help us get to trade fairs in Germany?"),
    ("it", "Vogliamo vendere in Francia. C'è un sostegno per andare alle fiere?"),
    ("tr", "Zeytinyağı üretiyoruz. Fuarlara katılmak için destek var mı?"),
    ("el", "Θέλουμε να πάμε σε μια έκθεση στη Γερμανία. Πώς μπορείτε να βοηθήσετε;"),
    ("fr", "On voudrait aller sur des salons en Italie, vous savez par où commencer ?"),
])
def test_help_to_go_to_an_event_is_a_need_not_a_question_about_events(catalogue, lang, text):
    assert _read(lang, text, "need_internationalisation") is None


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("es", "necesitamos un préstamo para comprar una furgoneta eléctrica", "need_funding"),
    ("en", "we need help with our business plan for the bakery", "need_consultancy"),
])
def test_a_need_stated_after_the_events_starts_a_request(lang, text, intent):
    assert _read(lang, text, intent, _events_shown()) is None


def test_an_intake_started_after_the_events_ends_that_context():
    events = [*_events_shown(), _user("we need a loan"), _action("action_start_intake")]
    assert _read("en", "and about innovation?", "need_innovation", events) is None


# --- no new request ------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("pt", "não quero abrir outro pedido, era só para saber", "request_assistance"),
    ("es", "no quiero ninguna solicitud nueva, solo preguntaba por la otra", "need_funding"),
    ("en", "I don't want to start anything new, I was only checking", "inform"),
])
def test_no_new_request_after_a_status_reads_as_no_request(lang, text, intent):
    after_status = [_user("IM-Q541-B7J2?"), _action("action_show_case_status")]
    assert _read(lang, text, intent, after_status) == "no_request"


def test_a_refusal_that_asks_for_another_need_is_that_need():
    after_status = [_user("IM-Q541-B7J2?"), _action("action_show_case_status")]
    text = "no quiero otra solicitud de préstamo, buscamos socios en Italia"
    assert _read("es", text, "search_partners", after_status) is None


def test_a_generic_request_in_refusal_words_reads_as_no_request_anywhere():
    assert _read("it", "non voglio fare nessuna richiesta", "request_assistance") \
        == "no_request"
    assert _read("it", "non voglio un prestito, cerco partner", "search_partners") is None


# --- returning users greeting with their name ----------------------------------------------

@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("fr", "bonsoir, ici Leïla de l'épicerie solidaire", "inform"),
    ("ar", "السلام عليكم، معاكم كريم من جمعية الأمل", "nlu_fallback"),
    ("el", "καλησπέρα, η Ελένη από τον συνεταιρισμό της Χίου", "out_of_scope"),
])
def test_a_greeting_with_a_name_from_someone_with_a_request_reads_as_returning(
        catalogue, lang, text, intent):
    add_case(catalogue, "conv-1", "IM-AB12-CD34", language=lang, org_name="Coop")
    assert _read(lang, text, intent) == "returning"
    assert _read(lang, text, intent, sender_id="newcomer") is None  # introduced, not back
    assert _read(lang, "Leïla, épicerie solidaire", intent) is None  # no greeting


# --- erasure taken for something else -------------------------------------------------------

@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("tr", "bıktım artık, bizimle ilgili ne varsa sistemden silin", "cancel_registration"),
    ("es", "olvidaos de nosotros, borrad todo lo que tengáis", "stop_form"),
    ("fr", "effacez toutes nos données s'il vous plaît", "list_registrations"),
])
def test_a_delete_everything_request_reads_as_erase(lang, text, intent):
    assert _read(lang, text, intent) == "erase"


@pytest.mark.parametrize(("lang", "text"), [("tr", "fuar kaydımı silin lütfen"),
                                            ("en", "please delete my registration")])
def test_cancelling_a_registration_is_not_an_erasure(lang, text):
    assert _read(lang, text, "cancel_registration") is None


# --- where nothing is read into the message -------------------------------------------------

def test_nothing_is_read_into_answers_or_at_the_summary():
    text = "¿hay algún encuentro sobre financiación?"
    assert _read("es", text, "need_funding",
                 slots={"awaiting_confirmation": True}) is None
    assert _read("es", text, "need_funding", active_loop="intake_form",
                 slots={"requested_slot": "sector"}) is None
    assert _read("es", text, "need_funding", active_loop="intake_form",
                 slots={"requested_slot": "consent"}) == "events"
    # "delete it all" at the summary cancels the request (its cancel words), not erasure
    assert _read("ca", "esborra-ho tot", "stop_form",
                 slots={"awaiting_confirmation": True}) is None


def test_the_slot_is_set_every_turn_and_cleared_when_nothing_is_read():
    slots = ValidatePredefinedSlots()
    tracker = make_tracker(language="en", text="any fairs for crafts?", intent="need_funding",
                           events=[_user("any fairs for crafts?")])
    assert asyncio.run(slots.extract_read_as(CollectingDispatcher(), tracker, {})) \
        == {"read_as": "events"}
    tracker = make_tracker(language="en", text="we need a loan", intent="need_funding",
                           slots={"read_as": "events"}, events=[_user("we need a loan")])
    assert asyncio.run(slots.extract_read_as(CollectingDispatcher(), tracker, {})) \
        == {"read_as": None}


# --- the consent question left for another action -------------------------------------------

def _at(requested: str, text: str, intent: str, lang: str = "en",
        slots: dict[str, Any] | None = None, mapped: dict[str, Any] | None = None):
    """The form validating ``text`` at the question ``requested``: Rasa appends the form's
    run and then the values the domain's mappings took from the message."""
    events = [_user("we need a loan"), _action("action_start_intake"),
              _action("intake_form"), {"event": "slot", "name": "requested_slot",
                                       "value": requested},
              _action("action_listen"), _user(text), _action("intake_form"),
              *[{"event": "slot", "name": k, "value": v} for k, v in (mapped or {}).items()]]
    tracker = make_tracker(language=lang, text=text, intent=intent, events=events,
                           active_loop="intake_form",
                           slots={"requested_slot": requested, **(slots or {})})
    return run(ValidateIntakeForm(), tracker)


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("pt", "e tenho alguma inscrição em eventos?", "list_registrations"),
    ("en", "where is my other request at?", "ask_case_status"),
    ("ca", "quins esdeveniments hi ha aquest mes?", "ask_events"),
])
def test_something_else_at_the_consent_question_leaves_the_request_aside(lang, text, intent):
    ran = _at("consent", text, intent, lang)
    assert ran.responses == ["utter_intake_paused"]
    assert ran.loops == [None]
    assert ran.events[-1]["event"] == "action_execution_rejected"  # the rules answer it


def test_a_need_asked_about_as_events_at_the_consent_question_leaves_it_too():
    ran = _at("consent", "any fair for craft cooperatives?", "need_internationalisation",
              slots={"read_as": "events"})
    assert ran.loops == [None]


@pytest.mark.parametrize(("text", "intent"), [("is it free?", "ask_faq"),
                                              ("who will read our data?", "ask_privacy")])
def test_a_question_about_the_service_at_the_consent_question_keeps_it_open(text, intent):
    ran = _at("consent", text, intent)
    assert ran.loops == [] and ran.responses == []
    assert [e["event"] for e in ran.events] == ["action_execution_rejected"]


def test_a_yes_at_the_consent_question_is_still_the_answer(catalogue):
    ran = _at("consent", "yes that's fine", "affirm", mapped={"consent": True})
    assert "action_execution_rejected" not in [e["event"] for e in ran.events]


def test_a_question_naming_a_town_at_another_question_is_answered_not_taken():
    """"Is the stand at the Barcelona fair paid?" names a town: it is a question, answered
    by its rule; the town is not taken as the organisation's (which kept the form going)."""
    ran = _at("org_name", "is the stand at the Barcelona fair paid?", "ask_faq")
    assert [e["event"] for e in ran.events] == ["action_execution_rejected"]
    assert ran.slots == {}


def test_an_answer_the_domain_mapped_is_validated_whatever_the_intent():
    ran = _at("org_name", "Fira Solidària SCCL", "ask_events",
              mapped={"org_name": "Fira Solidària SCCL"})
    assert "action_execution_rejected" not in [e["event"] for e in ran.events]


def test_the_form_returning_after_the_answer_does_not_step_aside_again():
    events = [_user("we need a loan"), _action("action_start_intake"), _action("intake_form"),
              _action("action_listen"), _user("is it free?"), _action("action_answer_faq"),
              _action("intake_form")]
    tracker = make_tracker(language="en", text="is it free?", intent="ask_faq",
                           events=events, active_loop="intake_form",
                           slots={"requested_slot": "org_name"})
    ran = run(ValidateIntakeForm(), tracker)
    assert "action_execution_rejected" not in [e["event"] for e in ran.events]


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("en", "I don't want a new request, thanks", "request_assistance"),
    ("fr", "pas de nouvelle demande pour nous", "inform"),
    ("tr", "yeni başvuru istemiyorum", "request_assistance"),
])
def test_refusing_any_request_at_the_consent_question_declines_it(lang, text, intent):
    tracker = make_tracker(language=lang, text=text, intent=intent, active_loop="intake_form",
                           slots={"requested_slot": "consent"})
    assert declined_with_request(tracker)["consent"] is False


# --- events said back by their topic ---------------------------------------------------------

def _cards(ran) -> list[str]:
    return [b["payload"] for m in ran.messages for b in m.get("buttons") or []
            if b["payload"].startswith("/register_event")]


@pytest.mark.parametrize(("lang", "text", "topic", "first"), [
    ("ar", "هل عندكم ندوات حول التمويل الأصغر؟", "التمويل الأصغر", MICROFINANCE),
    ("ca", "teniu activitats d'innovació social?", "innovació social", CAMP),
    ("el", "έχετε κάτι για κοινωνική καινοτομία;", "κοινωνική καινοτομία", CAMP),
])
def test_events_found_by_a_topic_say_the_topic_and_show_only_those(catalogue, lang, text,
                                                                   topic, first):
    ran = run(ActionListEvents(), make_tracker(language=lang, text=text, intent="ask_events"))
    assert ran.responses[0] == "utter_events_topic"
    assert topic in ran.texts(lang)[0]
    assert first in _cards(ran)[0]
    assert ran.messages[0]["count"] < 10  # only the events the topic finds


def test_events_asked_in_general_are_all_listed(catalogue):
    ran = run(ActionListEvents(), make_tracker(language="en", text="what's coming up?",
                                               intent="ask_events"))
    assert ran.responses[0] == "utter_events_intro"
    assert ran.messages[0]["count"] == 10


def test_events_asked_with_a_need_offer_the_request_too(catalogue):
    ran = run(ActionListEvents(), make_tracker(
        language="es", text="¿hay algún encuentro para buscar socios de otros países?",
        intent="search_partners"))
    assert MATCHMAKING in _cards(ran)[0]
    assert ran.responses[-1] == "utter_events_or_request"
    assert ran.rendered("es")[-1][1][0]["payload"] == "/request_assistance"


def test_a_no_with_a_request_at_the_consent_question_is_first_the_answer(catalogue):
    ran = _at("consent", "no, but can we see the events?", "ask_events")
    assert "action_execution_rejected" not in [e["event"] for e in ran.events]
    assert ran.slots["consent"] is False


def test_asking_for_a_person_at_the_consent_question_is_left_to_its_rule():
    ran = _at("consent", "can I talk to someone from Barcelona first?", "request_human")
    assert [e["event"] for e in ran.events] == ["action_execution_rejected"]


# --- a returning user asking how their request is going -------------------------------------

@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("en", "morning! how's our microcredit application going?", "need_funding"),
    ("es", "buenas, ¿se sabe algo de lo de la subvención?", "ask_faq"),
    ("fr", "bonjour, où en est notre dossier d'accompagnement ?", "need_consultancy"),
    ("it", "ci sono aggiornamenti sulla richiesta per il bando?", "ask_faq"),
    ("ca", "què tal va la sol·licitud de l'ajuda?", "nlu_fallback"),
])
def test_a_question_about_progress_from_someone_with_a_request_reads_as_status(
        catalogue, lang, text, intent):
    add_case(catalogue, "conv-1", "IM-AB12-CD34", language=lang, org_name="Coop")
    assert _read(lang, text, intent) == "status"
    assert _read(lang, text, intent, sender_id="newcomer") is None  # nothing to ask about


def test_a_plain_question_from_someone_with_a_request_is_still_a_plain_question(catalogue):
    add_case(catalogue, "conv-1", "IM-AB12-CD34", language="en", org_name="Coop")
    assert _read("en", "do you charge anything for the advice?", "ask_faq") is None


def test_a_case_reference_asked_about_at_a_question_is_not_its_answer():
    tracker = make_tracker(language="it", text="com'è messa la pratica IM-7QX2-K9P4?",
                           intent="ask_case_status",
                           slots={"requested_slot": "org_name", "consent": True,
                                  "org_name": "com'è messa la pratica IM-7QX2-K9P4?"},
                           events=[_action("intake_form"), _user("x")],
                           active_loop="intake_form")
    ran = run(ValidateIntakeForm(), tracker)
    assert [e["event"] for e in ran.events] == ["action_execution_rejected"]
