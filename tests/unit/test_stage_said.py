"""The stage the case holds is the one the user means, negations and wishes included.

"no estamos creciendo todavía" (not growing yet) is the stage before growing; "we have no
idea how to export" says no stage at all; "we want to launch a shop" is still an idea. An
opening that names a stage without settling it leaves the question to be asked. The
sentences are not the corpus's (tests/corpora is the measurement).
"""

from __future__ import annotations

import pytest

from actions.durations import read_stage, stage_said
from actions.extraction import extract
from tests.support.intake_turns import Chat


@pytest.mark.parametrize(("lang", "text", "stage"), [
    # not … yet: the stage before
    ("es", "todavía no estamos creciendo, vamos tirando", "starting"),
    ("ca", "encara no estem consolidats, però creixem a poc a poc", "growing"),
    ("fr", "nous ne sommes pas encore lancés", "idea"),
    ("fr", "on ne grandit pas encore vraiment", "starting"),
    ("it", "non siamo ancora partiti davvero", "idea"),
    ("pt", "ainda não estamos a crescer", "starting"),
    ("it", "non stiamo ancora crescendo come vorremmo", "starting"),
    ("pt", "ainda não arrancámos com a loja", "idea"),
    ("el", "δεν αναπτυσσόμαστε ακόμη, μόλις ξεκινήσαμε", "starting"),
    ("tr", "henüz büyüme aşamasında değiliz, yeni kurulduk", "starting"),
    ("ar", "لسه مش بنكبر، يالله بدينا", "starting"),
    ("en", "we are not established yet, we opened two years ago", "growing"),
    # a denied stage without "yet" says nothing: the age decides
    ("es", "no estamos creciendo, llevamos quince años igual", "consolidated"),
])
def test_a_denied_stage_with_yet_is_the_stage_before(lang, text, stage):
    assert read_stage(text, lang) == stage


@pytest.mark.parametrize(("lang", "text"), [
    ("es", "no tenemos ni idea de cómo exportar"),
    ("fr", "nous n'avons aucune idée des démarches"),
    ("it", "non ho idea di quali documenti servano"),
    ("el", "δεν έχουμε ιδέα από επιδοτήσεις"),
    ("ar", "ما عندناش فكرة على التمويل"),
    ("ar", "معندناش فكرة كيف نصدر"),
    ("en", "we have no idea where to start"),
])
def test_no_idea_is_no_stage(lang, text):
    found = extract(text, lang)
    assert read_stage(text, lang) is None
    assert (found.stage, "stage" in found.unsure) == (None, True)


@pytest.mark.parametrize(("lang", "text", "stage"), [
    ("es", "queremos poner en marcha una cooperativa de cuidados", "idea"),
    ("it", "vorremmo avviare un forno di comunità", "idea"),
    ("ca", "voldríem posar en marxa un menjador escolar", "idea"),
    ("es", "ya estamos en marcha desde marzo", "starting"),  # not a wish: started
    ("it", "stiamo crescendo, non siamo più un'idea", "growing"),
])
def test_a_start_that_is_wanted_is_an_idea(lang, text, stage):
    assert read_stage(text, lang) == stage


def test_an_opening_gives_a_stage_only_when_it_says_one():
    assert stage_said("abbiamo tre anni e stiamo crescendo", "it") == "growing"
    assert stage_said("we need a loan over five years", "en") is None  # years: no stage
    # two stages said: an opening does not settle it; an answer to the question takes the
    # latest ("we started last year and are growing already": growing)
    both = "vam començar l'any passat i ja estem creixent"
    assert (stage_said(both, "ca"), read_stage(both, "ca")) == (None, "growing")


# -- through the form's validator -----------------------------------------------------------

def test_no_idea_in_the_opening_is_not_a_stage_even_when_the_model_tagged_one():
    chat = Chat("it")
    slots = chat.opening("Buongiorno, siamo la cooperativa Mare Chiaro di Bari e non abbiamo "
                         "idea di come partecipare a una fiera in Spagna",
                         "need_internationalisation", entities=[("stage", "idea")],
                         mapped={"stage": "idea"})
    assert slots["stage"] is None


def test_a_negated_stage_answer_is_read_whatever_the_model_tagged():
    chat = Chat("es", consent=True, org_name="Coop Sur", legal_form="cooperative",
                country="ES", city="Cádiz", sector="agrifood", members=6)
    chat.asked("stage")
    slots = chat.answer("no estamos creciendo todavía", entities=[("stage", "growing")],
                        mapped={"stage": "growing"})
    assert slots["stage"] == "starting"


def test_a_launch_wanted_in_the_opening_prefills_an_idea():
    chat = Chat("ca")
    slots = chat.opening("Hola, som una associació de Manresa i volem posar en marxa un "
                         "banc de temps, necessitem assessorament", "need_consultancy",
                         entities=[("stage", "starting")], mapped={"stage": "starting"})
    assert slots["stage"] == "idea"


def test_no_idea_as_the_answer_to_the_stage_question_is_not_the_idea_stage():
    chat = Chat("it", consent=True, org_name="Coop", legal_form="cooperative", country="IT",
                city="Lecce", sector="services", members=5)
    chat.asked("stage")
    slots = chat.answer("boh, non ne ho proprio idea", entities=[("stage", "idea")],
                        mapped={"stage": "idea"})
    assert slots["stage"] is None  # asked again, with what an answer could look like
