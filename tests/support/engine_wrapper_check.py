"""Run by the engine's Python: Rasa's RemoteAction with ops.engine_server's changes applied.

Plays calls against a stand-in action server that behaves as rasa-sdk does with domain
digests (449 when it does not hold the digest's domain) and prints what it saw as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys

from aiohttp import web

from ops.engine_server import install

install()

from jsonschema import ValidationError  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.core.channels import CollectingOutputChannel  # noqa: E402
from rasa.core.nlg import TemplatedNaturalLanguageGenerator  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

seen: list[dict[str, object]] = []
held: dict[str, object] = {}


async def webhook(request: web.Request) -> web.Response:
    body = await request.json()
    peer = request.transport.get_extra_info("peername") if request.transport else None
    seen.append({"domain": "domain" in body, "digest": body.get("domain_digest"),
                 "port": peer[1] if peer else None})
    if "domain" in body:
        held["digest"] = body["domain_digest"]
        held["domain"] = body["domain"]
    elif held.get("digest") != body.get("domain_digest"):
        return web.json_response({"error": "domain missing", "action_name": "x"}, status=449)
    if body["next_action"] == "action_bad":
        return web.json_response({"events": "not a list"})
    return web.json_response({"events": [], "responses": [{"text": "hi"}]})


def _events() -> list[str]:
    """Event classes found by type name, twice (the second time from the table)."""
    from rasa.shared.core.events import Event, SlotSet

    names = [Event.resolve_by_type(n).__name__ for n in ("user", "slot", "user", "bot")]
    names.append(Event.resolve_by_type("nonsense", default=SlotSet).__name__)
    try:
        Event.resolve_by_type("nonsense")
    except ValueError:
        names.append("ValueError")
    return names


def _crfs() -> dict[str, object]:
    """Train tiny CRF taggers twice: the second time they come from crfsuite's files."""
    import tempfile
    from pathlib import Path

    import numpy as np
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

    from ops.engine_server import reuse_trained_crfs

    def token(text: str, tag: str) -> CRFToken:
        return CRFToken(text, "", {}, np.array([]), tag, "O", "O")

    sentences = [[token("from", "O"), token(city, "city")] for city in
                 ("Girona", "Lyon", "Porto", "Izmir", "Tunis")]
    config = {**CRFEntityExtractor.get_default_config(), "max_iterations": 20}
    features = [CRFEntityExtractor._crf_tokens_to_features(sentences[0], config)]
    with tempfile.TemporaryDirectory() as folder:
        reuse_trained_crfs(Path(folder))
        fresh = CRFEntityExtractor.train_model(sentences, config, ["entity"])
        kept = CRFEntityExtractor.train_model(sentences, config, ["entity"])
        files = sorted(p.name for p in Path(folder).rglob("*.crfsuite"))
        return {"files": files, "reused": kept["entity"].modelfile.name.startswith(folder),
                "same": fresh["entity"].predict_marginals(features)
                == kept["entity"].predict_marginals(features)}


def _json() -> list[object]:
    """Bodies serialised for the action server read back as the json module writes them."""
    from ops.engine_calls import fast_json_dumps

    bodies: list[object] = [{"text": "¿Qué tal? 12/3 ‹ok›", "n": 1.5, "big": 2**70},
                            {1: "int key"}, {"slots": {"amount": None, "list": [1, "a"]}}]
    return [json.loads(fast_json_dumps(b)) == json.loads(json.dumps(b)) for b in bodies]


def _journal() -> str:
    import tempfile

    import sqlalchemy

    with tempfile.TemporaryDirectory() as folder:
        engine = sqlalchemy.create_engine(f"sqlite:///{folder}/tracker.db")
        with engine.connect() as connection:
            mode = str(connection.exec_driver_sql("PRAGMA journal_mode").scalar())
            mode += f"/{connection.exec_driver_sql('PRAGMA synchronous').scalar()}"
        engine.dispose()
    return mode


async def main(port: int) -> None:
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    domain = Domain.from_yaml("responses:\n  utter_hi:\n  - text: hi\n"
                              "actions:\n- action_x\n- validate_x\n")
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    tracker = DialogueStateTracker("someone", domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)

    async def call(name: str) -> str:
        try:
            events = await RemoteAction(name, endpoint).run(
                CollectingOutputChannel(), nlg, tracker, domain)
            return f"{len(events)} events"
        except ValidationError:
            return "ValidationError"

    results = [await call("action_x"), await call("action_x")]
    held.clear()  # the action server restarted and forgot the domain
    results += [await call("action_x"), await call("action_x"), await call("action_bad")]
    # Rasa itself adds the domain for every `validate_*` action (a form's validator).
    results.append(await call("validate_x"))
    print(json.dumps({"results": results, "seen": seen,
                      "domain_ok": held.get("domain") == domain.as_dict(),
                      "events": _events(), "journal": _journal(), "crfs": _crfs(),
                      "json": _json()}))
    await runner.cleanup()


asyncio.run(main(int(sys.argv[1])))
