"""The intake: turn a conversation into a structured request for assistance (a case).

The form and its validation; the questions and slots are in actions.intake_slots, the
summary and saving in actions.intake_summary, starting, skipping, going back and
stopping in actions.intake_navigation.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import catalogue
from actions.amounts import currency_for_country, parse_amount
from actions.answers import (
    declines_optional,
    leaves_open,
    note_stray,
    refuses,
    sentence_answer,
    tell_not_stored,
    typed_answer,
    without_contacts,
)
from actions.asides import answer_aside, is_aside, step_aside
from actions.choices import match_choice, own_words
from actions.cleaning import clean_org_name, clean_person_name, is_question, message
from actions.common import intent_of, language, metadata
from actions.destinations import destination_events
from actions.explain import FIELDS, explain_question
from actions.extraction import extract
from actions.head_count import members_count
from actions.intake_extract import IntakeExtractors, is_prefill, prefill_as_said
from actions.intake_slots import (
    ANSWERED_WITH,
    CASE_SLOTS,
    CHOICES,
    MAX_TRIES,
    ORDER,
    SKIPPED,
    answer_texts,
    iso_currency,
    response_text,
    unpayload,
    values_before_latest_message,
)
from actions.localities import settled
from actions.midform import correction_mid_form
from actions.need_change import changed_need
from actions.places import home_countries, only_destination
from actions.retries import RETRIED, retry_or_move_on
from actions.towns import city_answer, location_answer, town_in
from actions.validators import (
    parse_country,
    parse_email,
    parse_phone,
    parse_positive_int,
)
from actions.web_presence import NONE, website_answer
from catalog.consents import record_consent
from catalog.vocabulary import OTHER


def _asked_back(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> bool:
    """Explain the open question when the reply to it is a question back.

    "do the workers on placement count, or only members?", "is soap in crafts?": a question
    about the question in words the explanation cues did not catch. It is explained, then
    asked again, and no try is counted.
    """
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") != slot or slot not in FIELDS \
            or text.startswith("/") or not is_question(text, language(tracker)):
        return False
    dispatcher.utter_message(response=f"utter_explain_{slot}")
    return True


class ValidateIntakeForm(IntakeExtractors, FormValidationAction):
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
        if "whatsapp" in (metadata(tracker).get("channel"), tracker.get_slot("channel")) \
                and not tracker.get_slot("phone"):
            slots.remove("phone")  # they write from it: the case keeps that number
        return slots

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Step aside for a message another action answers (actions/asides.py), else
        read and validate it."""
        aside = step_aside(dispatcher, tracker)
        if aside is not None:
            return aside
        corrected = correction_mid_form(tracker)
        if corrected is not None:
            return corrected  # an earlier answer changed; the open question is asked again
        return await super().run(dispatcher, tracker, domain)

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
        need = changed_need(tracker)
        if need is not None:
            changed = await self._need_changed(need, tracker, domain)
            if changed is not None:
                return changed
        events = await super().get_validation_events(dispatcher, tracker, domain)
        intent = intent_of(tracker)
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
        return kept + destination_events(tracker)

    async def _need_changed(self, need: str, tracker: Tracker,
                            domain: DomainDict) -> list[EventType] | None:
        """Change the need when the message that names it does not answer the open
        question (actions/need_change.py); None when it does ("12 people, and we need
        money" answers the head count)."""
        requested = str(tracker.get_slot("requested_slot"))
        trial = await super().get_validation_events(CollectingDispatcher(), tracker, domain)
        if any(e.get("event") == "slot" and e.get("name") == requested
               and e.get("value") not in (None, SKIPPED) for e in trial):
            return None
        earlier = values_before_latest_message(tracker.events)
        return [*(SlotSet(slot, earlier.get(slot)) for slot in tracker.slots_to_validate()
                  if slot != "need_category"),
                SlotSet(requested, None), SlotSet("need_category", need)]

    # -- validation ------------------------------------------------------------------

    def _fail(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
              response: str) -> dict[str, Any]:
        """Explain what is wrong; after two failed tries for one field, offer a broker.

        A value read from a message that answered another question (an opening, or a
        town named with the sector) is dropped without a word: the user did not answer
        this question yet, and it will be asked in its turn.
        """
        intent = intent_of(tracker)
        if (tracker.get_slot("requested_slot") != slot and intent != "correct_answer"
                and not tracker.get_slot("awaiting_confirmation")):
            return {slot: None}
        if _asked_back(dispatcher, tracker, slot):
            return {slot: None}
        tries = dict(tracker.get_slot("failed_attempts") or {})
        tries[slot] = int(tries.get(slot, 0)) + 1
        if slot in RETRIED:  # what to write instead; the second time, go on
            return retry_or_move_on(dispatcher, tracker, slot, tries, response)
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
        if text is not None and _pleasantry(tracker, text):
            return {"org_name": None}  # "thanks", "ok", "hello": not a name; asked again
        if text is not None:  # the whole answer, its suffix and quoted name kept
            name = clean_org_name(without_contacts(text), language(tracker),
                                  name if name != text else None)
        if not name or len(name) > 200:
            return self._fail(dispatcher, tracker, "org_name", "utter_invalid_choice")
        return {"org_name": name}

    def _choice(self, value: Any, section: str, dispatcher: CollectingDispatcher,
                tracker: Tracker) -> dict[str, Any]:
        """Map a typed answer or a button's code to the section's canonical value."""
        if _asked_back(dispatcher, tracker, section):
            return {section: None}
        if is_prefill(tracker, section):
            value = prefill_as_said(tracker, section, value)
            if value is None:
                return {section: None}  # named, not settled: the question will be asked
        text = sentence_answer(tracker, section) or str(unpayload(value, section) or "")
        known = CHOICES[section]
        lang = language(tracker)
        code = text if text in known else match_choice(text, section, lang, known)
        entity = str(unpayload(value, section) or "")
        if code is None and section == "legal_form" and entity != text \
                and "legal_form" not in extract(text, lang).evidence:
            # A sentence that names no form we know: the form the model saw in it, if any.
            code = entity if entity in known else match_choice(entity, section, lang, known)
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
            # The pesos or dinars of an amount said before the country are that country's.
            currency = currency_for_country(tracker.get_slot("currency"), code)
            if currency is not None and tracker.get_slot("amount") is not None:
                found["currency"] = currency
            return {**found, "country": code}  # "Sfax, Tunisia" fills the town too
        if "country" in found:
            return found  # a known town: "Zaragoza"
        if (town := town_in(str(slot_value or ""))) is not None:
            # A town several countries have: the question offers them (action_ask_country).
            return {"country": None, "city": tracker.get_slot("city") or settled(town[0])}
        return self._fail(dispatcher, tracker, "country", "utter_invalid_country")

    async def validate_city(self, slot_value: Any, dispatcher: CollectingDispatcher,
                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a town or region name."""
        slot_value = unpayload(slot_value, "city")
        city = str(slot_value or "").strip().strip(".")
        if refuses(tracker, "city"):
            tell_not_stored(dispatcher, tracker)
            return {"city": None}
        text = typed_answer(tracker, "city")
        if text is not None:  # the whole answer, not the part a model tagged ("Reggio")
            city = city_answer(without_contacts(text), language(tracker)) or city
        if not city or len(city) > 120:
            return self._fail(dispatcher, tracker, "city", "utter_invalid_choice")
        return {"city": city}

    async def validate_members(self, slot_value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a positive whole number, read from the whole answer ("9 workers, 4 of them
        from vulnerable groups" is 9, whichever number the model's entity took)."""
        slot_value = unpayload(slot_value, "members")
        if isinstance(slot_value, int) and slot_value > 0 and typed_answer(
                tracker, "members") is None:
            return {"members": slot_value}
        lang = language(tracker)
        count = next((n for text in answer_texts(tracker, "members", slot_value)
                      if (n := members_count(text, lang) or parse_positive_int(text, lang))
                      is not None), None)
        if count is None:
            return self._fail(dispatcher, tracker, "members", "utter_invalid_number")
        return {"members": count}

    async def validate_website(self, slot_value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept a web address or social-media page; "we have none" skips (optional field)."""
        text = str(unpayload(slot_value, "website") or "").strip()
        intent = intent_of(tracker)
        found = SKIPPED if text == SKIPPED else \
            website_answer(text, language(tracker), denied=intent == "deny")
        if found is None:
            return self._fail(dispatcher, tracker, "website", "utter_invalid_choice")
        return {"website": SKIPPED if found == NONE else found}

    async def validate_need_description(self, slot_value: Any,
                                        dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        """Keep the user's own words; a question asked instead is answered, then asked again."""
        if is_aside(tracker):
            return {**await answer_aside(dispatcher, tracker, domain), "need_description": None}
        text = str(slot_value or "").strip()
        if refuses(tracker, "need_description"):
            tell_not_stored(dispatcher, tracker)
            return {"need_description": None}
        if not text:
            return self._fail(dispatcher, tracker, "need_description", "utter_invalid_choice")
        return {"need_description": text[:4000]}

    async def validate_amount(self, slot_value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Accept an amount above zero; the currency written with it wins over the country's.

        Many groups asking for funding do not know the sum yet: "de momento nada", "δεν
        ξέρω" or "skip" leave it open (kept in their words for the person who takes the
        case) instead of asking again until a broker is offered.
        """
        if slot_value == SKIPPED:
            return {"amount": SKIPPED}
        country = tracker.get_slot("country")
        if isinstance(slot_value, int | float) and not isinstance(slot_value, bool) \
                and slot_value > 0:
            # Checked again when the form restarts: keep the currency it came with, or
            # the country's own of its family (pesos said before "Chile" are Chilean).
            currency = iso_currency(tracker.get_slot("currency"), country)
            home = parse_country(str(country or ""))
            return {"amount": float(slot_value),
                    "currency": currency_for_country(currency, home) or currency}
        lang = language(tracker)
        for text in answer_texts(tracker, "amount", slot_value):
            parsed = parse_amount(text, lang, country)
            if parsed is not None:
                return {"amount": float(parsed[0]), "currency": parsed[1]}
        if leaves_open(tracker, "amount"):
            dispatcher.utter_message(text=message(lang, "amount_left_open"))
            kept = dict(tracker.get_slot("own_words") or {})
            kept["amount"] = str(typed_answer(tracker, "amount"))[:200]
            return {"amount": SKIPPED, "own_words": kept}
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
        if slot_value == SKIPPED or declines_optional(tracker, "phone"):
            return {"phone": SKIPPED}
        number = parse_phone(str(slot_value or ""), tracker.get_slot("country"))
        if number is None:
            return self._fail(dispatcher, tracker, "phone", "utter_invalid_phone")
        return {"phone": number}


def _validator(slot: str) -> Any:
    async def validate(self: ValidateIntakeForm, slot_value: Any,
                       dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> dict[str, Any]:
        return self._choice(slot_value, slot, dispatcher, tracker)
    validate.__doc__ = f"Map the answer to a canonical {slot}."
    return validate


# rasa-sdk finds validate_<slot> by name (extract_<slot>: actions/intake_extract.py).


for _slot in CHOICES:
    setattr(ValidateIntakeForm, f"validate_{_slot}", _validator(_slot))


# Short answers the model reads surely as one of these are manners, not a name.
_PLEASANTRIES = frozenset({"thank", "greet", "affirm", "say_goodbye"})
PLEASANTRY_CONFIDENCE = 0.8


def _pleasantry(tracker: Tracker, text: str) -> bool:
    """Whether the answer to the name question is only "thanks", "ok", "hello" or "bye".

    Two words that both begin with a capital are written as a name ("Huerta Viva", "Ciao
    Bella", "Salam Coop"), whatever greeting or thanks the model hears in them: a phone
    capitalises the first word of "Buenas tardes", not the second.
    """
    confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0)
    tokens = text.split()
    if len(tokens) == 2 and all(t[:1].isupper() for t in tokens):
        return False
    return (intent_of(tracker) in _PLEASANTRIES and confidence >= PLEASANTRY_CONFIDENCE
            and len(tokens) <= 2)
