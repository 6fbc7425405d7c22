"""Property-based fuzzing of every HTTP entry point: the chat API and both channel webhooks.

Hypothesis throws malformed JSON, wrong types, deep nesting, huge and invalid UTF-8
bodies, control characters, forged and replayed signatures at the real application
(create_app), with Rasa, Telegram and the Graph API stood in. Whatever comes in: no 5xx,
the application keeps serving, and a refused request stores nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from bot.web.app import create_app
from catalog.db import make_engine
from catalog.models import Conversation, ConversationMessage
from tests.support.graph_api import text_message
from tests.support.rasa_rest import RasaStandIn
from tests.support.telegram_api import RecordingRequest, private_text

# 200 fixed examples per entry point in the suite (about 20 s for the file);
# IESMED_FUZZ_EXAMPLES=5000 runs a longer, randomly seeded search by hand.
_DEEP = os.environ.get("IESMED_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(_DEEP or 200), deadline=None, derandomize=not _DEEP,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TOKEN = "123456:FUZZ-token-not-real"
TELEGRAM_SECRET = "telegram-webhook-secret-fuzz"
WA_SECRET = "whatsapp-app-secret-fuzz"
LIMIT = 4096

# --------------------------------------------------------------------------- strategies

# Any character, including controls, bidi marks, private use and lone surrogates.
any_text = st.text(st.characters(exclude_categories=()), max_size=300)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(any_text, inner, max_size=4), max_leaves=12)
deep_nesting = st.builds(lambda n, opener: opener * n, st.integers(100, 20_000),
                         st.sampled_from([b"[", b'{"a":', b'{"text":[']))
invalid_utf8 = st.builds(lambda prefix, junk: prefix + junk,
                         st.sampled_from([b'{"text": "', b'{"channel": "', b"", b"\xef\xbb\xbf"]),
                         st.binary(min_size=1, max_size=64).filter(lambda b: not _decodes(b)))
huge = st.builds(lambda n, fill: b'{"text": "' + fill * n + b'"}',
                 st.integers(LIMIT, 4 * LIMIT), st.sampled_from([b"a", b"\\u00e9", b" "]))
raw_bodies = st.one_of(st.binary(max_size=512), deep_nesting, invalid_utf8, huge,
                       json_values.map(lambda v: json.dumps(v).encode()))


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def with_junk(base: dict[str, Any], keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Return ``base`` with some of ``keys`` replaced by values of any type, plus extra keys."""
    replaced = st.dictionaries(st.sampled_from(keys), json_values, min_size=1,
                               max_size=len(keys))
    extra = st.dictionaries(any_text, json_values, max_size=2)
    return st.builds(lambda r, e: {**e, **base, **r}, replaced, extra)


def as_json(values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """Encode generated values as JSON bytes (lone surrogates escaped, as a client may)."""
    return values.map(lambda value: json.dumps(value).encode())


def mostly(usual: st.SearchStrategy[Any], unusual: st.SearchStrategy[Any]
           ) -> st.SearchStrategy[Any]:
    """Draw from ``usual`` about three times in four (so fuzzing gets past the parser)."""
    # st.one_of(a, a, b) would not do: Hypothesis draws each distinct branch equally.
    return st.sampled_from([True, True, True, False]).flatmap(
        lambda usual_one: usual if usual_one else unusual)


create_bodies = mostly(
    as_json(st.fixed_dictionaries({}, optional={
        "channel": st.sampled_from(["web", "terminal", "telegram", "whatsapp", "test", ""]),
        "language": st.sampled_from(["fr", "ar", "el", "de", "FR", ""])})),
    st.one_of(as_json(with_junk({}, ["channel", "language"])), as_json(json_values),
              raw_bodies))
message_bodies = mostly(
    as_json(st.fixed_dictionaries({"text": any_text}, optional={
        "language_hint": st.sampled_from(["es", "tr", "xx", "", None])})),
    st.one_of(as_json(with_junk({"text": "hello"}, ["text", "language_hint"])),
              as_json(json_values), raw_bodies))


# --------------------------------------------------------------------------- harness

def count_rows(engine: Engine) -> tuple[int, int]:
    """Return how many conversations and transcript messages are stored."""
    with engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Conversation)),
                connection.scalar(select(func.count()).select_from(ConversationMessage)))


