"""Turkish puts the verb last: a country followed, in its clause, by a word of partners,
markets or export is where the organisation wants to go, not where it is, whatever case
ending the country carries ("'dan", "'daki", "'da") and also for the first of a list
("X ve Y'deki"). A clause that says "we are" first keeps its country as home.
"""

from __future__ import annotations

import pytest

from actions.destinations import destinations_in
from actions.places import home_countries, only_destination


@pytest.mark.parametrize(("text", "going"), [
    ("Denizli'de dokuma yapan bir kooperatifiz. Fransa ve Belçika'daki mağazalara satmak "
     "istiyoruz", ["FR", "BE"]),
    ("Mardin'de bir derneğiz; Lübnan ile Ürdün'den kadın gruplarıyla işbirliği yapmak "
     "istiyoruz", ["LB", "JO"]),
    ("İspanya'dan bir kooperatifle ortaklık kurmak istiyoruz", ["ES"]),
])
def test_a_country_before_the_destination_word_is_a_destination(text, going):
    assert destinations_in(text, "tr") == going
    assert home_countries(text, "tr") == []
    assert all(only_destination(text, code, "tr") for code in going)


@pytest.mark.parametrize(("text", "home", "going"), [
    ("Türkiye'de bir vakfız ve Yunanistan'da ortak arıyoruz", ["TR"], ["GR"]),
    ("Kıbrıs merkezli bir kooperatifiz, Mısır'a ihracat yapmak istiyoruz", ["CY"], ["EG"]),
    ("Almanya'dan geliyoruz, burada ortak arıyoruz", ["DE"], []),
])
def test_a_clause_that_says_where_we_are_keeps_its_country_home(text, home, going):
    assert home_countries(text, "tr") == home
    assert [code for code in destinations_in(text, "tr") if code not in home] == going
