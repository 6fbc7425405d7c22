"""`./iesmed replay` against the real stack: a tiny corpus, measured and reported."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from ops.replay_cli import main

pytestmark = pytest.mark.e2e

# Answers by button payload where the intake offers buttons, so the conversation itself does
# not depend on how well free text is understood: what is tested is the measurement.
CORPUS = {
    "language": "en",
    "first_messages": [
        {"text": "Hello, our bakery cooperative in Valletta would need a loan to buy a new oven",
         "flow": "funding", "names_need": True},
        # Expected wrongly on purpose: the replay must report it as a miss.
        {"text": "Hello, our bakery cooperative in Valletta is looking for a loan for an oven",
         "flow": "events"},
    ],
    "conversations": [{
        "id": "en-01", "kind": "intake",
        "opening": "Good morning, our bakery cooperative would need a loan for a new oven",
        "answers": {
            "consent": "/affirm", "org_name": "Valletta Bread Coop",
            "legal_form": '/inform{"legal_form": "cooperative"}', "country": "Malta",
            "city": "Valletta", "sector": '/inform{"sector": "agrifood"}', "members": "8",
            "stage": '/inform{"stage": "growing"}', "website": "/skip_question",
            "need_category": '/inform{"need_category": "funding"}',
            "need_description": "A bigger oven so that we can bake for two schools",
            "amount": "12.000 €", "timeline": '/inform{"timeline": "3_months"}',
            "contact_name": "Rita Borg", "email": "rita@bread.example.org",
            "phone": "/skip_question"},
        "confirm": "/affirm",
        # Everything right but the city, expected wrongly on purpose.
        "expect": {"need_category": "funding", "country": "MT", "amount": 12000,
                   "currency": "EUR", "contact_name": "Rita Borg", "city": "Mdina"},
    }, {
        # A returning user in the same conversation asks about the case just saved.
        "id": "en-02", "kind": "script", "after": "en-01",
        "steps": [{"user": "/ask_case_status", "expect": {
            "not_fallback": True, "flow": "status", "mentions": ["{reference}"]}}],
    }],
}


def test_replay_measures_first_messages_and_a_conversation(stack, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "en.yml").write_text(yaml.safe_dump(CORPUS, allow_unicode=True), "utf-8")
    report = tmp_path / "report.md"
    assert os.environ.get("RASA_TOKEN")  # the stack's token, set by the fixture
    code = main(["--url", stack.bot_url, "--rasa-url", stack.rasa_url,
                 "--database", stack.database_url, "--corpus", str(folder),
                 "--report", str(report)])
    assert code == 0
    data = json.loads(report.with_suffix(".json").read_text("utf-8"))
    en = data["languages"]["en"]
    right, wrong = en["first_messages"]
    assert (right["flow"], right["language"], right["fallback"], right["right"]) == (
        "funding", "en", None, True)
    assert wrong["flow"] == "funding" and not wrong["right"]
    assert "started funding" in wrong["problems"][0]
    conversation = en["conversations"][0]
    assert conversation["saved"] and conversation["reference"].startswith("IM-")
    assert conversation["failures"] == ["case city 'Valletta' instead of 'Mdina'"]
    assert {"consent", "org_name", "contact_name", "email"} <= set(conversation["questions"])
    assert "amount" in conversation["questions"] or "12" in conversation["excerpt"][0]
    script = en["conversations"][1]
    assert (script["id"], script["failures"], script["correct"]) == ("en-02", [], True)
    assert en["figures"]["first_right"] == 1 and en["figures"]["intake_saved"] == 1
    assert en["figures"]["scripts_passed"] == 1
    assert data["overall"]["first_right_share"] == 0.5
    markdown = report.read_text("utf-8")
    assert "| Right flow in the right language (target ≥ 97 %) | 50% (1/2) | 50% (1/2) |" \
        in markdown
    assert "conversation en-01 (intake): case city 'Valletta' instead of 'Mdina'" in markdown

