"""Proposals in chat: services and events that fit, partners, details and choices."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import catalogue
from actions.amounts import parse_money
from actions.common import intent_of, language
from actions.summary_misreads import correction_instead
from actions.validators import parse_choice, parse_country
from catalog import destinations
from catalog.brief import isolate
from catalog.cases import choose_service, own_case
from catalog.matching.events import rank_events
from catalog.matching.explain import event_when, explain, phrases
from catalog.matching.need import Matches, Need, Proposal
from catalog.matching.partners import find_partners
from catalog.matching.services import rank_services
from catalog.models import Case, ServiceTranslation
from catalog.plurals import counted
from catalog.queries import event_by_key, service_by_key
from catalog.translations import title_in, translation_in
from catalog.vocabulary import LANGUAGES

logger = logging.getLogger(__name__)

PAGE = 3
# The need a request names, for the events asked about with it.
NEED_OF_INTENT = {"request_assistance": None, "need_funding": "funding",
                  "need_consultancy": "consultancy", "need_innovation": "innovation",
                  "need_internationalisation": "internationalisation",
                  "search_partners": "partners"}
EVENTS_LIST = "events"  # `narrowing` slot: "see more" continues a list of events


def payload(intent: str, **entities: str) -> str:
    """A button payload that the bot core and Rasa read back as intent and entities."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def written_in(text_language: str, lang: str) -> str:
    """"(Text in English)": said when the catalogue has no text in the user's language."""
    name = Locale.parse(lang).languages.get(text_language, text_language)
    return phrases(lang)["text_in_language"].format(language=name)


def need_from_tracker(tracker: Tracker) -> Need:
    """What the conversation has told us so far, as a matching query (nothing is stored)."""
    lang = language(tracker)

    def code(slot: str) -> str | None:
        value = tracker.get_slot(slot)
        if value in (None, "", "skipped"):
            return None
        return parse_choice(str(value), slot, lang) or None

    country = tracker.get_slot("country")
    amount: Decimal | None = None
    try:
        raw = tracker.get_slot("amount")
        amount = Decimal(str(raw)) if raw not in (None, "", "skipped") else None
    except InvalidOperation:
        amount = None
    words = [str(tracker.get_slot("need_description") or "")]
    words += [str(e.get("text")) for e in tracker.events[-60:]
              if e.get("event") == "user" and e.get("text")
              and not str(e.get("text")).startswith("/")]
    return Need(language=lang, country=parse_country(str(country)) if country else None,
                legal_form=code("legal_form"), stage=code("stage"), sector=code("sector"),
                need_category=code("need_category"), amount=amount,
                currency=tracker.get_slot("currency"), words=" ".join(words)[-2000:],
                destinations=destinations.codes(tracker.get_slot("destinations")))


def _case(session: Session, tracker: Tracker) -> Case | None:
    reference = tracker.get_slot("case_reference")
    if not reference:
        return None
    return own_case(session, tracker.sender_id, str(reference))


def send_proposals(dispatcher: CollectingDispatcher, matches: Matches, lang: str) -> None:
    """One message per proposal: title, provider, why it fits, and its buttons."""
    texts = phrases(lang)
    for proposal in matches.proposals:
        lines = [proposal.title]
        if proposal.provider:
            lines[0] += f" — {isolate(proposal.provider, lang)}"
        if proposal.summary:
            lines.append(proposal.summary)
        if proposal.text_language and proposal.text_language != lang:
            lines.append(written_in(proposal.text_language, lang))
        reasons = explain(proposal.reasons, lang)
        if reasons:
            lines.append(f"✓ {reasons}")
        if proposal.kind == "event":
            buttons = [{"title": texts["button_register"],
                        "payload": payload("register_event", event=proposal.key)},
                       {"title": texts["button_details"],
                        "payload": payload("service_details", event=proposal.key)}]
        elif proposal.kind == "partner":
            buttons = [{"title": texts["button_intro"],
                        "payload": payload("request_intro", case=proposal.key)}]
        else:
            buttons = [{"title": texts["button_details"],
                        "payload": payload("service_details", service=proposal.key)},
                       {"title": texts["button_contact"],
                        "payload": payload("choose_service", service=proposal.key)}]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)


def _partner_cards(partners: Matches, lang: str) -> Matches:
    """Partners are shown by name with sector and country, never their contacts."""
    cards = [Proposal(kind="partner", key=p.key, title=isolate(p.title, lang),
                      provider="", score=p.score, reasons=p.reasons)
             for p in partners.proposals]
    return Matches(partners.total, cards)


