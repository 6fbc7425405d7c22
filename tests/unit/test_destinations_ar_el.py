"""Countries named in Arabic with a particle attached, and in Greek in any case, are read.

Arabic writes و, ف, ب, ل and ك onto the next word ("في فرنسا وإيطاليا", "التصدير لفرنسا",
"مقرنا بالمغرب", "للمغرب"); Greek declines the name ("της Ιταλίας", "στον Λίβανο", "του
Μαρόκου"). Both are read as the home country and as destinations, and a word that only
starts like a particle, or a Greek ending of another country, names nothing.
"""

from __future__ import annotations

import pytest
from babel import Locale

from actions.destinations import destinations_in
from actions.extraction import COUNTRY_CODES, country_code, country_names, extract, fold
from actions.name_forms import detach_particles, greek_forms, phrase_index
from actions.places import countries_in, home_countries
from actions.validators import parse_country
from tests.unit.test_destinations import _in_the_form

# (sentence, home countries, destinations)
ARABIC = [
    ("نبحث عن شركاء في فرنسا وإيطاليا", [], ["FR", "IT"]),
    ("نريد التصدير لفرنسا", [], ["FR"]),
    ("نبحث عن أسواق بفرنسا وبإسبانيا", [], ["FR", "ES"]),
    ("نبحث عن شركاء للمغرب وللأردن", [], ["MA", "JO"]),
    ("نصدر زيت الزيتون للبنان وليبيا ولليبيا أيضا", [], ["LB", "LY"]),
    ("نحن جمعية من تونس ونبحث عن شركاء في إيطاليا والمغرب", ["TN"], ["IT", "MA"]),
    ("نحن في المغرب", ["MA"], []),
    ("مقرنا بالمغرب ونبحث عن شركاء في فرنسا والبرتغال", ["MA"], ["FR", "PT"]),
    ("نحن تعاونية نبحث عن شركاء في إسبانيا، مقرنا بالجزائر", ["DZ"], ["ES"]),
    ("نحن من الأردن ونبحث عن شراكات بلبنان وفلسطين", ["JO"], ["LB", "PS"]),
    ("نحن في الجزائر ونريد التوسع بتركيا واليونان", ["DZ"], ["TR", "GR"]),
    ("نبحث عن شراكات بالولايات المتحدة وبالمملكة المتحدة", [], ["US", "GB"]),
    ("تعاونية نسائية من فلسطين، ونبحث عن أسواق لمنتجاتنا بمصر وبلجيكا", ["PS"], ["EG", "BE"]),
    # "expanding" (توسيع) a programme to a country names where it goes, not where it is
    ("مقرنا في تونس ونسعى إلى توسيع خدماتنا بليبيا", ["TN"], ["LY"]),
    ("نحن جمعية في إربد ونريد توسيع نشاطنا إلى سوريا", [], ["SY"]),
]

# (sentence, home countries, destinations)
GREEK = [
    ("είμαστε από την Κύπρο και ψάχνουμε εταίρους στην Ιταλία και στον Λίβανο",
     ["CY"], ["IT", "LB"]),
    ("ΕΙΜΑΣΤΕ ΑΠΟ ΤΗΝ ΚΥΠΡΟ ΚΑΙ ΨΑΧΝΟΥΜΕ ΕΤΑΙΡΟΥΣ ΣΤΗΝ ΙΤΑΛΙΑ ΚΑΙ ΣΤΟΝ ΛΙΒΑΝΟ",
     ["CY"], ["IT", "LB"]),
    ("ψαχνουμε εταιρους στη γαλλια και στο μαροκο", [], ["FR", "MA"]),
    ("ψάχνουμε εταίρους στην Τυνησία και στην Αίγυπτο", [], ["TN", "EG"]),
    ("συνεργασία με φορείς της Πορτογαλίας και της Τουρκίας", [], ["PT", "TR"]),
    ("είμαστε από την Ισπανία και θέλουμε εξαγωγές στην Κύπρο", ["ES"], ["CY"]),
    ("είμαστε από το Μαρόκο", ["MA"], []),
    ("Ο συνεταιρισμός μας είναι στον Λίβανο", ["LB"], []),
    ("ψάχνουμε εταίρους, είμαστε στο Βέλγιο", ["BE"], []),
    ("εξαγωγές προς τις Ηνωμένες Πολιτείες και τη Βόρεια Μακεδονία", [], ["US", "MK"]),
    ("αναζητούμε αγορές της Ιορδανίας και της Σερβίας", [], ["JO", "RS"]),
    ("ερχόμαστε από την Ελλάδα και ψάχνουμε συνεργάτες του Μαρόκου και της Αλγερίας",
     ["GR"], ["MA", "DZ"]),
    ("επέκταση στην Αίγυπτο, τον Λίβανο και την Κύπρο", [], ["EG", "LB", "CY"]),
]


@pytest.mark.parametrize(("text", "home", "going"), ARABIC)
def test_arabic_countries_with_attached_particles(text: str, home: list[str],
                                                   going: list[str]) -> None:
    assert destinations_in(text, "ar") == going
    assert home_countries(text, "ar") == home


@pytest.mark.parametrize(("text", "home", "going"), GREEK)
def test_greek_countries_in_every_case(text: str, home: list[str], going: list[str]) -> None:
    assert destinations_in(text, "el") == going
    assert home_countries(text, "el") == home


