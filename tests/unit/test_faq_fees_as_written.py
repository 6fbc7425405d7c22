"""The fee question as people type it: SMS French ("c combien ?"), "vous prenez combien",
"do u charge": a plain question about fees, answered, not a need."""

from __future__ import annotations

import pytest

from nlu.faq import FaqMatcher

MATCHER = FaqMatcher.load()


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "c combien pour etre accompagnés ?"),
    ("fr", "vous prenez combien pour monter un dossier ?"),
    ("fr", "combien vous facturez l'heure de conseil ?"),
    ("fr", "bonjour, vous demandez combien aux associations ?"),
    ("en", "do you charge small charities anything?"),
    ("en", "how much do u charge for the mentoring?"),
])
def test_the_fee_question_as_written(lang, text):
    assert MATCHER.topic(text, lang) == "fees"


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "on est combien dans le groupe ?"),
    ("fr", "combien de salariés faut-il pour être une SCOP ?"),
])
def test_other_questions_with_combien_are_not_about_fees(lang, text):
    assert MATCHER.topic(text, lang) != "fees"


# Questions about what our help, events and stands cost...
@pytest.mark.parametrize("lang,text", [
    ("en", "how much does it cost?"),
    ("en", "is this service free?"),
    ("en", "how much do you charge?"),
    ("en", "how much is a consultation?"),
    ("en", "what's the price of the consultancy?"),
    ("en", "what is the cost of registration for the forum?"),
    ("en", "how much is the stand?"),
    ("en", "how much does a broker cost?"),
    ("en", "is it free to register for the fair?"),
    ("en", "what does it cost?"),
    ("en", "how much would the support cost us?"),
    ("es", "¿cuánto cuesta una asesoría?"),
    ("es", "¿cuánto cuesta el servicio?"),
    ("es", "¿es gratis?"),
    ("es", "¿cuánto cuesta?"),
    ("es", "¿cuánto cobráis?"),
    ("es", "¿cuál es el precio de la inscripción?"),
    ("ca", "quant costa l'assessorament?"),
    ("ca", "és gratuït?"),
    ("ca", "quant cobreu?"),
    ("ca", "quin és el preu de la inscripció a la fira?"),
    ("fr", "combien coûte une consultation ?"),
    ("fr", "c'est gratuit ?"),
    ("fr", "combien ça coûte ?"),
    ("fr", "quel est le prix de l'accompagnement ?"),
    ("fr", "le prix du stand ?"),
    ("it", "quanto costa la consulenza?"),
    ("it", "è gratis?"),
    ("it", "quanto costa?"),
    ("it", "qual è il prezzo dell'iscrizione?"),
    ("pt", "quanto custa o serviço?"),
    ("pt", "é grátis?"),
    ("pt", "quanto custa?"),
    ("pt", "qual é o preço da inscrição?"),
    ("el", "πόσο κοστίζει η συμβουλευτική;"),
    ("el", "είναι δωρεάν;"),
    ("el", "πόσο κοστίζει;"),
    ("el", "ποια είναι η τιμή της εγγραφής;"),
    ("tr", "bu hizmet kaç para?"),
    ("tr", "ücretli mi?"),
    ("tr", "bu kaç para?"),
    ("tr", "danışmanlık ücreti ne kadar?"),
    ("tr", "kayıt ücreti ne kadar?"),
    ("ar", "كم سعر الاستشارة؟"),
    ("ar", "هل الخدمة مجانية؟"),
    ("ar", "كم التكلفة؟"),
    ("ar", "هل هناك رسوم؟"),
    ("ar", "بقداش؟"),
])
def test_questions_about_our_fees_get_the_fees_answer(lang, text):
    assert MATCHER.topic(text, lang) == "fees"


# ... and what other things cost (a coffee, gold, 3 times 4) are not about our fees: the
# fees answer ("talking to me is free") would not answer them.
@pytest.mark.parametrize("lang,text", [
    ("en", "how much is a pizza in Rome?"),
    ("en", "how much does a coffee cost?"),
    ("en", "what's the price of gold?"),
    ("en", "where can i get free wifi?"),
    ("en", "what is 7 times 8?"),
    ("es", "¿cuánto cuesta un café?"),
    ("es", "¿cuánto vale una casa en Madrid?"),
    ("es", "¿cuánto es 3 por 4?"),
    ("ca", "quant costa un cafè?"),
    ("fr", "combien coûte une baguette ?"),
    ("fr", "quel est le prix de l'essence ?"),
    ("it", "quanto costa una pizza?"),
    ("it", "quanto costa il biglietto del treno?"),
    ("pt", "quanto custa um café?"),
    ("pt", "qual é o preço do ouro?"),
    ("el", "πόσο κάνει ένας καφές;"),
    ("el", "πόσο κοστίζει ένα αυτοκίνητο;"),
    ("tr", "bir kahve kaç para?"),
    ("tr", "altının fiyatı ne kadar?"),
    ("ar", "كم سعر القهوة؟"),
    ("ar", "كم ثمن السيارة؟"),
    ("es", "¿cuánto vale el bitcoin?"),
    ("fr", "tu as vu le Grand Prix de F1 ?"),
    ("ar", "كم سعرة حرارية في الخبز؟"),
])
def test_the_price_of_other_things_is_not_a_question_about_our_fees(lang, text):
    assert MATCHER.topic(text, lang) != "fees"
