"""Messages the assistant must not handle alone are spotted in every language, and only those."""

from __future__ import annotations

import pytest
import yaml

from bot.core.sensitive import LEXICON, load_sensitive
from catalog.vocabulary import LANGUAGES

SENSITIVE = {
    "en": ["I want to file a complaint about your adviser", "We will take you to court",
           "My partner threatens me", "I feel like I want to end my life",
           "we got scammed by a supplier", "is this a scam?"],
    "es": ["Quiero poner una queja formal", "Nuestro abogado os escribirá",
           "Sufro acoso en la cooperativa"],
    "ca": ["Vull presentar una queixa", "El nostre advocat us escriurà",
           "Pateixo assetjament a la feina"],
    "fr": ["Je veux porter plainte", "Notre avocat va vous contacter",
           "Je subis du harcèlement"],
    "it": ["Voglio fare un reclamo", "Il nostro avvocato vi contatterà",
           "Subisco molestie sul lavoro"],
    "pt": ["Quero apresentar uma queixa", "O nosso advogado vai contactar-vos",
           "Sofro assédio no trabalho"],
    "el": ["Θέλω να κάνω καταγγελία", "Ο δικηγόρος μας θα σας γράψει",
           "Δέχομαι απειλές"],
    "tr": ["Şikayet etmek istiyorum", "Avukatımız size yazacak", "Tehdit ediliyorum"],
    "ar": ["أريد تقديم شكوى", "سيتواصل معكم محامينا", "أتعرض للتحرش في العمل",
           "رفعنا دعوى على الشريك وبالمحكمة قالوا ننتظر", "نشتكي من المعاملة", "تعرضنا للاحتيال"],
}
ORDINARY = {
    "en": ["We need a loan for our cooperative", "What is the legal form of a mutual?",
           "There is an issue with the form", "Which events are coming up?"],
    "es": ["Necesitamos un préstamo", "Buscamos socios en Italia", "¿Cuál es la demanda?"],
    "ca": ["Busquem sòcies a Itàlia", "Som una cooperativa de Girona"],
    "fr": ["Nous cherchons un financement", "Le processus d'internationalisation"],
    "it": ["Il processo di internazionalizzazione", "Ci dava una mano il comune",
           # "scambio" (an exchange) begins with the letters of the English "scam".
           "Vorremmo uno scambio di esperienze con cooperative greche"],
    "pt": ["Precisamos de um empréstimo", "O processo de candidatura"],
    "el": ["Χρειαζόμαστε χρηματοδότηση", "Είμαστε συνεταιρισμός"],
    "tr": ["Sizi etkinliğe davet ediyoruz", "Kooperatifimiz için kredi arıyoruz"],
    "ar": ["نحتاج قرضا لتعاونيتنا", "نبحث عن شركاء في إيطاليا",
           # Darija "who" (شكون) and "a post" (منصب) hold a complaint's and a fraud's letters.
           "بغينا نعرفو كيفاش نصيفطو الزرابي لأوروبا، شنو الوثائق، وشكون يقدر يعاونا",
           "نبحث عن منصب مدير للتعاونية"],
}


@pytest.fixture(scope="module")
def is_sensitive():
    return load_sensitive()


def test_every_language_has_stems():
    data = yaml.safe_load(LEXICON.read_text("utf-8"))
    assert set(data) == set(LANGUAGES)
    assert all(len(stems) >= 10 for stems in data.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_complaints_disputes_and_distress_are_spotted(is_sensitive, lang):
    for text in SENSITIVE[lang]:
        assert is_sensitive(text, lang), text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ordinary_requests_are_not(is_sensitive, lang):
    for text in ORDINARY[lang]:
        assert not is_sensitive(text, lang), text