@contextlib.contextmanager
def application(settings_factory, **overrides: object
                ) -> Iterator[tuple[TestClient, Engine, dict[str, Any]]]:
    """Serve create_app with Rasa, Telegram and the Graph API stood in; yield client, engine."""
    settings_ = settings_factory(**{"MAX_BODY_BYTES": LIMIT, "RASA_TIMEOUT_SECONDS": 2,
                                    "CHAT_CONVERSATIONS_BURST": 100_000,
                                    "CHAT_MESSAGES_BURST": 100_000, **overrides})
    rasa = RasaStandIn()
    telegram = RecordingRequest()
    graph: list[dict[str, Any]] = []

    def graph_api(request: httpx.Request) -> httpx.Response:
        graph.append(json.loads(request.content))
        return httpx.Response(200, json={"messages": [{"id": f"wamid.out{len(graph)}"}]})

    app = create_app(settings_, rasa_transport=rasa.transport(), telegram_request=telegram,
                     graph_transport=httpx.MockTransport(graph_api))
    engine = make_engine(settings_.database)
    # Handler failures that the channel libraries catch and log are failures too: the
    # user would get no answer. Rasa and the Graph API always answer well here.
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            outcomes: Counter[str] = Counter()
            yield client, engine, {"rasa": rasa, "telegram": telegram, "graph": graph,
                                   "outcomes": outcomes}
            # What the examples reached (shown with -rP): a check that the fuzzing gets past
            # the first refusals instead of bouncing off them.
            print("outcomes:", dict(sorted(outcomes.items())))
            # Still serving after the storm: a plain conversation works end to end.
            cid = client.post("/api/conversations", json={}).json()["conversation_id"]
            turn = client.post(f"/api/conversations/{cid}/messages", json={"text": "hello"})
            assert turn.status_code == 200 and turn.json()["replies"]
        assert errors.lines == []
    finally:
        logging.getLogger().removeHandler(errors)
        engine.dispose()


