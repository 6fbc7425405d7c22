"""The case keeps the town the user names: the town over its region or district, whole when
it has several words, spelt as the gazetteer writes it, and home only where it is written as
home (catalog/places.py, actions/localities.py, actions/city_reading.py, actions/towns.py).
Sentences are written for these tests, in several languages; none comes from the corpora.
"""

from __future__ import annotations

import pytest

from actions.extraction import extract
from actions.intake_summary import ActionApplyCorrection
from actions.localities import town_before_region
from actions.towns import city_answer
from catalog.places import district_city, find_towns, proper_name
from tests.unit.test_intake_amounts import Conversation, _action, _at_the_summary, _slot

# -- the gazetteer ---------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "proper"), [
    ("Τρικαλα", "Τρίκαλα"),  # Greek typed without its accents
    ("ξανθη", "Ξάνθη"),
    ("malaga", "Málaga"),
    ("eskisehir", "Eskişehir"),
    ("beziers", "Béziers"),
    ("beirut", "Beirut"),  # typed in Latin letters: the first Latin spelling
    ("Saragosse", "Saragosse"),  # a spelling of its own is kept
    ("Saragoca", "Saragoca"),  # an exonym typed without accents is not the town's own name
    ("Atlantis", "Atlantis"),  # unknown: as typed
])
def test_a_known_town_is_stored_in_its_proper_spelling(typed, proper):
    assert proper_name(typed) == proper


@pytest.mark.parametrize(("district", "city"), [
    ("Vallecas", "Madrid"), ("Marvila", "Lisboa"), ("Bornova", "İzmir"),
    ("Κυψέλη", "Αθήνα"), ("سيدي مومن", "الدار البيضاء"), ("Trastevere", "Roma"),
])
def test_a_district_gives_its_city_in_the_script_it_was_typed_in(district, city):
    assert district_city(district) == city


@pytest.mark.parametrize(("text", "town"), [
    ("una cooperativa de Vilanova i la Geltrú? no: de l'Hospitalet de Llobregat",
     "l'Hospitalet de Llobregat"),
    ("vi scriviamo dall'Aquila", "l'Aquila"),
    ("siamo una cooperativa dell'Alguer", "Alguer"),
    ("Samsun'dan yazıyoruz", "Samsun"),
])
def test_elided_articles_and_case_endings_do_not_hide_a_town(text, town):
    assert find_towns(text)[-1][0] == town


# -- where the organisation is, read from a message ------------------------------------------

@pytest.mark.parametrize(("lang", "text", "city"), [
    # a district named alone or with its city: the city
    ("es", "Somos una asociación vecinal de Vallecas y queremos abrir un huerto", "Madrid"),
    ("tr", "Merhaba, Bornova'da bir kadın kooperatifiyiz", "İzmir"),
    ("pt", "Somos uma associação de moradores de Marvila e precisamos de apoio", "Lisboa"),
    # the town named before its region, known or not
    ("ar", "نحن جمعية نسائية في بني خلاد، ولاية نابل ونبحث عن تمويل", "بني خلاد"),
    ("it", "Siamo una cooperativa sociale a Scicli, provincia di Ragusa", "Scicli"),
    ("fr", "Nous sommes une association à Tinghir, région Drâa-Tafilalet", "Tinghir"),
    ("el", "Είμαστε σύλλογος στη Νεάπολη, νομός Λακωνίας", "Νεάπολη"),
    # towns of several words, whole
    ("pt", "Falo da Associação Recreativa de Vila Nova de Cerveira e precisamos de apoio",
     "Vila Nova de Cerveira"),
    ("es", "Somos una cooperativa de Villanueva de la Serena", "Villanueva de la Serena"),
    ("it", "Vi scrivo da una cooperativa di Castel San Pietro", "Castel San Pietro"),
    ("ca", "Som una associació de la Seu d'Urgell", "La Seu d'Urgell"),
    # typed without accents: the gazetteer's spelling
    ("el", "ειμαστε ενας συνεταιρισμος στα Τρικαλα με 40 μελη", "Τρίκαλα"),
    ("es", "somos una cooperativa de malaga", "Málaga"),
    # a head count before a partners word: members, and the town after them is home
    ("ca", "Som una cooperativa de 9 sòcies a Manresa i volem finançament", "Manresa"),
    ("en", "we are 14 partners in Leeds running a bakery", "Leeds"),
])
def test_the_case_keeps_the_town_named(lang, text, city):
    assert extract(text, lang).city == city


def test_partners_sought_in_a_town_are_not_home():
    assert extract("busquem sòcies a Perpinyà per vendre formatge", "ca").city is None


