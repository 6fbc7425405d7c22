"""/forget in the default configuration: afterwards no table of any SQLite database the
product or Rasa writes (the catalogue, Rasa's tracker store) holds the user's e-mail,
phone, name, organisation or conversation id. The scale-out configuration has the same
test on PostgreSQL and Redis (test_scale_out.py)."""

from __future__ import annotations

import pytest

from tests.support.chat import IntakeChat, response_text
from tests.support.traces import scan_sql

pytestmark = pytest.mark.e2e

ANSWERS = {
    "consent": "/affirm",
    "org_name": "Cooperativa Brisa Alentejana",
    "legal_form": '/inform{"legal_form": "cooperative"}',
    "country": "Portugal",
    "city": "Évora",
    "sector": '/inform{"sector": "agrifood"}',
    "members": "9",
    "stage": '/inform{"stage": "growing"}',
    "website": "/skip_question",
    "need_category": '/inform{"need_category": "funding"}',
    "need_description": "Uma câmara frigorífica para a cooperativa",
    "amount": "30.000 €",
    "timeline": '/inform{"timeline": "3_months"}',
    "contact_name": "Inês Gonçalves",
    "email": "ines.goncalves@brisa.example.org",
    "phone": "+351 912 345 678",
}


def test_forget_leaves_no_trace_in_any_sqlite_database(stack):
    chat = IntakeChat([stack.bot_url], "pt")
    chat.say("Precisamos de um empréstimo para a nossa cooperativa")
    chat.answer_all(ANSWERS)
    assert chat.summary_shown(), chat.last
    chat.say("/affirm")
    traces = ["Inês Gonçalves", "ines.goncalves@brisa.example.org", "+351 912 345 678",
              "+351912345678", "Cooperativa Brisa Alentejana", chat.id]
    databases = sorted(stack.data_dir.rglob("*.sqlite3"))
    assert {"catalogue.sqlite3", "rasa-tracker.sqlite3"} <= {p.name for p in databases}
    found = {t.needle for path in databases for t in scan_sql(f"sqlite:///{path}", traces)}
    # The scan sees what the intake stored (Rasa writes JSON with escaped accents)...
    assert found >= {"inês gonçalves", "in\\u00eas gon\\u00e7alves",
                     "ines.goncalves@brisa.example.org", "+351912345678",
                     "cooperativa brisa alentejana", chat.id.lower()}, found
    chat.say("/forget")
    assert chat.last["replies"][0]["text"] == response_text("pt", "utter_confirm_erase")
    chat.say('/erase_data{"choice": "confirm"}')
    assert chat.last["replies"][0]["text"] == response_text("pt", "utter_data_erased")
    # ...and after /forget nothing, in every table and column of every database.
    left = [t for path in databases for t in scan_sql(f"sqlite:///{path}", traces)]
    assert left == [], [str(t) for t in left]
    chat.close()
