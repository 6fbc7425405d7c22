"""The intake: turn a conversation into a structured request for assistance (a case)."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import catalogue
from actions.amounts import default_currency, parse_amount, parse_currency, stated_amount
from actions.answers import note_stray, refuses, tell_not_stored, typed_answer, without_contacts
from actions.choices import match_choice, own_words
from actions.cleaning import clean_org_name, clean_person_name, message
from actions.common import always_broker_needs, language, metadata
from actions.consent import declined_with_request
from actions.corrections import (
    ASK_WHICH,
    ASKABLE,
    Correction,
    named_field,
    pending_value,
    read_correction,
    value_for,
)
from actions.explain import explain_question
from actions.extraction import extract
from actions.matching import propose
from actions.places import home_countries, only_destination
from actions.towns import country_of, location_answer, town_in
from actions.validators import (
    parse_choice,
    parse_country,
    parse_email,
    parse_phone,
    parse_positive_int,
)
from catalog.brief import isolate, labels, summary
from catalog.cases import ANSWER_FIELDS, new_chat_case, save_new_case
from catalog.consents import record_consent
from catalog.models import Case
from catalog.vocabulary import CASE_LEGAL_FORMS, CASE_SECTORS, OTHER, STAGES

logger = logging.getLogger(__name__)

FORM = "intake_form"
ORDER = ("consent", "org_name", "legal_form", "country", "city", "sector", "members", "stage",
         "website", "need_category", "need_description", "discoverable", "amount", "timeline",
         "contact_name", "email", "phone")
OPTIONAL = frozenset({"website", "phone"})
PREFILLABLE = ("legal_form", "country", "city", "sector", "members", "stage", "need_category")
CASE_SLOTS = (*ORDER, "currency")
INTENT_NEED = {"need_funding": "funding", "need_consultancy": "consultancy",
               "need_innovation": "innovation", "need_internationalisation": "internationalisation",
               "search_partners": "partners"}
SKIPPED = "skipped"
# Fields an answer to the question may change besides the question's own.
ANSWERED_WITH = {"amount": frozenset({"amount", "currency"}),
                 "consent": frozenset({"consent", "need_category"})}  # "no, but partners?"
# Entities a correction does not take as they come: read from the text instead.
NOT_FROM_ENTITIES = frozenset({"consent", "members", "amount", "currency"})
CHOICES: dict[str, frozenset[str]] = {
    "legal_form": CASE_LEGAL_FORMS, "sector": CASE_SECTORS, "stage": STAGES,
    "need_category": frozenset({"funding", "consultancy", "innovation", "internationalisation",
                                "partners", "events", "other"}),
    "timeline": frozenset({"urgent", "3_months", "12_months", "no_rush"}),
}
MAX_TRIES = 2


def response_text(domain: DomainDict, name: str, lang: str) -> str:
    """Return the text of response ``name`` in ``lang`` as the user sees it."""
    for variation in domain.get("responses", {}).get(name, []):
        for condition in variation.get("condition") or []:
            if condition.get("name") == "language" and condition.get("value") == lang:
                return str(variation.get("text", ""))
    variations = domain.get("responses", {}).get(name, [])
    return str(variations[-1].get("text", "")) if variations else ""


def unpayload(value: Any, slot: str) -> Any:
    """Return the slot's value from a button payload that reached a text mapping."""
    if isinstance(value, str) and value.startswith("/") and "{" in value:
        try:
            data = json.loads(value[value.index("{"):])
        except ValueError:
            return value
        if isinstance(data, dict) and slot in data:
            return data[slot]
    return value


def case_values(tracker: Tracker) -> dict[str, Any]:
    """Return the case fields currently held in slots."""
    return {slot: tracker.get_slot(slot) for slot in CASE_SLOTS}


