"""A sum of money the organisation needs, read in the nine languages (nlu/money_need.py).

A first message that states a sum and what it is for ("we want to buy two cargo bikes,
about 14k euros") is a funding need even when the rest of it is an introduction; a sum
said in passing (a turnover, a budget, members counted in thousands) is not. The
sentences here are written for the test, not taken from the replay corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.money_need import states_money_need

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", [
    "Som un forn cooperatiu de Lleida i ens falten uns 15.000 € per al forn nou",
    "volem comprar una furgoneta elèctrica, uns 28 mil euros",
    "buenas, somos una asociación de Cuenca y nos harían falta 9.000 euros para la cocina",
    "queremos adquirir un tractor que cuesta unos 40.000€",
    "Bonjour, épicerie solidaire à Lyon, il nous manque 25 000 € pour la chambre froide",
    "on voudrait acheter un camion, environ 30k€",
    "Siamo una cooperativa sociale di Trento, ci servono 50 mila euro per il laboratorio",
    "vorremmo comprare un forno professionale da 12.000 euro",
    "Somos uma associação de Braga e precisamos de cerca de 15 mil euros para a carrinha",
    "queremos comprar painéis solares, uns 22.500 €",
    "Είμαστε συνεταιρισμός στην Κρήτη και χρειαζόμαστε 60.000 ευρώ για νέο ελαιοτριβείο",
    "θέλουμε να αγοράσουμε ένα φορτηγάκι, γύρω στα 25 χιλιάδες ευρώ",
    "Konya'da bir kadın kooperatifiyiz, yeni makineler almak için 300 bin TL'ye ihtiyacımız var",
    "bir soğuk hava deposu kurmak için yaklaşık 40.000 avro lazım",
    "نحن جمعية في سوسة ونحتاج حوالي 30 ألف دينار لشراء معدات",
    "بغينا نشريو آلة ديال التغليف ب ٨٠ ألف درهم",
    "We're a community bakery in Leeds and we're about £18,000 short for a new oven",
    "we want to buy two e-cargo bikes, roughly 14k euros",
    "for the new roof we would need half a million euros",
    "necesitamos unos 20 mil para comprar una furgoneta",
])
def test_a_sum_beside_a_need_or_a_purchase_is_a_money_need(text: str) -> None:
    assert states_money_need(text)


@pytest.mark.parametrize("text", [
    "somos una cooperativa con una facturación de 1,2 millones de euros",
    "nous avons un budget annuel de 80 000 € et 12 salariés",
    "siamo 2 mila soci e ci serve una consulenza legale",
    "we need partners in Greece for a project on olive oil",
    "o ano passado vendemos 40 mil euros de compotas",
    "πέρσι είχαμε τζίρο 90.000 ευρώ",
    "geçen yıl 2 milyon TL ciro yaptık",
    "رقم معاملاتنا السنة الماضية كان 500 ألف درهم",
    "we are 3 thousand members and need advice on governance",
    # the need and the sum in different sentences
    "We need advice on our statutes. Last year we earned 50.000 euros.",
    # "Costa" is a coast here, not "it costs"
    "cooperativa de pescadors de la Costa Brava amb 300.000 euros de facturació",
    "",
])
def test_a_sum_in_passing_or_a_need_without_a_sum_is_not(text: str) -> None:
    assert not states_money_need(text)


def test_every_pack_lists_its_need_words() -> None:
    """Each language's words are read from its pack: a new pack without them reads nothing."""
    for terms in sorted((ROOT / "nlu").glob("*/terms.yml")):
        money = yaml.safe_load(terms.read_text(encoding="utf-8"))["money"]
        assert money.get("need"), f"{terms.parent.name}: money.need is empty"
