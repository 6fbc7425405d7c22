"""The legal form the case holds is the one the user says the organisation has.

Openings name forms they plan ("we want to become a cooperative"), deny ("we are not a
cooperative"), group words beside the form ("a group of farmers organised as a cooperative")
and names carry form words: the reader (actions/mentions.py, actions/extraction.py) keeps
the current form, and leaves the field to its question when a message does not settle it.
The sentences are not the corpus's (tests/corpora is the measurement).
"""

from __future__ import annotations

import pytest

from actions.choices import match_choice
from actions.extraction import answered_form, extract, name_form
from actions.intake_slots import CHOICES
from tests.support.intake_turns import Chat


@pytest.mark.parametrize(("lang", "text", "form"), [
    # a form planned beside the current one: the current one
    ("es", "Somos una asociación de vecinos de Huesca y queremos convertirnos en cooperativa "
           "de consumo", "association"),
    ("pt", "Somos uma associação cultural e pensamos criar uma cooperativa", "association"),
    ("el", "Είμαστε μια ομάδα πολιτών στα Γιάννενα και σκεφτόμαστε να ιδρύσουμε συνεταιρισμό",
     "informal_group"),
    ("tr", "Bir kooperatifiz ve yanında bir dernek kurmayı düşünüyoruz", "cooperative"),
    ("ar", "نحن جمعية نسائية في نابلس ونفكر نتحول إلى تعاونية", "association"),
    ("it", "Siamo un comitato di genitori e vorremmo fondare un'associazione", "informal_group"),
    ("en", "We are a women's collective in Nablus and plan to register as an association",
     "informal_group"),
    # a group word beside a legal form: the legal form
    ("ca", "Som un col·lectiu de pagesos organitzat com a cooperativa a Lleida", "cooperative"),
    ("fr", "un groupement de femmes constitué en coopérative à Thiès", "cooperative"),
    # a form denied
    ("es", "No somos una cooperativa, somos una sociedad limitada", "company"),
    ("tr", "Kooperatif değiliz, bir derneğiz", "association"),
    ("it", "non siamo un'associazione ma una cooperativa sociale", "cooperative"),
    ("en", "we aren't a cooperative, we're an association", "association"),
    # not registered: an informal group, also said with a two-part negation
    ("es", "todavía no estamos registrados, somos un grupo de vecinas", "informal_group"),
    ("ar", "احنا مش مسجلين لحد دلوقتي", "informal_group"),
    ("el", "δεν έχουμε νομική μορφή ακόμα", "informal_group"),
    ("fr", "nous n'avons pas de statut juridique", "informal_group"),
    # a company word beside another form says what kind of company it is
    ("es", "Somos una SL empresa de inserción", "social_enterprise"),
    # done, not planned
    ("fr", "nous venons de créer une association de quartier", "association"),
])
def test_an_opening_gives_the_form_the_organisation_has(lang, text, form):
    found = extract(text, lang)
    assert (found.legal_form, "legal_form" in found.unsure) == (form, False)


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "We want to set up a cooperative bakery in Sousse"),
    ("fr", "Association ou coopérative, on hésite encore"),
    ("ar", "عايزين نأسس جمعية"),
    ("el", "θέλουμε να στήσουμε συνεταιρισμό στη Νάξο"),
    ("ca", "Una fundació i una cooperativa treballem juntes en aquest projecte"),
    ("it", "vogliamo fare una cooperativa di comunità in paese"),
    ("tr", "Dernek kurma sürecindeyiz"),
])
def test_an_opening_that_does_not_settle_the_form_leaves_it_unsure(lang, text):
    found = extract(text, lang)
    assert found.legal_form is None and "legal_form" in found.unsure


@pytest.mark.parametrize(("lang", "name", "form"), [
    ("el", "Σύλλογος Φίλων του Δάσους", "association"),
    ("tr", "Yeşil Vadi Kadın Kooperatifi", "cooperative"),
    ("tr", "Kuzey Dağcılık Derneği", "association"),
    ("it", "Orti Urbani impresa sociale srl", "social_enterprise"),
    ("ar", "مبادرة شباب الحي", None),  # an initiative: no legal form
    ("fr", "Collectif Les Mains Vertes", None),
    ("es", "Huerta Viva", None),
])
def test_a_name_carries_its_legal_form_word_only(lang, name, form):
    assert name_form(name, lang) == form