def answer_texts(tracker: Tracker, slot: str, slot_value: Any) -> list[str]:
    """Return what an answer is read from: the whole message first, then the slot's value.

    An entity mapping may hold only part of the answer ("270" of "270 χιλ. ευρω", "15000"
    of "15000 euro"), so the message itself is read first when it answers this question.
    """
    texts: list[str] = []
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") == slot and text and not text.startswith("/"):
        texts.append(text)
    texts.append(str(unpayload(slot_value, slot) or ""))
    return texts


def iso_currency(value: Any, country: str | None) -> str:
    """Return a slot's currency as an ISO code; the country's own when it names none."""
    text = str(value or "")
    if len(text) == 3 and text.isalpha() and text.isupper():
        return text
    return parse_currency(text, country) or default_currency(country)


def correction_updates(tracker: Tracker) -> dict[str, Any]:
    """Return the case fields the latest message corrects (see actions.corrections)."""
    return read_correction(tracker, iso_currency).updates


class ValidateIntakeForm(FormValidationAction):
    """Ask only for what is missing; validate every answer with a localised message."""

    def name(self) -> str:
        """Return the validator's name in the domain."""
        return "validate_intake_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        """Skip everything after a refused consent, and the amount unless it is about money."""
        if tracker.get_slot("consent") is False:
            # Filled: the form ends, and the refusal is still validated, with the need
            # "no, but can we see the partners?" asks for (it guides anonymous browsing).
            return ["consent", "need_category"] if tracker.get_slot("need_category") \
                else ["consent"]
        slots = list(ORDER)
        if tracker.get_slot("need_category") not in (None, "funding"):
            slots.remove("amount")
        if tracker.get_slot("need_category") != "partners":
            slots.remove("discoverable")  # asked only of those looking for partners
        return slots

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> list[EventType]:
        """Validate, but let a later mention not overwrite an earlier answer.

        Entity mappings fill slots from any message, which prefills the case from an
        opening message; but "we look for partners in Tunisia" must not move an
        organisation from Italy. Only the question being asked, or a correction,
        changes a field that already had a value.
        """
        explained = explain_question(dispatcher, tracker)
        if explained is not None:
            return explained  # a question about the question: explained, then asked again
        events = await super().get_validation_events(dispatcher, tracker, domain)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "correct_answer" or tracker.get_slot("awaiting_confirmation"):
            return events  # at the summary every message is a correction
        requested = tracker.get_slot("requested_slot")
        answered = ANSWERED_WITH.get(requested or "", frozenset({requested}))
        earlier = values_before_latest_message(tracker.events)
        kept: list[EventType] = []
        for event in events:
            name = event.get("name")
            if (event.get("event") == "slot" and name in CASE_SLOTS and name not in answered
                    and earlier.get(name) not in (None, SKIPPED)
                    and event.get("value") != earlier[name]):
                kept.append(SlotSet(name, earlier[name]))
            else:
                kept.append(event)
        note_stray(dispatcher, tracker, kept, requested, earlier)
        return kept

    # -- prefill from free text (runs every turn while the form is active) -------------

    def _prefill(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if text.startswith("/") or (tracker.get_slot(slot) is not None
                                    and intent != "correct_answer"):
            return {}
        if tracker.get_slot("requested_slot") == slot and intent != "correct_answer":
            return {}  # the answer itself is validated by validate_<slot>
        value = getattr(extract(text, language(tracker)), slot)
        if value is None and slot == "city" and (town := town_in(text)) is not None:
            value = town[0]  # "somos de zaragoza": a known town, even without a capital
        if slot == "country":
            # "we are in Zaragoza": Spain, also when the country named is where they go
            # ("una cooperativa de Girona, volem exportar a França").
            home = country_of(tracker.get_slot("city") or (town_in(text) or ("",))[0])
            if value is None or (home and only_destination(text, value, language(tracker))):
                value = home or value
        return {slot: value} if value is not None else {}

    async def extract_consent(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """Read "no, but can we see the partners?" as a refusal and a need to browse."""
        return declined_with_request(tracker)

    async def extract_amount(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        """Keep an amount stated before the question ("we need 20,000 euros to start")."""
        text = str(tracker.latest_message.get("text") or "")
        if text.startswith("/") or tracker.get_slot("amount") is not None or \
                tracker.get_slot("requested_slot") == "amount":
            return {}
        money = stated_amount(text, language(tracker), tracker.get_slot("country"))
        if money is None or money.amount <= 0:
            return {}
        # Validated as an answer in words (validate_amount reads the currency from them):
        # only the form's own fields survive extraction, not the currency.
        return {"amount": f"{money.amount} {money.currency}" if money.currency
                else str(money.amount)}

    # -- validation ------------------------------------------------------------------

    def _fail(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
              response: str) -> dict[str, Any]:
        """Explain what is wrong; after two failed tries for one field, offer a broker."""
        tries = dict(tracker.get_slot("failed_attempts") or {})
        tries[slot] = int(tries.get(slot, 0)) + 1
        dispatcher.utter_message(response=response)
        if tries[slot] >= MAX_TRIES:
            dispatcher.utter_message(response="utter_offer_human")
        return {slot: None, "failed_attempts": tries}

    async def validate_consent(self, slot_value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Record the answer and the exact text shown, with a timestamp."""
        slot_value = unpayload(slot_value, "consent")
        granted = bool(slot_value)
        lang = language(tracker)
        shown = response_text(domain, "utter_ask_consent", lang)
        with catalogue.session() as session, session.begin():
            # The form re-checks the slot when it reopens: one answer is one record.
            record_consent(session, tracker.sender_id, granted=granted, text_shown=shown,
                           language=lang, skip_repeat=True)
        if not granted:
            # Nothing personal may be kept: forget whatever was prefilled.
            # The kind of need is not personal: it still guides anonymous browsing.
            return {"consent": False, "consent_refused": True,
                    **{slot: None for slot in CASE_SLOTS
                       if slot not in ("consent", "need_category")}}
        return {"consent": True}

    async def validate_discoverable(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Yes or no: may other organisations looking for partners see this one."""
        return {"discoverable": bool(unpayload(slot_value, "discoverable"))}

    async def validate_org_name(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept any non-empty name up to 200 characters."""
        slot_value = unpayload(slot_value, "org_name")
        name = str(slot_value or "").strip()
        if refuses(tracker, "org_name"):
            tell_not_stored(dispatcher, tracker)
            return {"org_name": None}
        text = typed_answer(tracker, "org_name")
        if text is not None:  # the whole answer, its suffix and quoted name kept
            name = clean_org_name(without_contacts(text), language(tracker),
                                  name if name != text else None)
        if not name or len(name) > 200:
            return self._fail(dispatcher, tracker, "org_name", "utter_invalid_choice")
        return {"org_name": name}

    def _choice(self, value: Any, section: str, dispatcher: CollectingDispatcher,
                tracker: Tracker) -> dict[str, Any]:
        """Map a typed answer or a button's code to the section's canonical value."""
        text = str(unpayload(value, section) or "")
        known = CHOICES[section]
        code = text if text in known else match_choice(text, section, language(tracker), known)
        if code is None and OTHER in known and tracker.get_slot("requested_slot") == section \
                and (words := own_words(text)) is not None:
            # None of the options: kept as "other", in the user's own words, for the broker.
            dispatcher.utter_message(response="utter_noted_other", words=words)
            kept = {**(tracker.get_slot("own_words") or {}), section: words}
            return {section: OTHER, "own_words": kept}
        if code not in known:
            return self._fail(dispatcher, tracker, section, "utter_invalid_choice")
        return {section: code}

    async def validate_country(self, slot_value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a country named in any of the nine languages; store its ISO code."""
        slot_value = unpayload(slot_value, "country")
        lang = language(tracker)
        text = str(tracker.latest_message.get("text") or "")
        code = parse_country(str(slot_value or ""))
        if typed_answer(tracker, "country") is not None:
            code = next(iter(home_countries(text, lang)), None) or code
        elif code is not None and only_destination(text, code, lang):
            return {"country": None}  # "partners in Italy": where they go, not where they are
        found = location_answer(str(slot_value or ""), tracker.get_slot("city"))
        if code is not None:
            return {**found, "country": code}  # "Sfax, Tunisia" fills the town too
        if "country" in found:
            return found  # a known town: "Zaragoza"
        if (town := town_in(str(slot_value or ""))) is not None:
            # A town several countries have: the question offers them (action_ask_country).
            return {"country": None, "city": tracker.get_slot("city") or town[0]}
        return self._fail(dispatcher, tracker, "country", "utter_invalid_country")

    async def validate_city(self, slot_value: Any, dispatcher: CollectingDispatcher,
                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a town or region name."""
        slot_value = unpayload(slot_value, "city")
        city = str(slot_value or "").strip().strip(".")
        if refuses(tracker, "city"):
            tell_not_stored(dispatcher, tracker)
            return {"city": None}
        if not city or len(city) > 120:
            return self._fail(dispatcher, tracker, "city", "utter_invalid_choice")
        return {"city": city}

    async def validate_members(self, slot_value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a positive whole number."""
        slot_value = unpayload(slot_value, "members")
        count = slot_value if isinstance(slot_value, int) and slot_value > 0 else \
            parse_positive_int(str(slot_value or ""), language(tracker))
        if count is None:
            return self._fail(dispatcher, tracker, "members", "utter_invalid_number")
        return {"members": count}

    async def validate_website(self, slot_value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept anything that looks like a web address (optional field)."""
        slot_value = unpayload(slot_value, "website")
        text = str(slot_value or "").strip()
        if text == SKIPPED:
            return {"website": SKIPPED}
        if "." not in text or " " in text or len(text) > 300:
            return self._fail(dispatcher, tracker, "website", "utter_invalid_choice")
        return {"website": text}

    async def validate_need_description(self, slot_value: Any,
                                        dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        """Keep the user's own words."""
        text = str(slot_value or "").strip()
        if refuses(tracker, "need_description"):
            tell_not_stored(dispatcher, tracker)
            return {"need_description": None}
        if not text:
            return self._fail(dispatcher, tracker, "need_description", "utter_invalid_choice")
        return {"need_description": text[:4000]}

    async def validate_amount(self, slot_value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept an amount above zero; the currency written with it wins over the country's."""
        country = tracker.get_slot("country")
        if isinstance(slot_value, int | float) and not isinstance(slot_value, bool) \
                and slot_value > 0:
            # Checked again when the form restarts: keep the currency it came with.
            return {"amount": float(slot_value),
                    "currency": iso_currency(tracker.get_slot("currency"), country)}
        lang = language(tracker)
        for text in answer_texts(tracker, "amount", slot_value):
            parsed = parse_amount(text, lang, country)
            if parsed is not None:
                return {"amount": float(parsed[0]), "currency": parsed[1]}
        return self._fail(dispatcher, tracker, "amount", "utter_invalid_amount")

    async def validate_contact_name(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a person's name."""
        slot_value = unpayload(slot_value, "contact_name")
        name = str(slot_value or "").strip()
        if refuses(tracker, "contact_name"):
            tell_not_stored(dispatcher, tracker)
            return {"contact_name": None}
        text = typed_answer(tracker, "contact_name")
        if text is not None:  # the name alone: no job title, no e-mail typed after it
            name = clean_person_name(without_contacts(text), language(tracker))
        if not name or len(name) > 200:
            return self._fail(dispatcher, tracker, "contact_name", "utter_invalid_choice")
        return {"contact_name": name}

    async def validate_email(self, slot_value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a well-formed e-mail address."""
        slot_value = unpayload(slot_value, "email")
        address = parse_email(str(slot_value or ""))
        if address is None:
            return self._fail(dispatcher, tracker, "email", "utter_invalid_email")
        return {"email": address}

    async def validate_phone(self, slot_value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a valid phone number; store it in international form (optional field)."""
        slot_value = unpayload(slot_value, "phone")
        if slot_value == SKIPPED:
            return {"phone": SKIPPED}
        number = parse_phone(str(slot_value or ""), tracker.get_slot("country"))
        if number is None:
            return self._fail(dispatcher, tracker, "phone", "utter_invalid_phone")
        return {"phone": number}


def _extractor(slot: str) -> Any:
    async def extract(self: ValidateIntakeForm, dispatcher: CollectingDispatcher,
                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._prefill(tracker, slot)
    extract.__doc__ = f"Prefill {slot} from what the user wrote."
    return extract


def _validator(slot: str) -> Any:
    async def validate(self: ValidateIntakeForm, slot_value: Any,
                       dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> dict[str, Any]:
        return self._choice(slot_value, slot, dispatcher, tracker)
    validate.__doc__ = f"Map the answer to a canonical {slot}."
    return validate


# rasa-sdk finds extract_<slot> and validate_<slot> by name.
for _slot in PREFILLABLE:
    setattr(ValidateIntakeForm, f"extract_{_slot}", _extractor(_slot))
for _slot in CHOICES:
    setattr(ValidateIntakeForm, f"validate_{_slot}", _validator(_slot))


class ActionStartIntake(Action):
    """Begin a new request: note the need the user named, start from a clean slate if needed."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_start_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Reset a finished case's slots and set the need from the intent.

        At the summary a message read as a need ("we need 270000 euros") is a correction:
        its values are applied and the form, finding every answer, shows the summary again.
        """
        if tracker.get_slot("awaiting_confirmation"):
            return [SlotSet(k, v) for k, v in correction_updates(tracker).items()]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in INTENT_NEED and declined_before(tracker.events):
            # Browsing after a "no": the form ends at once on the refusal and proposals
            # follow, instead of asking the consent question again. Asking for a request
            # ("/request_assistance") still starts one.
            return [SlotSet("consent", False), SlotSet("consent_refused", True),
                    SlotSet("need_category", INTENT_NEED[intent])]
        events: list[EventType] = []
        if tracker.get_slot("case_reference"):
            events += [SlotSet(slot, None) for slot in CASE_SLOTS if slot != "consent"]
            events.append(SlotSet("case_reference", None))
        if intent in INTENT_NEED and (not tracker.get_slot("need_category") or events):
            events.append(SlotSet("need_category", INTENT_NEED[intent]))
        return events


def declined_before(events: list[dict[str, Any]]) -> bool:
    """Tell whether the user declined the data consent earlier in this conversation."""
    return any(e.get("event") == "bot"
               and (e.get("metadata") or {}).get("utter_action") == "utter_consent_declined"
               for e in events)


class ActionSkipQuestion(Action):
    """Skip an optional question; say a required one is needed."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_skip_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Mark the requested optional slot as skipped."""
        requested = tracker.get_slot("requested_slot")
        if requested in OPTIONAL:
            return [SlotSet(requested, SKIPPED)]
        dispatcher.utter_message(response="utter_question_needed")
        return []


class ActionShowSummary(Action):
    """After the form: show the summary for confirmation, or acknowledge a refused consent."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Show the case in the user's language and wait for confirmation."""
        if tracker.get_slot("consent") is False:
            dispatcher.utter_message(response="utter_consent_declined")
            # Browsing stays open: propose services for the need, storing nothing.
            return [SlotSet("consent", None), SlotSet("consent_refused", False),
                    SlotSet("awaiting_confirmation", False), *propose(dispatcher, tracker)]
        dispatcher.utter_message(response="utter_case_summary",
                                 summary=summary(in_own_words(case_values(tracker), tracker),
                                                 language(tracker)))
        return [SlotSet("consent_refused", False), SlotSet("awaiting_confirmation", True)]


class ActionApplyCorrection(Action):
    """Apply a correction given at the summary, then show the summary again."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_apply_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Change the field the user names; ask which one when a bare value could be several."""
        lang = language(tracker)
        correction = answer_to_which_field(tracker, lang) or read_correction(tracker, iso_currency)
        if correction.invalid:
            dispatcher.utter_message(response=correction.invalid)
            return []
        if correction.unsure is not None and not correction.updates:
            ask_which_field(dispatcher, correction.unsure, lang)
            return []
        if not correction.updates:
            dispatcher.utter_message(response="utter_ask_what_to_correct")
            return []
        values = {**case_values(tracker), **correction.updates}
        dispatcher.utter_message(response="utter_case_summary",
                                 summary=summary(values, lang))
        return [SlotSet(k, v) for k, v in correction.updates.items()] + [
            SlotSet("awaiting_confirmation", True)]


def ask_which_field(dispatcher: CollectingDispatcher, value: str, lang: str) -> None:
    """Ask which field a value is for, one button per field it could be."""
    names = labels(lang).get("field", {})
    dispatcher.utter_message(
        text=message(lang, "ask_which_field").format(value=isolate(value, lang)),
        buttons=[{"title": names.get(field, field),
                  "payload": f'/correct_answer{{"choice": "{field}"}}'} for field in ASKABLE],
        utter_action=ASK_WHICH)


def answer_to_which_field(tracker: Tracker, lang: str) -> Correction | None:
    """The correction a "which field?" answer makes: a button, or the field's name typed."""
    value = pending_value(tracker.events)
    if value is None:
        return None
    field = next(tracker.get_latest_entity_values("choice"), None)
    if field not in ASKABLE:
        named = named_field(str(tracker.latest_message.get("text") or ""), lang)
        field = named[0] if named is not None and not named[1] else None
    return value_for(str(field), value, tracker, lang) if field else None


class ActionSubmitCase(Action):
    """Save the confirmed case with its history; tell the user its reference."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_submit_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Write the case (only with consent) and reset the form's state."""
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(response="utter_consent_declined")
            return [SlotSet("awaiting_confirmation", False)]
        values = _clean(case_values(tracker), language(tracker))
        words = [str(e.get("text")) for e in tracker.events
                 if e.get("event") == "user" and e.get("text")
                 and not str(e.get("text")).startswith("/")]

        answers = {k: (None if values.get(k) == SKIPPED else values.get(k))
                   for k in ANSWER_FIELDS}

        def build(session: Session, reference: str) -> Case:
            return new_chat_case(
                session, reference=reference, conversation_id=tracker.sender_id,
                channel=metadata(tracker).get("channel") or tracker.get_slot("channel") or "web",
                language=language(tracker), answers=answers,
                amount=Decimal(str(values["amount"])) if values.get("amount") else None,
                original_words=words[-40:], discoverable=tracker.get_slot("discoverable") is True,
                note=creation_note(tracker))

        # A reference already taken is drawn again, so a confirmed case is never lost.
        reference = save_new_case(catalogue.session, build)
        logger.info("case %s saved", reference)
        dispatcher.utter_message(response="utter_case_saved", reference=reference)
        need = values.get("need_category")
        if need in always_broker_needs():
            # Some needs are always handled by a person: the core queues the conversation.
            dispatcher.utter_message(json_message={"state": "waiting", "reason": f"need:{need}"})
        return [SlotSet("case_reference", reference), SlotSet("awaiting_confirmation", False),
                SlotSet("failed_attempts", None), SlotSet("own_words", None)]


def creation_note(tracker: Tracker) -> str:
    """The case's first history note, with the answers kept in the user's own words."""
    kept = tracker.get_slot("own_words") or {}
    words = "; ".join(f"{field}: {text}" for field, text in sorted(kept.items())
                      if tracker.get_slot(field) == OTHER)
    return f"created in chat; in the user's own words: {words}" if words else "created in chat"


def _clean(values: dict[str, Any], lang: str) -> dict[str, Any]:
    """Normalise values that may have been set from raw entities outside the form."""
    cleaned = dict(values)
    if cleaned.get("members") is not None and not isinstance(cleaned["members"], int):
        cleaned["members"] = parse_positive_int(str(cleaned["members"]), lang)
    if cleaned.get("country") is not None:
        cleaned["country"] = parse_country(str(cleaned["country"]))
    if cleaned.get("amount") is not None and not isinstance(cleaned["amount"], int | float):
        parsed = parse_amount(str(cleaned["amount"]), lang, cleaned.get("country"))
        cleaned["amount"], cleaned["currency"] = (float(parsed[0]), parsed[1]) if parsed \
            else (None, cleaned.get("currency"))
    # A currency means nothing without an amount; with one it is stored as an ISO code.
    cleaned["currency"] = None if cleaned.get("amount") is None else \
        iso_currency(cleaned.get("currency"), cleaned.get("country"))
    for field in ("legal_form", "sector", "stage", "need_category", "timeline"):
        if cleaned.get(field) is not None:
            cleaned[field] = parse_choice(str(cleaned[field]), field, lang) or cleaned[field]
    return cleaned


class ActionCancelIntake(Action):
    """Stop the intake: nothing is saved."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_cancel_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Deactivate the form and forget its answers."""
        dispatcher.utter_message(response="utter_intake_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None),
                SlotSet("awaiting_confirmation", False), SlotSet("failed_attempts", None),
                *[SlotSet(slot, None) for slot in CASE_SLOTS]]


class ActionGoBack(Action):
    """Go back to the question asked before the current one, clearing its answer."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_go_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Find the previous question of this intake; the form then asks it again."""
        if not (tracker.active_loop or {}).get("name"):
            dispatcher.utter_message(response="utter_ask_what_to_correct"
                                     if tracker.get_slot("awaiting_confirmation")
                                     else "utter_nothing_to_go_back")
            return []
        previous = previous_question(tracker.events, tracker.get_slot("requested_slot"))
        if previous is None:
            dispatcher.utter_message(response="utter_nothing_to_go_back")
            return []
        dispatcher.utter_message(response="utter_went_back")
        return [SlotSet(previous, None), SlotSet("requested_slot", None)]


def in_own_words(values: dict[str, Any], tracker: Tracker) -> dict[str, Any]:
    """The case's values as the summary shows them: "other" in the words the user wrote."""
    kept = tracker.get_slot("own_words") or {}
    return {field: (kept[field] if value == OTHER and field in kept else value)
            for field, value in values.items()}


def values_before_latest_message(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Every slot's value as it was before the latest user message."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    values: dict[str, Any] = {}
    for event in events[:last_user]:
        if event.get("event") == "slot":
            values[str(event.get("name"))] = event.get("value")
        elif event.get("event") == "restart":
            values.clear()
    return values


def previous_question(events: list[dict[str, Any]], current: str | None) -> str | None:
    """The question asked just before ``current`` since the intake started (consent excluded).

    Every question the form asks shows up as a `requested_slot` event; going back twice
    walks further back because each step clears the answer it returns to.
    """
    start = max((i for i, e in enumerate(events)
                 if e.get("event") == "action" and e.get("name") == "action_start_intake"),
                default=0)
    asked: list[str] = []
    for event in events[start:]:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            value = event.get("value")
            if value and value in ORDER:
                if value in asked:
                    del asked[asked.index(value):]  # we had come back to this question
                asked.append(value)
    if current in asked:
        asked = asked[:asked.index(current)]
    asked = [slot for slot in asked if slot != "consent"]
    return asked[-1] if asked else None