@pytest.mark.parametrize(("lang", "text"), [
    ("ar", "نشتغلو مع النساء، منطقة سوس"),  # a sentence, then the region: no town before it
    ("pt", "trabalhamos com mulheres, região do Algarve"),
    ("it", "siamo in una piccola frazione, provincia di Cuneo"),
])
def test_words_before_a_region_are_not_always_a_town(lang, text):
    assert town_before_region(text, lang) is None


def _opening(lang: str, text: str) -> dict[str, object]:
    chat = Conversation({"language": lang, "consent": True})
    chat.user(text, "need_funding")
    chat.validate({})
    return chat.slots()


@pytest.mark.parametrize(("lang", "text", "city", "country"), [
    # "já fez" (did) is no Fès; the town is Brazilian
    ("pt", "Sou a Júlia, da Cooperativa Mãos Dadas, em Fortaleza. Queremos um fundo "
           "rotativo e procuramos quem já fez isso", "Fortaleza", "BR"),
    # towns where they want to sell are not home, a list of them neither
    ("it", "Siamo una cooperativa di Alghero e vorremmo vendere a Barcellona e a Valencia",
     "Alghero", "IT"),
    ("es", "Somos un colectivo de artesanas y queremos vender en Lyon y en Marsella", None,
     None),
    # a district gives its city, and the city its country
    ("ca", "Som una cooperativa de consum del Poblenou i volem ampliar la botiga",
     "Barcelona", "ES"),
])
def test_home_is_where_the_message_places_the_organisation(lang, text, city, country):
    slots = _opening(lang, text)
    assert (slots.get("city"), slots.get("country")) == (city, country)


# -- the answer to "which town or region?" ----------------------------------------------------

@pytest.mark.parametrize(("lang", "text", "city"), [
    ("it", "Castelnovo ne' Monti", "Castelnovo ne' Monti"),
    ("fr", "c'est à Saint-Jean-de-Luz, au Pays basque", "Saint-Jean-de-Luz"),
    ("tr", "ankara cankaya", "Ankara"),  # a town and one of its districts: the town
    ("ar", "تافراوت، إقليم تيزنيت", "تافراوت"),
    ("es", "la ciudad es Alcoy", "Alcoy"),
    ("el", "στα Γιαννιτσα", "Γιαννιτσά"),
])
def test_a_town_answer_is_read_whole(lang, text, city):
    assert city_answer(text, lang) == city


@pytest.mark.parametrize(("lang", "text", "tagged", "city"), [
    ("pt", "Ponte de Sor", "Sor", "Ponte de Sor"),
    ("it", "Reggio nell'Emilia", "Reggio", "Reggio nell'Emilia"),
    ("es", "Nou Barris, en Barcelona", "Nou Barris", "Barcelona"),
])
def test_the_form_keeps_the_whole_answer_not_the_tagged_part(lang, text, tagged, city):
    chat = Conversation({"language": lang, "consent": True, "org_name": "Coop"})
    chat.events += [_action("intake_form"), _slot("requested_slot", "city")]
    chat.user(text, "inform", [("city", tagged)], extracted={"city": tagged})
    chat.validate({"city": tagged})
    assert chat.slots()["city"] == city


# -- corrections at the summary ---------------------------------------------------------------

@pytest.mark.parametrize(("lang", "country", "text", "tagged", "city"), [
    # the city, and a second sentence about the old value that names the region
    ("it", "IT", "il comune è Modica, non Ragusa. Ragusa è la provincia", "Modica", "Modica"),
    ("pt", "PT", "a cidade e Barcelos, nao Braga. Braga e o distrito", "Barcelos", "Barcelos"),
    ("es", "ES", "la ciudad es Écija y no Sevilla; Sevilla es la provincia", "Écija", "Écija"),
])
def test_a_city_correction_keeps_the_town_and_the_country(lang, country, text, tagged, city):
    chat = _at_the_summary(lang, country, 20000.0, "EUR")
    # The model's entity mapping may fill the country with the town: it is not a country.
    chat.user(text, "correct_answer", [("country", tagged)], extracted={"country": tagged})
    chat.run(ActionApplyCorrection())
    assert (chat.slots()["city"], chat.slots()["country"]) == (city, country)


def test_a_city_correction_to_a_known_town_of_another_country_moves_the_country():
    chat = _at_the_summary("fr", "TN", 20000.0, "EUR")
    chat.user("la ville c'est Tiznit, pas Tunis", "correct_answer")
    chat.run(ActionApplyCorrection())
    assert (chat.slots()["city"], chat.slots()["country"]) == ("Tiznit", "MA")
