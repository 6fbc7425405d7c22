"""The case holds what was said, through the real stack: corrections at the summary change the
field the user names, destinations are not the home country but a field of their own,
refusals are not stored, and "no, but..." to the consent question is a no and a request."""

from __future__ import annotations

import pytest

from tests.e2e.test_intake import Chat, _case, _text

pytestmark = pytest.mark.e2e

GREEK = {
    "consent": "/affirm",
    "org_name": "Κοινωνική Συνεταιριστική Επιχείρηση «Αλληλεγγύη» ΚοινΣΕπ",
    "legal_form": '/inform{"legal_form": "social_enterprise"}',
    "country": "Ελλάδα",
    "city": "Θεσσαλονίκη",
    "sector": '/inform{"sector": "tourism"}',
    "members": "8",
    "stage": '/inform{"stage": "growing"}',
    "website": "/skip_question",
    "need_category": '/inform{"need_category": "funding"}',
    "need_description": "ένα βαν για τις εκδρομές",
    "amount": "270 χιλ. ευρω",
    "timeline": '/inform{"timeline": "3_months"}',
    "contact_name": "Γιώργος Παπαδόπουλος, ειμαι ο προεδρος του ΔΣ",
    "email": "giorgos@allileggyi.example.org",
    "phone": "6901234567",
}


def test_greek_corrections_change_the_named_field_and_the_phone_is_normalised(stack):
    chat = Chat(stack, "el")
    chat.say("Γεια σας, είμαστε μια Κοινωνική Συνεταιριστική Επιχείρηση στη Θεσσαλονίκη "
             "και χρειαζόμαστε χρηματοδότηση")
    chat.answer_all(GREEK)
    assert chat.summary_shown(), chat.last
    summary = chat.last["replies"][0]["text"]
    assert "ειμαι ο προεδρος" not in summary  # the job title is not part of the name
    chat.say("το ονομα μου ειναι Γιώργος Μανωλάκης")
    chat.say("το τηλέφωνο είναι 690 765 4321")
    assert chat.summary_shown(), chat.last
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert (case.org_name, case.contact_name, case.phone) == (
        GREEK["org_name"], "Γιώργος Μανωλάκης", "+306907654321")


CATALAN = {
    "consent": "/affirm",
    "org_name": "Ens diem Formatgeria La Garrotxa de Treball SCCL, fem formatges artesans",
    "legal_form": '/inform{"legal_form": "cooperative"}',
    "country": "Espanya",
    "city": "Girona",
    "sector": '/inform{"sector": "agrifood"}',
    "members": "12",
    "stage": '/inform{"stage": "growing"}',
    "website": "/skip_question",
    "need_category": '/inform{"need_category": "partners"}',
    "need_description": "Busquem cooperatives a Itàlia per vendre formatge",
    "discoverable": "/deny",
    "timeline": '/inform{"timeline": "12_months"}',
    "contact_name": "Marta Puig",
    "email": "marta@garrotxa.example.org",
    "phone": "/skip_question",
}


def test_catalan_partners_abroad_are_not_the_home_country_and_a_name_is_asked_about(stack):
    chat = Chat(stack, "ca")
    chat.say("Som una cooperativa de Girona i busquem socis d'Italia o de França per a un "
             "projecte de cooperació")
    chat.answer_all(CATALAN)
    assert chat.summary_shown(), chat.last
    # Girona gives Spain (or the country is asked); France, where partners are sought, is
    # never taken as the cooperative's own country.
    summary = "\n".join(r["text"] for r in chat.last["replies"])
    lines = summary.splitlines()
    assert not any(line.startswith("País") and "França" in line for line in lines), summary
    assert "country" in chat.asked or "Espanya" in summary, summary
    # ...but it is kept as where the cooperative wants to go, with Italy.
    going = next(line for line in lines if line.startswith("Destinacions"))
    assert "Itàlia" in going and "França" in going, summary
    chat.say("l'organització es diu \"La Garrotxa\" SCCL")
    chat.say("som de Catalunya, a Espanya")
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert case is not None
    assert (case.org_name, case.country, case.city, case.contact_name) == (
        '"La Garrotxa" SCCL', "ES", "Girona", "Marta Puig")
    assert case.destinations == ["IT", "FR"]


def test_an_italian_refusal_is_not_stored_as_the_organisation(stack):
    chat = Chat(stack, "it")
    chat.say("abbiamo bisogno di un prestito per la nostra cooperativa")
    chat.say("/affirm")
    assert chat.question() == "org_name"
    replies = chat.say("no no, non voglio una nuova richiesta")
    assert chat.question() == "org_name"  # asked again: nothing was stored
    assert chat.last["replies"][0]["buttons"][0]["payload"] == "/stop_form"
    assert len(replies) == 2
    chat.say("/stop_form")
    assert _case(stack, chat.id) is None


@pytest.mark.parametrize(("lang", "need", "no_but"), [
    ("en", "we need a loan for our cooperative", "no, but can we just see the partners?"),
    ("es", "necesitamos un préstamo para la cooperativa", "no, pero ¿podemos ver los eventos?"),
])
def test_no_but_to_the_consent_is_a_no_and_a_request(stack, lang, need, no_but):
    chat = Chat(stack, lang)
    chat.say(need)
    assert chat.question() == "consent"
    replies = chat.say(no_but)
    assert replies[0] == _text(lang, "utter_consent_declined")
    assert len(replies) > 1  # what was asked for is shown at once
    assert chat.question() is None
    chat.say("what events are coming up?" if lang == "en" else "¿qué eventos hay?")
    assert chat.question() is None  # browsing never brings the consent question back
