"""The case holds what was said: corrections change the field the user names, values are
tidied (names without job titles, organisation names whole, phones normalised), refusals
are never stored, destinations are not the home country, and "no, but..." at the consent
question is a no and a request. Trackers are built event by event, as Rasa sends them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cleaning import clean_org_name, clean_person_name, is_refusal
from actions.consent import declined_with_request
from actions.corrections import ASK_WHICH, named_field
from actions.intake import ValidateIntakeForm
from actions.intake_slots import ORDER
from actions.intake_summary import ActionApplyCorrection
from actions.places import home_countries, only_destination
from tests.unit.test_intake_amounts import DOMAIN, Conversation, _action, _at_the_summary, _slot

# -- corrections at the summary ---------------------------------------------------------------

NAMED = [
    ("el", "το ονομα μου ειναι Γιώργος Μανωλάκης", "inform", [("org_name", "Γιώργος Μανωλάκης")],
     "contact_name", "Γιώργος Μανωλάκης"),
    ("en", "my name is Ana Ruiz", "correct_answer", [("org_name", "Ana Ruiz")],
     "contact_name", "Ana Ruiz"),
    ("es", "me llamo Lucía Gómez, soy la presidenta", "inform", [], "contact_name",
     "Lucía Gómez"),
    ("ca", "l'organització es diu \"La Garrotxa\" SCCL", "correct_answer",
     [("org_name", "La Garrotxa")], "org_name", "\"La Garrotxa\" SCCL"),
    ("it", "la città è Bari, non Lecce", "correct_answer", [("city", "Lecce")], "city", "Bari"),
    ("fr", "le nom de la structure est Les Jardins du Midi SCOP", "correct_answer", [],
     "org_name", "Les Jardins du Midi SCOP"),
    ("el", "το τηλέφωνο είναι 690 765 4321", "inform", [("phone", "690 765 4321")], "phone",
     "+306907654321"),
    ("es", "el teléfono es 612 34 56 78", "correct_answer", [("members", "612")], "phone",
     "+34612345678"),
    ("pt", "o país é Portugal", "correct_answer", [], "country", "PT"),
    ("tr", "telefon numaram 0532 123 45 67", "correct_answer", [], "phone", "+905321234567"),
]
COUNTRY = {"el": "GR", "en": "GB", "es": "ES", "ca": "ES", "it": "IT", "fr": "FR", "pt": "PT",
           "tr": "TR"}


@pytest.mark.parametrize(("lang", "text", "intent", "entities", "field", "value"), NAMED)
def test_a_correction_changes_the_field_the_user_names(lang, text, intent, entities, field,
                                                       value):
    chat = _at_the_summary(lang, COUNTRY[lang], 20000.0, "EUR")
    before = chat.slots()
    chat.user(text, intent, entities)
    events, messages = chat.run(ActionApplyCorrection())
    changed = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert changed == {field: value, "awaiting_confirmation": True}
    assert chat.slots()["org_name" if field != "org_name" else "contact_name"] == \
        before["org_name" if field != "org_name" else "contact_name"]
    assert messages[0]["response"] == "utter_case_summary"


@pytest.mark.parametrize(("lang", "value", "field", "expected"), [
    ("el", "Γιώργος Μανωλάκης", "contact_name", "Γιώργος Μανωλάκης"),
    ("it", "Mare Nostrum", "org_name", "Mare Nostrum"),
])
def test_a_bare_name_asks_which_field_and_the_button_answer_applies_it(lang, value, field,
                                                                     expected):
    chat = _at_the_summary(lang, COUNTRY[lang], 20000.0, "EUR")
    chat.user(value, "inform", [("org_name", value)])
    events, messages = chat.run(ActionApplyCorrection())
    assert events == []
    assert messages[0]["utter_action"] == ASK_WHICH and value in messages[0]["text"]
    assert {b["payload"] for b in messages[0]["buttons"]} >= {
        '/correct_answer{"choice": "contact_name"}', '/correct_answer{"choice": "org_name"}'}
    chat.events.append({"event": "bot", "timestamp": None, "text": messages[0]["text"],
                        "metadata": {"utter_action": ASK_WHICH}})
    chat.user(f'/correct_answer{{"choice": "{field}"}}', "correct_answer", [("choice", field)])
    chat.run(ActionApplyCorrection())
    assert chat.slots()[field] == expected
    assert chat.slots()["org_name" if field == "contact_name" else "contact_name"] in (
        "Kooperatif", "Ana")


def test_correcting_the_country_keeps_the_city():
    chat = _at_the_summary("ca", "FR", 20000.0, "EUR")
    chat.events.append(_slot("city", "Girona"))
    chat.user("no, som de Catalunya, a Espanya", "correct_answer", [("country", "ES")])
    chat.run(ActionApplyCorrection())
    assert (chat.slots()["country"], chat.slots()["city"]) == ("ES", "Girona")


# -- tidy values -------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "text", "name"), [
    ("el", "Γιώργος Μανωλάκης, ειμαι ο προεδρος του ΔΣ", "Γιώργος Μανωλάκης"),
    ("el", "Γιώργος Μανωλάκης ειμαι ο προεδρος του ΔΣ", "Γιώργος Μανωλάκης"),
    ("it", "Mario Rossi presidente della cooperativa", "Mario Rossi"),
    ("ca", "sóc la Marta Puig, presidenta", "Marta Puig"),
    ("en", "Ana Ruiz", "Ana Ruiz"),
])
def test_a_persons_name_is_kept_without_the_job_title(lang, text, name):
    assert clean_person_name(text, lang) == name


@pytest.mark.parametrize(("lang", "text", "name"), [
    ("ca", "Ens diem Formatgeria La Garrotxa de Treball SCCL, fem formatges artesans",
     "Formatgeria La Garrotxa de Treball SCCL"),
    ("ca", 'Cooperativa "El Rebost", SCCL', 'Cooperativa "El Rebost", SCCL'),
    ("es", "Brisa Alentejana, S. Coop. And.", "Brisa Alentejana, S. Coop. And."),
    ("el", "Κοινωνική Συνεταιριστική Επιχείρηση «Αλληλεγγύη» ΚοινΣΕπ",
     "Κοινωνική Συνεταιριστική Επιχείρηση «Αλληλεγγύη» ΚοινΣΕπ"),
    ("it", "si chiama Mare Nostrum APS. Siamo di Palermo", "Mare Nostrum APS"),
])
def test_an_organisation_name_is_kept_whole(lang, text, name):
    assert clean_org_name(text, lang) == name


def _at_the_question(lang: str, slot: str, country: str = "GR", **earlier: Any) -> Conversation:
    answers = {"consent": True, "org_name": "Coop", "country": country, "language": lang}
    chat = Conversation({**answers, **earlier})
    chat.events += [_action("intake_form"), _slot("requested_slot", slot)]
    return chat


@pytest.mark.parametrize(("lang", "slot", "text", "entity", "expected"), [
    ("el", "contact_name", "Γιώργος Μανωλάκης, ειμαι ο προεδρος του ΔΣ", None,
     "Γιώργος Μανωλάκης"),
    ("ca", "org_name", "Ens diem Formatgeria La Garrotxa de Treball SCCL, fem formatges",
     "Formatgeria La Garrotxa", "Formatgeria La Garrotxa de Treball SCCL"),
    ("it", "org_name", "Siamo la cooperativa «Il Girasole» Soc. Coop. Sociale", "Il Girasole",
     "la cooperativa «Il Girasole» Soc. Coop. Sociale"),
])
def test_the_answer_is_tidied_by_the_form(lang, slot, text, entity, expected):
    chat = _at_the_question(lang, slot)
    chat.user(text, "inform", [(slot, entity)] if entity else [],
              extracted={slot: entity or text})
    chat.validate({slot: entity or text})
    assert chat.slots()[slot] == expected


@pytest.mark.parametrize(("lang", "slot", "text", "intent"), [
    ("it", "org_name", "no no, non voglio una nuova richiesta", "deny"),
    ("es", "contact_name", "no quiero dar mi nombre", "deny"),
    ("el", "need_description", "όχι, δεν θέλω", "deny"),
    ("fr", "city", "non merci, je ne veux pas continuer", "stop_form"),
])
def test_a_refusal_is_never_stored_as_an_answer(lang, slot, text, intent):
    chat = _at_the_question(lang, slot)
    chat.user(text, intent, extracted={slot: text})
    _, messages = chat.validate({slot: text})
    assert chat.slots()[slot] is None
    assert messages[0]["buttons"][0]["payload"] == "/stop_form"


def test_a_name_that_starts_with_no_is_a_name():
    assert not is_refusal("No Borders Coop", "deny", 0.8, "en")
    chat = _at_the_question("en", "org_name")
    chat.user("No Borders Coop", "deny", extracted={"org_name": "No Borders Coop"})
    chat.validate({"org_name": "No Borders Coop"})
    assert chat.slots()["org_name"] == "No Borders Coop"


@pytest.mark.parametrize(("lang", "text", "field", "value"), [
    ("es", "Lucía Gómez, lucia@brisa.example.org", "email", "lucia@brisa.example.org"),
    ("el", "Νίκος Παππάς +30 690 123 4567", "phone", "+306901234567"),
])
def test_a_contact_typed_at_another_question_is_stored_and_said(lang, text, field, value):
    chat = _at_the_question(lang, "contact_name", country="ES" if lang == "es" else "GR")
    raw = value if field == "email" else "+30 690 123 4567"
    chat.user(text, "inform", [(field, raw)], extracted={"contact_name": text, field: raw})
    _, messages = chat.validate({"contact_name": text, field: raw})
    assert chat.slots()[field] == value
    assert chat.slots()["contact_name"] in ("Lucía Gómez", "Νίκος Παππάς")
    assert any(value in str(m.get("text")) for m in messages)


# -- where the organisation is, and where it wants to go --------------------------------------

@pytest.mark.parametrize(("lang", "text", "home", "elsewhere"), [
    ("ca", "Som una cooperativa de Girona i busquem socis d'Italia o de França", [], "FR"),
    ("en", "We are based in Spain and want to export to Italy", ["ES"], "IT"),
    ("it", "Siamo una cooperativa, cerchiamo partner in Tunisia", [], "TN"),
    ("el", "είμαστε από την Ελλάδα και ψάχνουμε εταίρους στην Ιταλία", ["GR"], "IT"),
])
def test_a_destination_is_not_the_home_country(lang, text, home, elsewhere):
    assert home_countries(text, lang) == home
    assert only_destination(text, elsewhere, lang)


@pytest.mark.parametrize(("lang", "text", "code"), [
    ("ca", "Som una cooperativa de Girona i busquem socis d'Italia o de França", "FR"),
    ("es", "buscamos socios en Marruecos para exportar aceite", "MA"),
])
def test_a_destination_named_in_the_opening_message_does_not_prefill_the_country(lang, text,
                                                                                 code):
    chat = Conversation({"language": lang, "consent": True})
    chat.events += [_action("intake_form"), _slot("requested_slot", "org_name")]
    chat.user("Cooperativa Sol", "inform")
    chat.message["text"] = text  # the candidate came from this message's entity
    chat.validate({"country": code})
    assert chat.slots().get("country") is None


# -- consent ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "text", "intent", "need"), [
    ("en", "no, but can we just see the partners?", "search_partners", "partners"),
    ("es", "no, pero ¿podemos ver los eventos?", "nlu_fallback", "events"),
    ("fr", "non, mais on peut juste voir les partenaires ?", "show_more", "partners"),
    ("el", "όχι, αλλά μπορούμε να δούμε τους εταίρους;", "search_partners", "partners"),
])
def test_no_but_at_the_consent_question_is_a_no_and_a_request(lang, text, intent, need):
    chat = Conversation({"language": lang, "need_category": "funding"})
    chat.events += [_action("intake_form"), _slot("requested_slot", "consent")]
    chat.user(text, intent)
    assert declined_with_request(chat.tracker("intake_form")) == {
        "consent": False, "need_category": need}


def test_a_yes_or_a_name_at_the_consent_question_is_no_decline():
    chat = Conversation({"language": "en"})
    chat.events += [_action("intake_form"), _slot("requested_slot", "consent")]
    chat.user("yes, and we also look for partners", "affirm")
    assert declined_with_request(chat.tracker("intake_form")) == {}
    chat.user("nobody told me about partners", "search_partners")
    assert declined_with_request(chat.tracker("intake_form")) == {}


def test_the_form_keeps_the_need_a_declined_consent_asks_for(monkeypatch):
    async def refused(self, slot_value, dispatcher, tracker, domain):
        return {"consent": False, "consent_refused": True}
    monkeypatch.setattr(ValidateIntakeForm, "validate_consent", refused)
    chat = Conversation({"language": "en", "need_category": "funding"})
    chat.events += [_action("intake_form"), _slot("requested_slot", "consent")]
    chat.user("no, but can we just see the partners?", "search_partners")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateIntakeForm().run(dispatcher, chat.tracker("intake_form"),
                                                  DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert (slots["consent"], slots["need_category"]) == (False, "partners")
    assert ORDER[0] == "consent"


# -- the words are data, in every language ----------------------------------------------------

@pytest.mark.parametrize("lang", ["ca", "es", "fr", "it", "pt", "el", "tr", "ar", "en"])
def test_every_language_pack_names_the_fields_and_says_the_messages(lang):
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2] / "nlu"
    english = yaml.safe_load((root / "en" / "fields.yml").read_text("utf-8"))
    pack = yaml.safe_load((root / lang / "fields.yml").read_text("utf-8"))
    assert set(pack) == set(english)
    assert set(pack["fields"]) == set(english["fields"])
    assert set(pack["messages"]) == set(english["messages"])
    for section, values in pack.items():
        if isinstance(values, list):
            assert all(isinstance(v, str) and v for v in values), (lang, section)
    if lang == "ar":
        assert not any(ch.isascii() and ch.isalpha()
                       for text in pack["messages"].values()
                       for ch in text.replace("{value}", "").replace("{field}", "")
                       .replace("{stop}", "").replace("{words}", ""))


@pytest.mark.parametrize(("lang", "text", "address"), [
    ("fr", "changez mon e-mail : contact@jardins.example.org", "contact@jardins.example.org"),
    ("en", "my email is now contact@coop.example.org", "contact@coop.example.org"),
    ("es", "el correo es nombre.contacto@coop.example.org", "nombre.contacto@coop.example.org"),
])
def test_a_field_word_inside_an_address_names_no_field(lang, text, address):
    assert named_field(text, lang) == ("email", address)