class _ErrorLog(logging.Handler):
    """Collect the log lines at ERROR or above."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


def not_5xx(response: httpx.Response) -> None:
    """Fail on any server error, showing what came back."""
    assert response.status_code < 500, (response.status_code, response.text[:200])


# --------------------------------------------------------------------------- chat API

def test_creating_conversations_never_fails_and_refusals_store_nothing(settings_factory):
    with application(settings_factory) as (client, engine, stand_ins):
        @FUZZ
        @given(body=create_bodies)
        # Found before: each of these answered 500.
        @example(body=b'{"channel": []}')
        @example(body=b'{"language": {"fr": 1}}')
        @example(body=b"[" * 5000)
        def create(body: bytes) -> None:
            before = count_rows(engine)
            response = client.post("/api/conversations", content=body,
                                   headers={"content-type": "application/json"})
            not_5xx(response)
            stand_ins["outcomes"][f"create {response.status_code}"] += 1
            created = 1 if response.status_code == 201 else 0
            assert count_rows(engine) == (before[0] + created, before[1])
            if created:
                assert response.json()["state"] == "bot"
            else:
                assert isinstance(response.json()["error"], str)

        create()


def test_posting_messages_never_fails_and_refusals_store_nothing(settings_factory):
    with application(settings_factory) as (client, engine, stand_ins):
        cid = client.post("/api/conversations", json={}).json()["conversation_id"]
        rasa: RasaStandIn = stand_ins["rasa"]

        @FUZZ
        @given(body=message_bodies,
               target=st.sampled_from(["mine", "unknown", "odd"]))
        @example(body=b'{"text": "hi", "language_hint": []}', target="mine")
        @example(body=b'{"text": ' + b"[" * 5000, target="mine")
        def post(body: bytes, target: str) -> None:
            path_id = {"mine": cid, "unknown": "A" * 22, "odd": "%00%ff"}[target]
            before, sent = count_rows(engine), len(rasa.received)
            response = client.post(f"/api/conversations/{path_id}/messages", content=body,
                                   headers={"content-type": "application/json"})
            not_5xx(response)
            stand_ins["outcomes"][f"message {target} {response.status_code}"] += 1
            if response.status_code != 200:
                assert count_rows(engine) == before and len(rasa.received) == sent
                assert isinstance(response.json()["error"], str)
            else:
                assert target == "mine"
                assert response.json()["conversation_id"] == cid
            read = client.get(f"/api/conversations/{path_id}")
            not_5xx(read)
            assert read.status_code == (200 if target == "mine" else 404)

        post()


def test_reading_conversations_by_any_id_never_fails(settings_factory):
    with application(settings_factory) as (client, engine, _):
        @FUZZ
        @given(path_id=st.text(st.characters(exclude_categories=("Cs",)), min_size=1,
                               max_size=200))
        def read(path_id: str) -> None:
            before = count_rows(engine)
            response = client.get("/api/conversations/" + quote(path_id, safe=""))
            not_5xx(response)
            assert count_rows(engine) == before

        read()


# --------------------------------------------------------------------------- Telegram

chat_ids = st.one_of(st.integers(1, 2**40), st.integers(-2**63, 2**63))
telegram_update = st.builds(private_text, st.integers(0, 2**31), chat_ids, any_text,
                            language=st.none() | st.sampled_from(["fr", "ar", "pt-BR"])
                            | any_text)
# Bodies are JSON-able values (encoded by the test, after giving them a fresh update id)
# or raw bytes.
telegram_bodies = mostly(telegram_update, st.one_of(
    telegram_update.flatmap(
        lambda update: with_junk(update, ["update_id", "message", "callback_query"])),
    telegram_update.flatmap(lambda update: with_junk(
        update["message"], ["chat", "from", "text", "date", "message_id", "entities"]).map(
        lambda message: {**update, "message": message})),
    raw_bodies))


def fresh(body: Any, ids: Iterator[int]) -> bytes:
    """Encode a generated body, giving a well-typed message id a new value.

    Hypothesis repeats values across examples; the adapters rightly ignore an update or
    message id seen before, which would hide most examples from the core. Replays are
    tested on purpose instead.
    """
    if isinstance(body, bytes):
        return body
    if isinstance(body, dict) and isinstance(body.get("update_id"), int):
        body = {**body, "update_id": next(ids)}
    for message in _whatsapp_messages(body):
        if isinstance(message.get("id"), str):
            message["id"] = f"wamid.{next(ids)}"
    return json.dumps(body).encode()


def _whatsapp_messages(body: Any) -> list[dict[str, Any]]:
    """Return the message objects of a webhook body, whatever else it holds."""
    def items(value: Any, key: str) -> list[Any]:
        found = value.get(key) if isinstance(value, dict) else None
        return [item for item in found if isinstance(item, dict)] \
            if isinstance(found, list) else []
    return [message for entry in items(body, "entry") for change in items(entry, "changes")
            for message in items(change.get("value"), "messages")]


def test_telegram_webhook_never_fails_and_refuses_without_the_secret(settings_factory):
    with application(settings_factory, TELEGRAM_TOKEN=TOKEN,
                     TELEGRAM_WEBHOOK_URL="https://bot.example.org",
                     TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET) as (client, engine, stand_ins):
        recorder: RecordingRequest = stand_ins["telegram"]
        ids = itertools.count(1)

        @FUZZ
        @given(body=telegram_bodies,
               secret=mostly(st.just(TELEGRAM_SECRET),
                             st.sampled_from([None, "", TELEGRAM_SECRET + "x",
                                              "telegram-webhook-secret-fuzZ", "ü" * 8])))
        @example(body=b"null", secret=TELEGRAM_SECRET)
        @example(body=b"[" * 5000, secret=TELEGRAM_SECRET)
        @example(body={**private_text(1, 5, "hi"), "message": {
            **private_text(1, 5, "hi")["message"], "chat": None}}, secret=TELEGRAM_SECRET)
        @example(body={**private_text(1, 5, "hi"), "message": {
            **private_text(1, 5, "hi")["message"], "text": ["hi"]}}, secret=TELEGRAM_SECRET)
        def deliver(body: Any, secret: str | None) -> None:
            body = fresh(body, ids)
            before, calls = count_rows(engine), len(recorder.calls)
            headers = {"content-type": b"application/json"}
            if secret is not None:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret.encode()
            response = client.post("/telegram/webhook", content=body, headers=headers)
            not_5xx(response)
            stand_ins["outcomes"][f"telegram {response.status_code}, "
                                  f"{len(recorder.calls) - calls} Bot API calls"] += 1
            if secret != TELEGRAM_SECRET:
                assert response.status_code == 403
            if response.status_code != 200:
                assert count_rows(engine) == before and len(recorder.calls) == calls

        deliver()


def test_a_replayed_telegram_update_is_answered_once(settings_factory):
    with application(settings_factory, TELEGRAM_TOKEN=TOKEN,
                     TELEGRAM_WEBHOOK_URL="https://bot.example.org",
                     TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET) as (client, engine, stand_ins):
        body = json.dumps(private_text(77, 9001, "Hello, we are a cooperative")).encode()
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        assert client.post("/telegram/webhook", content=body, headers=headers).status_code == 200
        after_first = count_rows(engine)
        assert after_first == (1, 2)
        assert client.post("/telegram/webhook", content=body, headers=headers).status_code == 200
        assert count_rows(engine) == after_first
        assert len(stand_ins["rasa"].received) == 1


# --------------------------------------------------------------------------- WhatsApp

def sign(body: bytes, secret: str = WA_SECRET) -> str:
    """Return the X-Hub-Signature-256 header Meta would send for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# A genuine signed body whose signature an attacker reuses on a body of their own.
REPLAYED = json.dumps(text_message("34600000001", "hello", "wamid.genuine")).encode()