def narrowing_from(tracker: Tracker) -> dict[str, str]:
    """Country, amount (with currency) or language named in the latest message."""
    found: dict[str, str] = {}
    text = str(tracker.latest_message.get("text") or "")
    for entity in tracker.latest_message.get("entities") or []:
        name, value = entity.get("entity"), str(entity.get("value") or "")
        if name == "country" and (code := parse_country(value)):
            found["country"] = code
        elif name == "amount" and (money := parse_money(text, language(tracker))
                                   or parse_money(value)):
            # The message, not the entity, holds the scale and currency ("50 mila euro").
            found["amount"] = str(money.amount)
            if money.currency:
                found["currency"] = money.currency
        elif name == "currency" and "currency" not in found and value.isalpha() \
                and len(value) == 3:
            found["currency"] = value.upper()
        elif name == "language" and value in LANGUAGES:
            found["delivered_in"] = value
    return found


def _narrowed(need: Need, narrowing: dict[str, str]) -> Need:
    changes: dict[str, Any] = {k: v for k, v in narrowing.items()
                               if k in {"country", "currency", "delivered_in"}}
    if "amount" in narrowing:
        changes["amount"] = Decimal(narrowing["amount"])
    return replace(need, **changes)


def _ranked(dispatcher: CollectingDispatcher, tracker: Tracker, narrowing: dict[str, str],
            offset: int) -> Matches:
    """One page of services or events for the saved case (else the chat so far), narrowed.

    A saved case looking for partners is first shown the organisations that fit it.
    """
    lang = language(tracker)
    need = need_from_tracker(tracker)
    with catalogue.session() as session:
        case = _case(session, tracker)
        if case is not None:
            need = Need.from_case(case)
        need = _narrowed(need, narrowing)
        if offset == 0 and not narrowing and case is not None \
                and case.need_category == "partners":
            partners = find_partners(session, case)
            if partners.proposals:
                dispatcher.utter_message(
                    response="utter_partners_intro", count=partners.total,
                    organisations=counted(lang, "organisations", partners.total))
                send_proposals(dispatcher, _partner_cards(partners, lang), lang)
            else:
                dispatcher.utter_message(response="utter_partners_none")
        if need.need_category == "events":
            return rank_events(session, need, limit=PAGE, offset=offset)
        return rank_services(session, need, limit=PAGE, offset=offset)


