"""A Telegram or WhatsApp user who floods the bot is told once to slow down, then ignored
until the limit refills; other users are not affected."""

from __future__ import annotations

import json
import time

from bot.core.locales import text
from bot.core.rate_limit import Admission, FloodGuard, RateLimiter
from tests.support.graph_api import text_message
from tests.support.telegram_api import private_text
from tests.unit.test_http_fuzz import TELEGRAM_SECRET, TOKEN, WA_SECRET, application, sign

LIMITS = {"CHAT_MESSAGES_BURST": 2, "CHAT_MESSAGES_PER_MINUTE": 1}


def test_the_guard_warns_once_then_drops_until_the_bucket_refills():
    now = [0.0]
    guard = FloodGuard(RateLimiter(per_minute=60, burst=2, clock=lambda: now[0]),
                       clock=lambda: now[0])
    seen = [guard.admit("telegram:1") for _ in range(5)]
    assert seen == [Admission.ALLOW, Admission.ALLOW, Admission.WARN, Admission.DROP,
                    Admission.DROP]
    assert guard.admit("telegram:2") is Admission.ALLOW  # another user
    now[0] = 1.5
    assert guard.admit("telegram:1") is Admission.ALLOW


def test_a_flooding_telegram_user_is_told_once_in_their_language(settings_factory):
    with application(settings_factory, TELEGRAM_TOKEN=TOKEN,
                     TELEGRAM_WEBHOOK_URL="https://bot.example.org",
                     TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET, **LIMITS) as (client, _, stand_ins):
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        for update_id in range(1, 6):
            body = json.dumps(private_text(update_id, 5150, f"mesaj {update_id}",
                                           language="tr")).encode()
            assert client.post("/telegram/webhook", content=body,
                               headers=headers).status_code == 200
        other = json.dumps(private_text(9, 6160, "merhaba", language="tr")).encode()
        assert client.post("/telegram/webhook", content=other, headers=headers).status_code == 200
        assert [r["message"] for r in stand_ins["rasa"].received] == [
            "mesaj 1", "mesaj 2", "merhaba"]
        sent = [(c.params["chat_id"], c.params["text"])
                for c in stand_ins["telegram"].methods("sendMessage")]
        assert sent.count((5150, text("rate_limited", "tr"))) == 1
        assert len([s for s in sent if s[0] == 5150]) == 3  # two answers and one warning


def test_a_flooding_whatsapp_user_is_told_once(settings_factory):
    with application(settings_factory, WHATSAPP_TOKEN="graph-token-fuzz",
                     WHATSAPP_APP_SECRET=WA_SECRET, WHATSAPP_VERIFY_TOKEN="verify-fuzz-token",
                     WHATSAPP_PHONE_NUMBER_ID="1098765", **LIMITS) as (client, _, stand_ins):
        for n in range(1, 6):  # a Spanish number: the answers are in Spanish
            body = json.dumps(text_message("34600000077", f"mensaje {n}", f"wamid.f{n}")).encode()
            response = client.post("/whatsapp/webhook", content=body,
                                   headers={"content-type": "application/json",
                                            "X-Hub-Signature-256": sign(body)})
            assert response.status_code == 200
        deadline = time.monotonic() + 10  # handled after the acknowledgement
        while time.monotonic() < deadline and len(stand_ins["graph"]) < 3:
            time.sleep(0.05)
        time.sleep(0.3)
        assert [r["message"] for r in stand_ins["rasa"].received] == ["mensaje 1", "mensaje 2"]
        texts = [g.get("text", {}).get("body") or g.get("interactive", {}).get("body", {})
                 .get("text") for g in stand_ins["graph"]]
        assert texts.count(text("rate_limited", "es")) == 1 and len(texts) == 3