phones = st.from_regex(r"[1-9][0-9]{7,13}", fullmatch=True)
whatsapp_message = st.builds(text_message, mostly(phones, st.text("0123456789²٣+ ")),
                             any_text, st.text(max_size=30))
whatsapp_bodies = mostly(whatsapp_message, st.one_of(
    whatsapp_message.flatmap(lambda payload: with_junk(payload, ["entry", "object"])),
    whatsapp_message.flatmap(lambda payload: with_junk(
        payload["entry"][0]["changes"][0]["value"]["messages"][0],
        ["from", "id", "type", "text", "interactive", "button"]).map(
        lambda message: {"entry": [{"changes": [{"value": {"messages": [message]}}]}]})),
    raw_bodies))


FORGERIES = mostly(st.just("valid"), st.sampled_from(
    ["none", "empty", "other-secret", "other-body", "not-hex", "non-ascii", "replayed"]))


def test_whatsapp_webhook_never_fails_and_refuses_forged_signatures(settings_factory):
    with application(settings_factory, WHATSAPP_TOKEN="graph-token-fuzz",
                     WHATSAPP_APP_SECRET=WA_SECRET, WHATSAPP_VERIFY_TOKEN="verify-fuzz-token",
                     WHATSAPP_PHONE_NUMBER_ID="1098765") as (client, engine, stand_ins):
        graph: list[dict[str, Any]] = stand_ins["graph"]
        ids = itertools.count(1)

        @FUZZ
        @given(body=whatsapp_bodies,
               forgery=FORGERIES)
        @example(body=REPLAYED, forgery="non-ascii")
        @example(body={"entry": [{"changes": [{"value": {"messages": [
            {"from": "34600000001", "id": "wamid.x", "type": "text", "text": ["hi"]}]}}]}]},
            forgery="valid")
        @example(body={"entry": 5}, forgery="valid")
        @example(body=json.dumps(text_message("34600000001", "²", "wamid.sup")).encode(),
                 forgery="valid")
        def deliver(body: Any, forgery: str) -> None:
            body = fresh(body, ids)
            signature = {"none": None, "empty": "", "other-secret": sign(body, "guess"),
                         "other-body": sign(body + b" "), "not-hex": "sha256=zz",
                         "non-ascii": "sha256=" + "é" * 64, "valid": sign(body),
                         "replayed": sign(REPLAYED)}[forgery]
            headers = {"content-type": b"application/json"}
            if signature is not None:
                headers["X-Hub-Signature-256"] = signature.encode()
            before, sent = count_rows(engine), len(graph)
            response = client.post("/whatsapp/webhook", content=body, headers=headers)
            not_5xx(response)
            stand_ins["outcomes"][f"whatsapp {response.status_code}, {len(graph) - sent} sent"] += 1
            if forgery != "valid" and body != REPLAYED:
                assert response.status_code == 401
            if response.status_code != 200:
                assert count_rows(engine) == before and len(graph) == sent
            else:
                # A signed replay of the same body stores nothing more.
                after = count_rows(engine), len(graph)
                again = client.post("/whatsapp/webhook", content=body, headers=headers)
                assert again.status_code == 200
                assert (count_rows(engine), len(graph)) == after

        deliver()


async def test_whatsapp_stops_reading_an_oversized_body_before_checking_its_signature(
        settings_factory):
    settings_ = settings_factory(WHATSAPP_TOKEN="graph-token-fuzz", WHATSAPP_APP_SECRET=WA_SECRET,
                                 WHATSAPP_PHONE_NUMBER_ID="1098765")
    app = create_app(settings_, rasa_transport=RasaStandIn().transport(),
                     graph_transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    produced = 0
    chunk = b"x" * 65_536

    async def endless() -> Any:
        nonlocal produced
        for _ in range(1_000):  # 64 MB if it were all read
            produced += 1
            yield chunk

    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        response = await client.post("/whatsapp/webhook", content=endless(),
                                     headers={"X-Hub-Signature-256": sign(b"")})
    assert response.status_code == 413
    assert produced <= 1_000_000 // len(chunk) + 2


def test_whatsapp_refuses_a_declared_length_over_the_cap_at_once(settings_factory):
    with application(settings_factory, WHATSAPP_TOKEN="graph-token-fuzz",
                     WHATSAPP_APP_SECRET=WA_SECRET,
                     WHATSAPP_PHONE_NUMBER_ID="1098765") as (client, engine, _):
        body = json.dumps(text_message("34600000001", "a" * 1_100_000, "wamid.big")).encode()
        response = client.post("/whatsapp/webhook", content=body,
                               headers={"X-Hub-Signature-256": sign(body)})
        assert response.status_code == 413
        assert count_rows(engine) == (0, 0)