def propose(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Show one page of proposals for the saved case, or for what the chat has told so far.

    "See more" continues the list; a country, an amount or a language written after
    the proposals narrows them down, and further pages keep that narrowing.
    """
    lang = language(tracker)
    intent = intent_of(tracker)
    saved = dict(tracker.get_slot("narrowing") or {})
    offset = int(tracker.get_slot("match_offset") or 0) if intent == "show_more" else 0
    if intent == "show_more" and saved.get("list") == EVENTS_LIST:
        return list_events(dispatcher, tracker, offset, str(saved.get("search") or ""))
    saved = {k: v for k, v in saved.items() if k not in ("list", "search")}
    narrowing: dict[str, str] = {}
    if intent == "show_more":
        narrowing = saved
    elif intent == "inform":
        narrowing = {**saved, **narrowing_from(tracker)}
        if narrowing == saved:
            dispatcher.utter_message(response="utter_default")
            return []
    matches = _ranked(dispatcher, tracker, narrowing, offset)
    state: list[EventType] = [SlotSet("narrowing", narrowing or None),
                              SlotSet("awaiting_confirmation", False)]
    if not matches.proposals:
        dispatcher.utter_message(response="utter_matches_end" if offset else "utter_matches_none")
        return [SlotSet("match_offset", None), *state]
    if offset == 0:
        dispatcher.utter_message(text=counted(lang, "matches_intro", matches.total))
    send_proposals(dispatcher, matches, lang)
    shown = offset + len(matches.proposals)
    if matches.total > shown:
        texts = phrases(lang)
        dispatcher.utter_message(
            text=counted(lang, "matches_more", matches.total - shown),
            buttons=[{"title": texts["button_more"], "payload": "/show_more"},
                     {"title": texts["button_human"], "payload": "/request_human"}])
    return [SlotSet("match_offset", shown), *state]


class ActionProposeMatches(Action):
    """Propose the services (or partners, or events) that fit; page on with "see more"."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_propose_matches"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Rank, explain and show one page; remember where the next page starts."""
        return propose(dispatcher, tracker)



def described(rows: Sequence[ServiceTranslation], lang: str) -> list[str]:
    """The description in ``lang``, else the text there is and the language it is in; a
    translation with only a title and summary gets the full description of another."""
    text = translation_in(rows, lang)
    if text is None:
        return []
    if text.description:
        note = [written_in(text.lang, lang)] if text.lang != lang else []
        return [text.description, *note]
    fuller = next((r for r in sorted(rows, key=lambda r: r.lang != "en") if r.description),
                  None)
    if fuller is None:
        return [text.summary]
    return [text.summary, fuller.description, written_in(fuller.lang, lang)]


class ActionShowDetails(Action):
    """The full description of one service or event, in the user's language if available."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_show_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Send the description, provider and contact, with the next useful button."""
        lang = language(tracker)
        texts = phrases(lang)
        service_key = next(tracker.get_latest_entity_values("service"), None)
        event_key = next(tracker.get_latest_entity_values("event"), None)
        with catalogue.session() as session:
            if service_key:
                service = service_by_key(session, service_key)
                if service is None:
                    dispatcher.utter_message(response="utter_default")
                    return []
                text = translation_in(service.translations, lang)
                lines = [text.title if text else service.key,
                         isolate(service.provider.name if service.provider else "", lang),
                         *described(service.translations, lang),
                         isolate(service.contact_email or "", lang)]
                buttons = [{"title": texts["button_contact"],
                            "payload": payload("choose_service", service=service.key)}]
            else:
                event = event_by_key(session, event_key)
                if event is None:
                    dispatcher.utter_message(response="utter_default")
                    return []
                etext = translation_in(event.translations, lang)  # type: ignore[arg-type]
                lines = [etext.title if etext else event.key, event_when(event, lang),
                         *described(event.translations, lang),  # type: ignore[arg-type]
                         isolate(event.online_url or "", lang)]
                buttons = [{"title": texts["button_register"],
                            "payload": payload("register_event", event=event.key)}]
        dispatcher.utter_message(text="\n".join(line for line in lines if line),
                                 buttons=buttons)
        return []


class ActionChooseService(Action):
    """Record a chosen service on the user's case, for the broker to follow up."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_choose_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Add the service to the case (status matched) or offer to prepare a request first."""
        lang = language(tracker)
        key = next(tracker.get_latest_entity_values("service"), None)
        with catalogue.session() as session, session.begin():
            service = service_by_key(session, key)
            if service is None:
                dispatcher.utter_message(response="utter_default")
                return []
            title = title_in(service, lang)
            case = _case(session, tracker)
            if case is None:
                dispatcher.utter_message(response="utter_service_needs_case", title=title)
                return []
            choose_service(session, case, service)
        logger.info("case %s: service %s chosen", tracker.get_slot("case_reference"), key)
        dispatcher.utter_message(response="utter_service_chosen", title=title)
        return []


def search_text(tracker: Tracker) -> str:
    """The latest message as typed (a button's payload names nothing to search for)."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if text.startswith("/") else text[:500]


def list_events(dispatcher: CollectingDispatcher, tracker: Tracker, offset: int = 0,
                search: str = "") -> list[EventType]:
    """One page of upcoming events (those the message names, if it names any), and a
    "see more" while some are left: the count in the heading is what the pages hold."""
    lang = language(tracker)
    need = need_from_tracker(tracker)
    asked = NEED_OF_INTENT.get(intent_of(tracker) or "")
    if need.need_category is None and asked:
        need = replace(need, need_category=asked)  # "a meetup to find partners?": networking
    with catalogue.session() as session:
        matches = rank_events(session, need, limit=PAGE, offset=offset, search=search)
    if not matches.proposals:
        dispatcher.utter_message(response="utter_matches_end" if offset else "utter_events_none")
        return [SlotSet("match_offset", None), SlotSet("narrowing", None)]
    if offset == 0 and matches.topic:
        # Found by the user's words: say which, so a list that is not about them is not
        # taken for one that is.
        dispatcher.utter_message(response="utter_events_topic", count=matches.total,
                                 topic=isolate(matches.topic, lang),
                                 events=counted(lang, "events", matches.total))
    elif offset == 0:
        dispatcher.utter_message(response="utter_events_intro", count=matches.total,
                                 events=counted(lang, "events", matches.total))
    send_proposals(dispatcher, matches, lang)
    shown = offset + len(matches.proposals)
    if matches.total > shown:
        dispatcher.utter_message(text=counted(lang, "events_more", matches.total - shown),
                                 buttons=[{"title": phrases(lang)["button_more"],
                                           "payload": "/show_more"}])
    if offset == 0 and intent_of(tracker) in NEED_OF_INTENT:
        # A need asked as a question about events (actions/turn_reading.py): the request
        # it may also have meant is one button away.
        dispatcher.utter_message(response="utter_events_or_request")
    return [SlotSet("match_offset", shown),
            SlotSet("narrowing", {"list": EVENTS_LIST, "search": search} if search
                    else {"list": EVENTS_LIST})]


class ActionListEvents(Action):
    """Upcoming events with open registration, the most relevant first."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_list_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Show a page of events with register and details buttons; "see more" pages on."""
        corrected = await correction_instead(dispatcher, tracker, domain)
        if corrected is not None:
            return corrected  # "benim adim …" at the summary, read as a question on events
        return list_events(dispatcher, tracker, 0, search_text(tracker))
