"""What the intake reads from a message before validating it: prefills and misread answers.

Every turn while the form is active, rasa-sdk calls each `extract_<slot>` of the form's
validator. These read what the slot mappings cannot: fields stated in an opening ("we are a
cooperative in Zaragoza, we need 20,000 euros"), and typed answers the model took for a
request ("Aina Mas Pons" for "show more"). `ValidateIntakeForm` (actions/intake.py) inherits
them and validates what they return.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.amounts import stated_amount
from actions.answers import (
    READ_WHATEVER_THE_INTENT,
    misread_description,
    misread_name,
    typed_answer,
    unmapped_answer,
    unmapped_extractor,
)
from actions.cleaning import is_question
from actions.common import intent_of, language
from actions.consent import MISREADS, declined_with_request, typed_yes_or_no
from actions.extraction import extract, name_form
from actions.intake_slots import (
    PREFILLABLE,
    SKIPPED,
)
from actions.places import home_countries, only_destination
from actions.towns import country_of, placed_town


class IntakeExtractors:
    """The `extract_<slot>` methods of the intake form's validator."""

    # -- prefill from free text (runs every turn while the form is active) -------------

    def _prefill(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        intent = intent_of(tracker)
        if text.startswith("/") or (tracker.get_slot(slot) is not None
                                    and intent != "correct_answer"):
            return {}
        if tracker.get_slot("requested_slot") == slot and intent != "correct_answer":
            return unmapped_answer(tracker, slot)  # the answer itself: validate_<slot>
        if slot == "city" and tracker.get_slot("requested_slot") == "org_name":
            return {}  # "Les Jardins de Gerland": a name's words say no town (it is asked)
        value = getattr(extract(text, language(tracker)), slot)
        if value is None and tracker.get_slot("requested_slot") == slot:
            # Read as a correction but said at its own question ("je sais pas trop, une
            # dizaine, disons 10"): still the answer, validated as typed.
            return unmapped_answer(tracker, slot)
        if value is None and slot == "city" and \
                (town := placed_town(text, language(tracker))) is not None:
            value = town[0]  # "somos de zaragoza": a known town, even without a capital
        if slot == "country":
            # "we are in Zaragoza": Spain, also when the country named is where they go
            # ("una cooperativa de Girona, volem exportar a França"); a country named as
            # home after one named as a destination ("partners in Italy. We are from
            # Cyprus") is the home country.
            lang = language(tracker)
            # A town written as where they are: not "vendre a Barcelona", not "já fez isso";
            # a district's city ("de Nou Barris": Barcelona).
            towns = (tracker.get_slot("city"), extract(text, lang).city,
                     (placed_town(text, lang) or ("",))[0])
            home = next((code for town in towns if (code := country_of(town))), None)
            if value is None:
                value = home
            elif only_destination(text, value, lang):
                # Only where they want to go: home is the town's country, another country
                # named as home, or unknown (then the question is asked).
                value = home or next(iter(home_countries(text, lang)), None)
            elif home and value != home and home not in home_countries(text, lang):
                # "a Trabzon cooperative ... Germany": the town they are in says home.
                value = home
        return {slot: value} if value is not None else {}

    async def extract_consent(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """Read "no, but can we see the partners?" as a refusal and a need to browse."""
        return declined_with_request(tracker)

    async def extract_org_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        """Read a bare name the model took for a request as the organisation's name."""
        return misread_name(tracker, "org_name")

    async def extract_contact_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        """Read "Aina Mas Pons" (not "show more") as the contact's name."""
        return misread_name(tracker, "contact_name")

    async def extract_need_description(self, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Read "help preparing for our certification" as the description, not a plea for
        the help menu."""
        return misread_description(tracker)

    async def extract_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        """A typed reply with no digit to the optional phone question declines it ("nao,
        prefiro e-mail", "τηλέφωνο δεν δίνω"), whatever the model took it for."""
        text = typed_answer(tracker, "phone")
        if text is None or re.search(r"\d", text) or is_question(text, language(tracker)) \
                or intent_of(tracker) not in MISREADS | {"deny", "skip_question"} \
                or "phone" in tracker.slots_to_validate():
            return {}
        return {"phone": SKIPPED}

    async def extract_discoverable(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        """Read "yes, others can see us" as a yes when the model took it for "show more"."""
        return typed_yes_or_no(tracker, "discoverable")

    async def extract_website(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """Read "pas encore" as the answer when the model took it for "show more"."""
        return unmapped_answer(tracker, "website") if intent_of(tracker) in MISREADS else {}

    async def extract_amount(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        """Keep an amount stated before the question ("we need 20,000 euros to start")."""
        text = str(tracker.latest_message.get("text") or "")
        if text.startswith("/") or tracker.get_slot("amount") is not None or \
                tracker.get_slot("requested_slot") == "amount":
            return {}
        money = stated_amount(text, language(tracker), tracker.get_slot("country"))
        # A bare number in passing ("the land is ours for 75 years") is not an amount: only
        # one written with a currency or a scale word is taken before the question.
        if money is None or money.amount <= 0 or not (money.marked or money.currency):
            return {}
        # Validated as an answer in words (validate_amount reads the currency from them):
        # only the form's own fields survive extraction, not the currency.
        return {"amount": f"{money.amount} {money.currency}" if money.currency
                else str(money.amount)}


# Choices an opening may prefill only when it settles them: one option named, not planned,
# not denied ("we're an association thinking of becoming a cooperative": an association).
SETTLED_BY_TEXT = frozenset({"legal_form", "sector", "stage"})


def is_prefill(tracker: Tracker, slot: str) -> bool:
    """Whether a value of ``slot`` comes from a message that answers no question about it
    (an opening, the answer to another question), not from its answer or a correction."""
    text = str(tracker.latest_message.get("text") or "")
    return tracker.get_slot("requested_slot") != slot and not text.startswith("/") \
        and intent_of(tracker) != "correct_answer" and not tracker.get_slot("awaiting_confirmation")


def prefill_as_said(tracker: Tracker, slot: str, value: Any) -> Any:
    """The value a message that answers no question about ``slot`` gives it: what the words
    settle, over the model's entity ("σωματείο γονέων … να γίνουμε ΚοινΣΕπ" is an
    association, not the social cooperative the entity took); None when they name the
    field without settling it, so that the question is asked."""
    if slot not in SETTLED_BY_TEXT:
        return value
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") == "org_name":
        # A name says its legal form in a word of it ("Σωματείο …", "… Derneği"); a guess
        # from any other word of the name ("Initiative …") waits for the question. Its other
        # words are a name, not a description: "Moneda Horta" is a community currency, not
        # a vegetable garden, "Café Tzeltal" grows coffee; the sector and the stage are
        # asked.
        return name_form(text, language(tracker)) if slot == "legal_form" else None
    found = extract(text, language(tracker))
    if slot in found.unsure:
        return None
    return getattr(found, slot) or value


def _extractor(slot: str) -> Any:
    async def extract(self: IntakeExtractors, dispatcher: CollectingDispatcher,
                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._prefill(tracker, slot)
    extract.__doc__ = f"Prefill {slot} from what the user wrote."
    return extract


# rasa-sdk finds extract_<slot> by name.
for _slot in PREFILLABLE:
    setattr(IntakeExtractors, f"extract_{_slot}", _extractor(_slot))
for _slot in READ_WHATEVER_THE_INTENT.difference(PREFILLABLE, ["website"]):
    setattr(IntakeExtractors, f"extract_{_slot}", unmapped_extractor(_slot))
