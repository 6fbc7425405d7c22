"""Where the organisation wants to go is a field of the case (issue 17): read from what the
user says in nine languages, kept apart from home, shown and corrected at the summary,
saved, in the brief and the export, and ranking what is located there first.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from actions.destinations import destinations_in
from actions.intake_summary import ActionApplyCorrection, ActionShowSummary
from catalog.brief import summary
from catalog.cases import brief, export
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.matching.explain import explain
from catalog.matching.need import Need
from catalog.matching.partners import find_partners
from catalog.models import Case, Conversation
from tests.unit.test_intake_amounts import Conversation as Chat
from tests.unit.test_intake_amounts import _action, _at_the_summary, _slot

GIRONA = "Som una cooperativa de Girona i busquem socis d'Italia o de França"


@pytest.mark.parametrize(("lang", "text", "codes"), [
    ("ca", GIRONA, ["IT", "FR"]),
    ("ca", "busquem socis a Itàlia", ["IT"]),
    ("es", "somos de Zaragoza y queremos exportar a Francia", ["FR"]),
    ("fr", "nous cherchons des partenaires en Italie", ["IT"]),
    ("it", "cerchiamo partner in Francia e in Tunisia", ["FR", "TN"]),
    ("pt", "procuramos parceiros em Itália", ["IT"]),
    ("el", "ψάχνουμε εταίρους στην Ιταλία", ["IT"]),
    ("tr", "İtalya'da ortaklar arıyoruz", ["IT"]),
    ("ar", "شركاء في إيطاليا", ["IT"]),
    ("en", "partners in Italy", ["IT"]),
    ("en", "we are looking for buyers, ideally partners in Marseille", ["FR"]),
])
def test_destinations_are_read_in_every_language(lang, text, codes):
    assert destinations_in(text, lang) == codes


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "we are based in Italy"), ("ca", "som de França"), ("ar", "نحن من تونس"),
])
def test_home_is_no_destination(lang, text):
    assert destinations_in(text, lang) == []


def _in_the_form(lang: str, text: str, intent: str = "search_partners") -> Chat:
    chat = Chat({"language": lang, "consent": True})
    chat.events += [_action("intake_form"), _slot("requested_slot", "org_name")]
    chat.user(text, intent)
    return chat


@pytest.mark.parametrize(("lang", "text", "codes"), [
    ("ca", GIRONA, ["IT", "FR"]),
    ("ar", "نبحث عن شركاء في إيطاليا", ["IT"]),
    ("el", "ψάχνουμε εταίρους στην Ιταλία και τη Γαλλία", ["IT", "FR"]),
])
def test_the_intake_keeps_the_destinations_and_not_as_home(lang, text, codes):
    chat = _in_the_form(lang, text)
    chat.validate({})
    assert chat.slots().get("destinations") == codes
    assert chat.slots().get("country") not in codes


def test_a_later_message_adds_destinations_without_dropping_any():
    chat = _in_the_form("en", "we look for partners in Italy")
    chat.validate({})
    chat.user("and also customers in Portugal", "inform")
    chat.validate({})
    assert chat.slots()["destinations"] == ["IT", "PT"]


@pytest.mark.parametrize(("lang", "label", "names"), [
    ("ca", "Destinacions", "Itàlia, França"),
    ("ar", "الوجهات", "إيطاليا، فرنسا"),
    ("en", "Destinations", "Italy, France"),
])
def test_the_summary_shows_the_destinations(lang, label, names):
    chat = _at_the_summary(lang, "ES", 0, "EUR")
    chat.events.append(_slot("destinations", ["IT", "FR"]))
    chat.user("/affirm", "affirm")
    _, messages = chat.run(ActionShowSummary())
    text = messages[0]["summary"]
    line = next(x for x in text.splitlines() if label in x)
    for name in names.split("، " if lang == "ar" else ", "):
        assert name in line
    assert "España" not in line and "Espanya" not in line


@pytest.mark.parametrize(("lang", "text", "codes"), [
    ("en", "partners in Portugal, not Italy", ["FR", "PT"]),
    ("ca", "socis a Portugal, no a Itàlia", ["FR", "PT"]),
    ("ar", "الوجهات: البرتغال", ["PT"]),
    ("es", "destinos: Portugal y Marruecos", ["PT", "MA"]),
])
def test_the_destinations_are_corrected_at_the_summary(lang, text, codes):
    chat = _at_the_summary(lang, "ES", 0, "EUR")
    chat.events.append(_slot("destinations", ["IT", "FR"]))
    chat.user(text, "correct_answer")
    chat.run(ActionApplyCorrection())
    assert chat.slots()["destinations"] == codes
    assert chat.slots()["country"] == "ES"


# -- stored, exported, briefed, matched -------------------------------------------------------

@pytest.fixture
def sessions(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'dest.sqlite3'}")
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def _case(session: Any, ref: str, **fields: Any) -> Case:
    conversation = Conversation(id=f"c-{ref}", channel="web", language="en", state="bot")
    session.add(conversation)
    session.flush()
    case = Case(reference=ref, conversation_id=conversation.id, status="new", channel="web",
                language=fields.pop("language", "en"), **fields)
    session.add(case)
    session.flush()
    return case


def test_the_migration_adds_the_column(sessions):
    columns = {c["name"] for c in inspect(sessions.kw["bind"]).get_columns("case")}
    assert "destinations" in columns


@pytest.mark.parametrize(("lang", "label", "name"), [
    ("fr", "Destinations", "Italie"), ("el", "Προορισμοί", "Ιταλία"), ("tr", "Hedef", "İtalya"),
])
def test_brief_and_export_hold_the_destinations(sessions, lang, label, name):
    with sessions.begin() as session:
        case = _case(session, "IM-DEST-0001", country="ES", city="Girona",
                     destinations=["IT", "FR"], original_words=[GIRONA])
        text = brief(case, lang)["summary"]
        assert any(label in line and name in line for line in text.splitlines())
        assert brief(case, lang)["structured"]["destinations"] == ["IT", "FR"]
        assert json.loads(export([case], "json"))[0]["destinations"] == ["IT", "FR"]
        row = next(csv.DictReader(io.StringIO(export([case], "csv"))))
        assert row["destinations"] == "IT FR" and row["country"] == "ES"


@pytest.mark.parametrize("lang", ["ca", "en", "ar"])
def test_partners_located_where_it_wants_to_go_come_first_with_a_reason(sessions, lang):
    with sessions.begin() as session:
        mine = _case(session, "IM-MINE-0001", country="ES", sector="agrifood",
                     destinations=["IT"], language=lang)
        _case(session, "IM-ITAL-0001", org_name="Coop Puglia", country="IT", sector="agrifood",
              discoverable=True)
        _case(session, "IM-PORT-0001", org_name="Coop Porto", country="PT", sector="agrifood",
              discoverable=True)  # newer: came first before
        found = find_partners(session, mine)
        assert [p.title for p in found.proposals] == ["Coop Puglia", "Coop Porto"]
        assert found.proposals[0].reasons[0] == ("reason_destination", {"country": "IT"})
        said = explain(found.proposals[0].reasons, lang)
        assert {"ca": "on voleu anar", "en": "where you want to go",
                "ar": "حيث تريدون الذهاب"}[lang] in said
        assert Need.from_case(mine).destinations == ("IT",)


def test_a_summary_without_destinations_says_nothing_of_them():
    assert "Destinations" not in summary({"country": "ES", "destinations": []}, "en")


@pytest.fixture
def seeded(tmp_path_factory, tmp_path, monkeypatch) -> Any:
    from tests.support.trackers import seeded_catalogue
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


@pytest.mark.parametrize("lang", ["it", "pt", "el"])
def test_events_held_where_it_wants_to_go_come_first_with_a_reason(seeded, lang):
    from sqlalchemy import select

    from catalog.matching.events import rank_events
    from catalog.models import Event

    with seeded() as session:
        need = Need(language=lang, need_category="events")
        plain = rank_events(session, need, limit=50)
        countries = {e.key: set(e.countries or []) for e in session.scalars(select(Event))}
        # the last event held in a country the first is not held in
        low = next(p.key for p in reversed(plain.proposals)
                   if countries[p.key] - countries[plain.proposals[0].key])
        going = sorted(countries[low] - countries[plain.proposals[0].key])[0]
        ranked = rank_events(session, Need(**{**need.__dict__, "destinations": (going,)}),
                             limit=50)
    before = [p.key for p in plain.proposals].index(low)
    after = next(i for i, p in enumerate(ranked.proposals) if p.key == low)
    assert after < before
    assert ("reason_destination", {"country": going}) in ranked.proposals[after].reasons
    assert not any(r[0] == "reason_destination" for p in ranked.proposals
                   if going not in countries[p.key] for r in p.reasons)


@pytest.mark.parametrize("lang", ["ca", "tr"])
def test_services_of_providers_based_where_it_wants_to_go_rank_higher(seeded, lang):
    from sqlalchemy import select

    from catalog.matching.services import rank_services
    from catalog.models import Provider, Service

    with seeded() as session:
        need = Need(language=lang, need_category="funding")
        plain = rank_services(session, need, limit=50)
        based = dict(session.execute(select(Service.key, Provider.country).join(
            Provider, Provider.id == Service.provider_id)).tuples().all())
        first = based[plain.proposals[0].key]
        low = next(p.key for p in reversed(plain.proposals) if based[p.key] != first)
        going = based[low]
        ranked = rank_services(session, Need(**{**need.__dict__, "destinations": (going,)}),
                               limit=50)
    before = [p.key for p in plain.proposals].index(low)
    after = next(i for i, p in enumerate(ranked.proposals) if p.key == low)
    assert after < before
    assert ("reason_destination", {"country": going}) in ranked.proposals[after].reasons


@pytest.mark.parametrize(("lang", "line"), [("es", "Destinos: Italia, Francia"),
                                            ("ar", "الوجهات")])
def test_the_staff_console_case_view_shows_the_destinations(sessions, lang, line):
    from bot.console.views import case_brief

    with sessions.begin() as session:
        case = _case(session, "IM-CONS-0001", country="ES", destinations=["IT", "FR"])
        view = case_brief(session, case, lang)
    assert view is not None and any(line in text for text in view.summary)
