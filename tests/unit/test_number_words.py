"""Head counts written in words, as entrepreneurs answer "how many members are you?"."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.intake import ValidateIntakeForm
from actions.number_words import _forms, number_in_words, table
from actions.validators import parse_positive_int
from catalog.languages import pack_file
from tests.support.trackers import make_tracker

NO_DOMAIN = cast(DomainDict, {})
LANGUAGES = ("ca", "es", "fr", "it", "pt", "el", "tr", "ar", "en")

# Answers as people write them: with and without accents, hyphens and spaces, words run
# together, the article before the number, an approximation around it.
ANSWERS = {
    "ca": [("Som vint-i-cinc socis", 25), ("trenta-dues persones", 32),
           ("som una cooperativa de dotze sòcies", 12), ("vinticinc socies, mes o menys", 25),
           ("uns dos-cents cinquanta socis", 250), ("una dotzena de persones", 12),
           ("ara mateix som trenta i una", 31), ("som nou treballadors", 9),
           ("mil dues-centes sòcies", 1200)],
    "es": [("somos unos veinticinco socios", 25), ("treinta y dos socios", 32),
           ("Somos una cooperativa de doce personas", 12),
           ("unas doscientas cincuenta socias", 250),
           ("más o menos veinte", 20), ("una docena de trabajadores", 12),
           ("veintiún socios y tres voluntarios", 21), ("dos cientos", 200),
           ("Dos mil quinientos asociados", 2500), ("veintidos", 22), ("solo uno", 1)],
    "fr": [("Nous sommes vingt-cinq associés", 25), ("on est une douzaine", 12),
           ("soixante-dix membres environ", 70), ("quatre-vingt-douze sociétaires", 92),
           ("cent vingt salariés", 120), ("à peu près soixante et onze personnes", 71),
           ("deux cents adhérents", 200), ("nous sommes une vingtaine", 20),
           ("quatre vingt dix sept coopérateurs", 97), ("dix-huit", 18)],
    "it": [("siamo venticinque soci", 25), ("trentadue soci", 32),
           ("una dozzina di persone", 12), ("circa centoventi soci lavoratori", 120),
           ("siamo in ventuno", 21), ("più o meno una cinquantina", 50),
           ("duecento soci", 200), ("ventitré", 23), ("centottanta socie", 180),
           ("duemilacinquecento", 2500)],
    "pt": [("somos vinte e cinco sócios", 25), ("trinta e duas pessoas", 32),
           ("uma dúzia de cooperantes", 12), ("cerca de cento e vinte membros", 120),
           ("somos dezasseis", 16), ("mais ou menos trezentos associados", 300),
           ("duas mil pessoas", 2000), ("vinte e tres socios", 23), ("meia duzia", 6)],
    "el": [("εμείς είμαστε δεκαπέντε μέλη", 15), ("είκοσι πέντε μέλη", 25),
           ("είμαστε περίπου τριάντα δύο άτομα", 32), ("εκατόν είκοσι εργαζόμενοι", 120),
           ("Είμαστε δεκατρεις", 13), ("μια ντουζίνα μέλη", 12),
           ("διακόσια πενήντα μέλη", 250), ("ειμαστε εικοσιενα μελη", 21),
           ("τέσσερις εργαζόμενες", 4), ("δύο χιλιάδες μέλη", 2000)],
    "tr": [("yirmi beş kişiyiz", 25), ("on iki üyemiz var", 12), ("yirmibeş kişi", 25),
           ("yaklaşık otuz ortağız", 30), ("kooperatifimizde yüz yirmi üye var", 120),
           ("biz dokuzuz", 9), ("iki bin üye", 2000), ("bir düzine kişi", 12),
           ("kirk bes", 45), ("ikiyüz elli", 250)],
    "ar": [("خمسة وعشرون عضوا", 25), ("عشرون", 20), ("نحن تسعة عشر عضوا", 19),
           ("حوالي ثلاثين عضو", 30), ("مائة وخمسون عضوا", 150), ("اثنا عشر شخصا", 12),
           ("ثلاثمائة عامل", 300), ("ألفان", 2000), ("إحدى عشرة عضوة", 11),
           ("ثلاثة آلاف وخمسمائة", 3500), ("عضو واحد", 1)],
    "en": [("twenty-five", 25), ("we are twenty five members", 25),
           ("around thirty people", 30), ("a dozen workers", 12), ("hundred and twenty", 120),
           ("one hundred and five members", 105), ("about forty, give or take", 40),
           ("two thousand five hundred members", 2500), ("half a dozen", 6),
           ("fourty", 40), ("twelve hundred", 1200)],
}

# Answers with no head count: vague amounts, refusals, the article before another noun.
NO_COUNT = [
    ("es", "no sé"), ("es", "unos cuantos"), ("es", "muchos"), ("es", "cientos de socios"),
    ("es", "somos una cooperativa"), ("en", "many"), ("en", "a lot"), ("en", "a few"),
    ("en", "we are a cooperative"), ("en", "dozens of people"), ("en", "thousands"),
    ("ca", "no ho sé"), ("ca", "som una cooperativa de Girona"), ("fr", "beaucoup"),
    ("fr", "des centaines"), ("it", "siamo in tanti"), ("it", "un'associazione"),
    ("pt", "não sei"), ("pt", "somos uma associação"), ("el", "πολλά μέλη"),
    ("el", "είμαστε ένας συνεταιρισμός"), ("tr", "çok"), ("tr", "bir kooperatifiz"),
    ("tr", "onlar bilir"), ("ar", "كثير"), ("ar", "لا أعرف"), ("ar", "عشرات الأعضاء"),
]


@pytest.mark.parametrize(("lang", "text", "expected"),
                         [(lang, text, value) for lang in LANGUAGES
                          for text, value in ANSWERS[lang]])
def test_a_head_count_written_in_words_is_read(lang: str, text: str, expected: int) -> None:
    assert number_in_words(text, lang) == expected
    assert parse_positive_int(text, lang) == expected


def test_every_language_has_six_answers_or_more() -> None:
    assert set(ANSWERS) == set(LANGUAGES)
    assert all(len(answers) >= 6 for answers in ANSWERS.values())


@pytest.mark.parametrize(("lang", "text"), NO_COUNT)
def test_no_count_is_read_where_none_is_written(lang: str, text: str) -> None:
    assert number_in_words(text, lang) is None
    assert parse_positive_int(text, lang) is None


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("ar", "٢٥", 25), ("ar", "نحن ٢٥ عضوا", 25), ("ar", "۲۵", 25), ("ar", "١٬٢٠٠", 1200),
    ("en", "around 30", 30), ("en", "more or less twenty", 20),
    ("en", "we are 12 (plus 3 volunteers)", 12), ("en", "we are 12, 3 of them volunteers", 12),
    ("es", "1.200", 1200), ("en", "1,200", 1200), ("fr", "1 200", 1200),
    ("es", "somos 2 mil socios", 2000), ("tr", "5 bin üye", 5000),
    ("es", "veinte socios y 3 voluntarios", 20),  # the first number, in words
    ("es", "una cooperativa de 12 socias", 12),  # the article is no number
    ("ca", "un projecte nou amb 12 socis", 12),  # "nou" is "new" here
    ("es", "mil gracias, somos 12", 12),
    ("es", "entre 20 y 30", 20), ("en", "20-25", 20), ("tr", "25'iz", 25),
    ("es", "we are twenty", 20),  # English words in a Spanish conversation
    ("en", "9 999 999", 9_999_999),
])
def test_the_first_number_is_the_count(lang: str, text: str, expected: int) -> None:
    assert parse_positive_int(text, lang) == expected


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "-5"), ("es", "-12 socios"), ("en", "0"), ("en", "zero"), ("es", "cero socios"),
    ("el", "μηδέν"), ("en", "2,5"), ("en", "12.5 people"), ("en", "10 000 000"),
    ("en", ""), ("tr", "sıfır"),
])
def test_negative_zero_decimal_and_too_large_are_no_count(lang: str, text: str) -> None:
    assert parse_positive_int(text, lang) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_table_word_alone_reads_as_its_value(lang: str) -> None:
    """Each unit, teen, ten and whole hundred of the pack reads alone as its own value,
    whatever it is also (an article before nothing else, a weak word with no rival)."""
    data = pack_file(lang, "fields.yml")["numbers"]
    checked = 0
    for section in ("units", "teens", "tens", "hundreds", "thousands"):
        for value, forms in (data.get(section) or {}).items():
            for form in forms:
                if not str(form).endswith("-"):
                    assert number_in_words(str(form), lang) == int(value), form
                    checked += 1
    assert checked >= 15


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_tables_give_each_form_one_meaning(lang: str) -> None:
    data = pack_file(lang, "fields.yml")["numbers"]
    seen: dict[str, str] = {}
    for section in ("units", "teens", "tens", "hundreds", "thousands", "groups"):
        for value, forms in (data.get(section) or {}).items():
            for form in _forms(forms):
                assert seen.setdefault(form, f"{section} {value}") == f"{section} {value}", form
    for section in ("hundred", "thousand", "half", "zero"):
        for form in _forms(data.get(section)):
            assert seen.setdefault(form, section) == section, form
    for section in ("plural", "articles", "weak"):  # flags on words of the table
        assert set(_forms(data.get(section))) <= set(seen), section
    assert table(lang) is not None


def test_a_language_without_a_table_reads_no_words() -> None:
    assert table("xx") is None
    assert number_in_words("veinticinco", "xx") is None


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("es", "treinta y dos socios", 32),
    ("el", "εμείς είμαστε δεκαπέντε μέλη", 15),
    ("ar", "خمسة وعشرون عضوا", 25),
    ("tr", "yirmi beş kişiyiz", 25),
    ("ca", "vint-i-cinc", 25),
])
def test_the_members_question_accepts_a_count_in_words(lang: str, text: str,
                                                       expected: int) -> None:
    tracker = make_tracker(language=lang, text=text, intent="inform",
                           slots={"requested_slot": "members", "consent": True},
                           active_loop="intake_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateIntakeForm().validate_members(text, dispatcher, tracker,
                                                                NO_DOMAIN))
    assert result == {"members": expected}
    assert dispatcher.messages == []


@pytest.mark.parametrize(("lang", "text"), [("es", "no sé"), ("fr", "beaucoup"),
                                            ("en", "we are a cooperative")])
def test_the_members_question_asks_again_when_no_count_is_written(lang: str,
                                                                  text: str) -> None:
    tracker = make_tracker(language=lang, text=text, intent="inform",
                           slots={"requested_slot": "members", "consent": True},
                           active_loop="intake_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateIntakeForm().validate_members(text, dispatcher, tracker,
                                                                NO_DOMAIN))
    assert result == {"members": None, "failed_attempts": {"members": 1}}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_invalid_number"]
