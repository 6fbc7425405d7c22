"""The case keeps the names the user gives, whole: a correction that says "the correct name
of the organisation is …" or "my full name is …" (in Darija too) changes that field, also
when the model took it for a question about events; an organisation's name with its legal
form after a dash stays whole; a head count is the first number of the answer, not the one
a model tagged. Sentences are written for these tests; none comes from the corpora.
"""

from __future__ import annotations

import pytest

from actions.cleaning import clean_org_name
from actions.corrections import named_field
from actions.events import ActionPrepareRegistration
from actions.faq import ActionAnswerFaq
from actions.intake_summary import ActionApplyCorrection
from actions.matching import ActionListEvents
from actions.summary_misreads import names_a_correction
from tests.unit.test_intake_amounts import Conversation, _action, _at_the_summary, _slot

COUNTRY = {"ar": "MA", "el": "GR", "en": "GB", "es": "ES", "fr": "FR", "it": "IT", "pt": "PT",
           "tr": "TR", "ca": "ES"}


@pytest.mark.parametrize(("lang", "text", "field", "value"), [
    # "correct", "full", "real" inside the words that name the field
    ("el", "το πλήρες όνομα του συλλόγου είναι Αλληλεγγύη Πειραιά, όχι σκέτο Αλληλεγγύη",
     "org_name", "Αλληλεγγύη Πειραιά"),
    ("en", "the correct name of our association is Green Threads Collective",
     "org_name", "Green Threads Collective"),
    ("es", "el nombre correcto de la asociación es Mujeres del Sur, no Mujeres",
     "org_name", "Mujeres del Sur"),
    ("tr", "derneğin tam adı Umut Işığı Derneği", "org_name", "Umut Işığı Derneği"),
    ("fr", "le vrai nom de l'association c'est Les Amis du Canal", "org_name",
     "Les Amis du Canal"),
    # the full name, in Arabic and in Darija
    ("ar", "اسمي الكامل هو خديجة بن علي", "contact_name", "خديجة بن علي"),
    ("ar", "سميتي الكاملة هي نعيمة الوردي", "contact_name", "نعيمة الوردي"),
    ("pt", "o meu nome completo correto é Joana Maria Sequeira", "contact_name",
     "Joana Maria Sequeira"),
])
def test_a_correction_names_its_field_with_words_such_as_correct_or_full(lang, text, field,
                                                                           value):
    found = named_field(text, lang)
    assert found is not None and found[0] == field
    chat = _at_the_summary(lang, COUNTRY[lang], 20000.0, "EUR")
    chat.user(text, "inform")
    chat.run(ActionApplyCorrection())
    assert chat.slots()[field] == value


@pytest.mark.parametrize(("lang", "text", "field", "value"), [
    # the naming words with a value after them win over longer ones with none
    ("it", "il comune è Noto, non Avola. Avola è la provincia", "city", "Noto"),
    ("en", "the town is Larnaca, not Limassol. Limassol is the district", "city", "Larnaca"),
])
def test_the_field_named_with_a_value_wins(lang, text, field, value):
    assert named_field(text, lang) == (field, value)


@pytest.mark.parametrize(("lang", "text", "intent", "field", "value"), [
    ("tr", "benim adım Zeynep Aksoy, lütfen soyadımı da ekleyin", "ask_events",
     "contact_name", "Zeynep Aksoy"),
    ("es", "mi nombre completo es Rosa Martín Pardo, añadid el segundo apellido",
     "ask_events", "contact_name", "Rosa Martín Pardo"),
])
def test_a_correction_the_model_took_for_events_is_applied(lang, text, intent, field, value):
    chat = _at_the_summary(lang, COUNTRY[lang], 20000.0, "EUR")
    chat.user(text, intent)
    events, messages = chat.run(ActionListEvents())
    assert chat.slots()[field] == value
    assert messages[0]["response"] == "utter_case_summary"
    assert {"event": "slot", "timestamp": None, "name": "awaiting_confirmation",
            "value": True} in events


