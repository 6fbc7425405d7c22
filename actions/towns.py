"""What a town says about the country: "we are in Zaragoza" does not ask where Zaragoza is.

The gazetteer (catalog.places) knows the main towns of the countries the cooperative
serves. A town of one country fills the country; a name several countries share
("Tripoli") makes the country question offer just those countries as buttons.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.city_reading import home_town
from actions.cleaning import field_words, first_clause, strip_leading, words
from actions.common import language
from actions.localities import settled, town_before_region
from actions.validators import parse_country
from catalog.brief import value_label
from catalog.places import district_city, find_town, find_towns, fold, town_countries


def town_in(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The known town ``text`` names, as written, and its countries."""
    return find_town(text) if text and not text.startswith("/") else None


def placed_town(text: str, lang: str) -> tuple[str, tuple[str, ...]] | None:
    """The known town ``text`` places the organisation in (not a destination, not a word
    such as "fez"), in the spelling the case keeps, and its countries."""
    town = home_town(text, lang) if text and not text.startswith("/") else None
    return (settled(town[0]), town[1]) if town is not None else None


def city_answer(text: str, lang: str) -> str:
    """The town an answer to "which town or region?" names, as the case keeps it.

    The lead-in goes ("la città è Vittoria", "siamo a Lecce, in Puglia"); a town named
    before its region is the town ("منزل تميم، ولاية نابل"); a district alone, or a known
    town with one of its districts ("izmir karsiyaka"), gives the city; a known town is
    spelt as the gazetteer writes it. Anything else is kept as the user wrote it, whole
    ("Reggio Emilia", not the "Reggio" a model may have tagged).
    """
    leads = tuple(p for p, field in field_words(lang) if field == "city") + words(
        lang, "home") + words(lang, "self") + words(lang, "connectors")
    answer = strip_leading(text.strip(), leads)
    before_region = town_before_region(answer, lang)
    if before_region is not None:
        return settled(before_region)
    clause = first_clause(answer, lang).strip(" .!?")
    towns = find_towns(clause)
    if len(towns) == 1 and (fold(towns[0][0]) == fold(clause) or district_city(
            clause.replace(towns[0][0], "").strip(" ,-")) is not None):
        return settled(towns[0][0])
    return settled(clause) if clause else answer


def country_of(city: Any) -> str | None:
    """The country of a known town when only one served country has a town of that name."""
    countries = town_countries(str(city)) if city else ()
    return countries[0] if len(countries) == 1 else None


def location_answer(text: str, city: Any) -> dict[str, Any]:
    """Read an answer to "where is it based?": a country, a town, or both.

    Returns the fields it fills: {"country", "city"}; a town shared by several countries
    fills only the city (the question then offers those countries).
    """
    found: dict[str, Any] = {}
    town = town_in(text)
    code = parse_country(text)
    if town is not None and not city:
        found["city"] = settled(town[0])
    if code is None and town is not None and len(town[1]) == 1:
        code = town[1][0]
    if code is not None:
        found["country"] = code
    return found


class ActionAskCountry(Action):
    """Ask where the organisation is based; for a town several countries share, ask which."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_ask_country"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Offer the countries of an ambiguous town as buttons, else the usual question."""
        from actions.intake_slots import response_text  # the intake imports this module

        city = tracker.get_slot("city")
        countries = town_countries(str(city)) if city else ()
        if len(countries) < 2:
            dispatcher.utter_message(response="utter_ask_country")
            return []
        lang = language(tracker)
        text = response_text(domain, "utter_ask_country_of_city", lang).replace(
            "{city}", str(city))
        buttons = [{"title": value_label("country", code, lang),
                    "payload": f'/inform{{"country": "{code}"}}'} for code in countries]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