@pytest.mark.parametrize(("text", "code"), [
    ("بالمغرب", "MA"), ("للمغرب", "MA"), ("والجزائر", "DZ"), ("بفرنسا", "FR"),
    ("فلبنان", "LB"), ("كتونس", "TN"), ("بالولايات المتحدة", "US"), ("لبنان", "LB"),
    ("Ιταλίας", "IT"), ("ΚΥΠΡΟΥ", "CY"), ("του Λιβάνου", "LB"), ("Αιγύπτου", "EG"),
    ("Βελγίου", "BE"), ("Ελβετίας", "CH"), ("της Βουλγαρίας", "BG"),
])
def test_a_country_answer_with_a_particle_or_a_case_is_the_country(text: str,
                                                                   code: str) -> None:
    assert parse_country(text) == code or country_code(text) == code


@pytest.mark.parametrize(("lang", "text", "code"), [
    ("ar", "نحن جمعية نسائية مقرنا بالمغرب", "MA"),
    ("ar", "تعاونية فلاحية وتونس بلدنا", "TN"),
    ("el", "Είμαστε ένας συνεταιρισμός της Κύπρου", "CY"),
    ("el", "μια ομάδα γυναικών από τον Λίβανο", "LB"),
])
def test_the_extraction_reads_the_country(lang: str, text: str, code: str) -> None:
    assert extract(text, lang).country == code


@pytest.mark.parametrize("text", [
    "بنات وأولاد في المدرسة",          # ب، و before words that are no country
    "لدينا كتاب وفرنسية ولبنانية",      # adjectives: French, Lebanese (feminine)
    "وجزائر البليار جميلة",             # "and the islands": the bare word after a particle
    "نغلق وبمغرب كل يوم",               # "مغرب" without its article after particles
    "فرنسيون ولبنانيون ومغاربة",        # peoples, not countries
    "بتونسي ولتركي",                    # a person from Tunisia, Turkey
])
def test_arabic_words_that_only_start_with_a_particle_name_no_country(text: str) -> None:
    assert countries_in(text) == []


@pytest.mark.parametrize("text", [
    "Ιταλοί και Γάλλοι συνεργάτες",         # peoples
    "ιταλικά και γαλλικά προϊόντα",         # adjectives
    "ελληνικό λάδι για την αγορά",
    "λιβανέζικη κουζίνα",
])
def test_greek_words_near_a_country_name_are_no_country(text: str) -> None:
    assert countries_in(text) == []


def test_every_country_is_read_in_every_greek_case_and_names_only_itself() -> None:
    names = country_names()
    greek = Locale.parse("el").territories
    for code in COUNTRY_CODES:
        nominative = fold(greek[code])
        forms = greek_forms(nominative) | {nominative}
        assert {names[form] for form in forms} == {code}, (code, forms)
        genitive = max(forms, key=lambda f: (f.endswith(("σ", "ου", "ων")), len(f)))
        assert destinations_in(f"ψάχνουμε εταίρους {genitive.upper()}", "el") == [code]
    # Λιβύη and Λίβανος, Μαυριτανία and Μαυροβούνιο stay apart in every case.
    assert {names[f] for f in ("λιβυη", "λιβυησ")} == {"LY"}
    assert {names[f] for f in ("λιβανοσ", "λιβανο", "λιβανου")} == {"LB"}
    assert {names[f] for f in ("μαυριτανια", "μαυριτανιασ")} == {"MR"}
    assert {names[f] for f in ("μαυροβουνιο", "μαυροβουνιου")} == {"ME"}


def test_greek_forms_of_a_nominative() -> None:
    assert greek_forms("ιταλια") == {"ιταλιασ"}
    assert greek_forms("λιβανοσ") == {"λιβανο", "λιβανου"}
    assert greek_forms("μαροκο") == {"μαροκου"}
    assert greek_forms("βορεια μακεδονια") == {"βορειασ μακεδονιασ"}
    assert greek_forms("ηνωμενεσ πολιτειεσ") == {"ηνωμενων πολιτειων"}
    assert greek_forms("ισραηλ") == set()


def test_detaching_keeps_every_position_and_needs_a_phrase_after_the_particle() -> None:
    index = phrase_index(("السودان", "العراق", "تونس"))
    for text, expected in [
        ("شركاء بالسودان والعراق", "شركاء  السودان  العراق"),
        ("للعراق", "العراق"),            # ل + العراق: the article's alif comes back
        ("وتونسي", "وتونسي"),            # "and a Tunisian": no name ends there
        ("بنات", "بنات"),
    ]:
        detached = detach_particles(text, index)
        assert detached == expected and len(detached) == len(text)


@pytest.mark.parametrize(("lang", "text", "home", "going"), [
    ("el", GREEK[0][0], "CY", ["IT", "LB"]),
    ("ar", ARABIC[5][0], "TN", ["IT", "MA"]),
    ("ar", ARABIC[7][0], "MA", ["FR", "PT"]),
    ("el", "ψάχνουμε εταίρους στην Ιταλία. Είμαστε από την Κύπρο", "CY", ["IT"]),
])
def test_the_intake_fills_home_and_destinations(lang: str, text: str, home: str,
                                                going: list[str]) -> None:
    chat = _in_the_form(lang, text)
    chat.validate({})
    assert chat.slots().get("destinations") == going
    assert chat.slots().get("country") == home