@pytest.mark.parametrize(("action", "lang", "country", "text", "intent", "name"), [
    (ActionPrepareRegistration, "tr", "TR", "adım soyadım Elif Demirtaş, lütfen kısaltmayın",
     "register_event", "Elif Demirtaş"),
    (ActionAnswerFaq, "it", "IT", "il mio nome completo è Carla Bruni Tedeschi", "ask_faq",
     "Carla Bruni Tedeschi"),
])
def test_a_correction_the_model_took_for_another_request_is_applied(action, lang, country,
                                                                    text, intent, name):
    chat = _at_the_summary(lang, country, 20000.0, "EUR")
    chat.user(text, intent)
    _, messages = chat.run(action())
    assert chat.slots()["contact_name"] == name
    assert messages[0]["response"] == "utter_case_summary"


@pytest.mark.parametrize(("lang", "text", "awaiting"), [
    ("en", "are there events about cooperatives this spring?", True),  # a question
    ("tr", "etkinlikleriniz neler", True),  # names no field
    ("es", "mi nombre es Rosa Martín", False),  # not at the summary
])
def test_requests_are_not_taken_for_corrections(lang, text, awaiting):
    chat = _at_the_summary(lang, COUNTRY[lang], 20000.0, "EUR")
    chat.events.append(_slot("awaiting_confirmation", awaiting))
    chat.user(text, "ask_events")
    assert not names_a_correction(chat.tracker())


# -- the organisation's name and the head count, as answered ---------------------------------

@pytest.mark.parametrize(("lang", "text", "name"), [
    ("fr", "Les Amis du Quartier - Association loi 1901",
     "Les Amis du Quartier - Association loi 1901"),
    ("es", "Huerta Viva – cooperativa de consumo", "Huerta Viva – cooperativa de consumo"),
    ("pt", "Bairro em Festa - associação juvenil", "Bairro em Festa - associação juvenil"),
    ("en", "Green Threads - we recycle textiles", "Green Threads"),  # no legal form: cut
])
def test_a_legal_form_after_a_dash_is_part_of_the_name(lang, text, name):
    assert clean_org_name(text, lang) == name


@pytest.mark.parametrize(("lang", "text", "tagged", "count"), [
    ("pt", "9 sócios e cerca de 30 voluntários", "30", 9),
    ("fr", "nous sommes 7 salariés et 25 bénévoles", "25", 7),
    ("tr", "11 ortak ve 40 gönüllü", "40", 11),
])
def test_the_head_count_is_the_answers_first_number(lang, text, tagged, count):
    chat = Conversation({"language": lang, "consent": True, "org_name": "Coop"})
    chat.events += [_action("intake_form"), _slot("requested_slot", "members")]
    chat.user(text, "inform", [("members", tagged)], extracted={"members": tagged})
    chat.validate({"members": tagged})
    assert chat.slots()["members"] == count


@pytest.mark.parametrize(("lang", "text", "name"), [
    # the name said with more about the organisation after an Arabic comma
    ("ar", "نحن جمعية الأمل للتنمية، نعمل في سوسة منذ ٢٠١٠", "جمعية الأمل للتنمية"),
    ("ar", "اسمها تعاونية الواحة؛ عددنا ٣٠ امرأة", "تعاونية الواحة"),
    # "we are" with the article before the name: the article is no part of the name
    ("pt", "somos a Horta Comum, uma associação de 8 pessoas em Setúbal", "Horta Comum"),
    ("pt", "nós somos o Coletivo Mandacaru, de Fortaleza", "Coletivo Mandacaru"),
    ("el", "είμαστε το Εργαστήρι Πηλού, με 5 μέλη στα Γιάννενα", "Εργαστήρι Πηλού"),
    ("el", "ειμαστε οι Αλληλεγγυοι Κρητης, συλλογος στο Ηρακλειο", "Αλληλεγγυοι Κρητης"),
])
def test_a_name_given_in_a_sentence_about_the_organisation_is_the_name_alone(lang, text, name):
    assert clean_org_name(text, lang) == name