@pytest.mark.parametrize(("lang", "text", "form"), [
    ("tr", "dernek olarak kayıtlıyız", "association"),
    ("ar", "شركة تعاونية للصيد البحري", "cooperative"),
    ("it", "srl, ma siamo impresa sociale", "social_enterprise"),
    ("pt", "uma associação, mas queremos passar a cooperativa", "association"),
    ("el", "σωματείο, μέχρι να γίνουμε ΚοινΣΕπ", "association"),
    ("ar", "ما زلنا مجموعة غير مسجلة", "informal_group"),
    ("en", "not a charity, we're a community interest company", "social_enterprise"),
])
def test_a_typed_answer_to_the_question_gives_the_form_said(lang, text, form):
    assert answered_form(text, lang) == form
    assert match_choice(text, "legal_form", lang, CHOICES["legal_form"]) == form


# -- through the form's validator -----------------------------------------------------------

def test_the_opening_prefills_the_current_form_not_the_entity_of_the_planned_one():
    chat = Chat("es")
    slots = chat.opening("Somos una asociación de Teruel y nos planteamos pasar a ser "
                         "cooperativa, necesitamos asesoría", "need_consultancy",
                         entities=[("legal_form", "cooperative")],
                         mapped={"legal_form": "cooperative"})
    assert slots["legal_form"] == "association"


def test_an_unsettled_opening_leaves_the_question_to_be_asked_and_its_answer_wins():
    chat = Chat("el")
    slots = chat.opening("Καλημέρα, ως σύλλογος γονέων σκεφτόμαστε να γίνουμε ΚοινΣΕπ ή "
                         "συνεταιρισμός, τι μας συμφέρει;", "need_consultancy",
                         entities=[("legal_form", "social_enterprise")],
                         mapped={"legal_form": "social_enterprise"})
    assert slots["legal_form"] == "association"  # the planned ones are not what they are
    chat = Chat("fr")
    slots = chat.opening("On hésite entre association et coopérative pour notre épicerie",
                         "need_consultancy", entities=[("legal_form", "cooperative")],
                         mapped={"legal_form": "cooperative"})
    assert slots["legal_form"] is None
    chat.events.append({"event": "slot", "timestamp": None, "name": "consent", "value": True})
    chat.events.append({"event": "slot", "timestamp": None, "name": "org_name",
                        "value": "Épicerie du Coin"})
    chat.asked("legal_form")
    answered = chat.answer("pour l'instant une association loi 1901",
                           entities=[("legal_form", "cooperative")],
                           mapped={"legal_form": "cooperative"})
    assert answered["legal_form"] == "association"


def test_an_answer_read_as_a_no_still_gives_the_form():
    chat = Chat("es", consent=True, org_name="Huerto del Barrio")
    chat.asked("legal_form")
    slots = chat.answer("no, todavía no estamos registrados", intent="deny")
    assert slots["legal_form"] == "informal_group"


@pytest.mark.parametrize(("lang", "name", "entity", "form", "next_question"), [
    ("ar", "مبادرة شباب الحي", "informal_group", None, "legal_form"),
    ("el", "Σύλλογος Φίλων του Δάσους", None, "association", "country"),
])
def test_the_name_prefills_the_form_only_from_its_legal_form_word(lang, name, entity, form,
                                                                   next_question):
    chat = Chat(lang, consent=True)
    chat.asked("org_name")
    mapped = {"org_name": name, **({"legal_form": entity} if entity else {})}
    slots = chat.answer(name, entities=[("legal_form", entity)] if entity else [],
                        mapped=mapped)
    assert slots.get("legal_form") == form
    assert slots["requested_slot"] == next_question


@pytest.mark.parametrize(("lang", "text"), [
    ("it", "vogliamo diventare cooperativa"),
    ("es", "no somos una cooperativa"),
])
def test_an_answer_that_only_plans_or_denies_a_form_is_no_form(lang, text):
    assert match_choice(text, "legal_form", lang, CHOICES["legal_form"]) is None
    chat = Chat(lang, consent=True, org_name="Forno Comune")
    chat.asked("legal_form")
    slots = chat.answer(text, entities=[("legal_form", "cooperative")],
                        mapped={"legal_form": "cooperative"})
    assert slots["legal_form"] == "other"  # kept in the user's words for the broker
    assert slots["own_words"] == {"legal_form": text}


def test_a_form_only_planned_at_the_summary_changes_nothing():
    from actions.corrections import read_correction
    from actions.intake_slots import iso_currency
    from tests.support.trackers import make_tracker

    tracker = make_tracker(language="es", text="el resto bien, algún día queremos ser "
                           "cooperativa", intent="correct_answer",
                           entities={"legal_form": "cooperative"},
                           slots={"awaiting_confirmation": True, "legal_form": "association"})
    assert "legal_form" not in read_correction(tracker, iso_currency).updates
