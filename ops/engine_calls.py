"""Rasa 3.6's calls to the action server, made cheaper (imported by ops/engine_server.py).

Runs in the engine environment. Each change keeps what an action receives and returns:

- the schema of the action server's answers is checked once, not on every answer
  (`jsonschema.validate` first validates the schema itself against its meta-schema);
- the domain (about 280 kB of JSON with nine languages of responses) goes to the action
  server once, then only its digest, including for the form's `validate_*` actions, to
  which Rasa adds it on every call: rasa-sdk keeps the last domain it received and answers
  449 when it does not know a digest, and the call is then repeated with it;
- calls reuse their connections instead of opening a new HTTP session for each one, and
  their bodies are serialised with ujson.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

SCHEMA_HINT = (". The action server's answer does not have the format Rasa expects "
               "(events and responses), see the Rasa documentation on custom actions")
# Shorter than the action server's keep-alive (Sanic: 5 s): an idle connection is dropped
# by the client first, never reused just as the server closes it.
KEEPALIVE_SECONDS = 2.0


# Events of Rasa 3.6's answer schema whose only constraint beyond every event's own
# (`event` a string, `timestamp` a number or null, `metadata` an object or null) is their
# name; "slot" also needs a string `name` and a `value`. "user", "entities" and "action"
# have more, and go through the full schema.
_NAME_ONLY_EVENTS = frozenset({
    "user_featurization", "cancel_reminder", "reminder", "action_execution_rejected",
    "form_validation", "loop_interrupted", "form", "active_loop", "reset_slots", "resume",
    "pause", "followup", "export", "restart", "undo", "rewind", "bot", "session_started",
    "agent"})


def _number_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def plainly_valid(result: Any) -> bool:
    """True only for answers the schema accepts, checked by hand for the common events.

    The schema's `oneOf` over twenty event kinds makes jsonschema try each branch for each
    event (2.4 ms for a form's answer of ten events). What this returns False for is
    checked by the full schema, so the errors and what passes stay Rasa's.
    """
    if not isinstance(result, dict):
        return False
    responses = result.get("responses", [])
    if not isinstance(responses, list) or not all(isinstance(r, dict) for r in responses):
        return False
    events = result.get("events", [])
    if not isinstance(events, list):
        return False
    for event in events:
        if not isinstance(event, dict):
            return False
        kind = event.get("event")
        if not isinstance(kind, str) or not _number_or_none(event.get("timestamp")):
            return False
        if "metadata" in event and not (event["metadata"] is None
                                        or isinstance(event["metadata"], dict)):
            return False
        if kind == "slot":
            if not isinstance(event.get("name"), str) or "value" not in event:
                return False
        elif kind not in _NAME_ONLY_EVENTS:
            return False
    return True


def cache_response_validator() -> None:
    """Check the answer schema once and keep the validator (same errors as before)."""
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def validate(self: Any, result: dict[str, Any]) -> bool:
        if plainly_valid(result):
            return True
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += SCHEMA_HINT
        raise error

    RemoteAction._validate_action_result = validate


class _DomainOnce:
    """Which domain digest the action server is known to hold."""

    def __init__(self) -> None:
        self.known: str | None = None
        self.digests: dict[int, tuple[Any, str]] = {}  # id(domain) -> (domain, digest)

    def digest(self, domain: Any) -> str:
        """Return the digest of a domain's data, computed once per domain object."""
        cached = self.digests.get(id(domain))
        if cached is None or cached[0] is not domain:
            data = json.dumps(domain.as_dict(), sort_keys=True, default=str).encode()
            cached = (domain, hashlib.sha256(data).hexdigest())
            self.digests = {id(domain): cached}  # one model at a time
        return cached[1]


def send_domain_once() -> None:
    """Send the domain only while the action server may not hold it yet."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import ClientResponseError

    state = _DomainOnce()
    original_format = RemoteAction._action_call_format
    original_run = RemoteAction.run

    def call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
        body: dict[str, Any] = original_format(self, tracker, domain)
        digest = state.digest(domain)
        body["domain_digest"] = digest
        # Rasa adds the whole domain for every action named `validate_*` (the form's
        # validator runs at each answer): the action server holds it by digest already.
        body.pop("domain", None)
        if state.known != digest:
            body["domain"] = domain.as_dict()
        return body

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any,
                  *args: Any, **kwargs: Any) -> Any:
        digest = state.digest(domain)
        try:
            events = await original_run(self, output_channel, nlg, tracker, domain,
                                        *args, **kwargs)
        except RasaException as exc:
            cause = exc.__cause__
            if not (isinstance(cause, ClientResponseError) and cause.status == 449):
                raise
            state.known = None  # the action server restarted: send the domain again
            events = await original_run(self, output_channel, nlg, tracker, domain,
                                        *args, **kwargs)
        state.known = digest
        return events

    # The domain is left out of the request by Rasa itself; call_format adds it back
    # whenever the action server may not hold it.
    RemoteAction._is_selective_domain_enabled = lambda self: True
    RemoteAction._action_call_format = call_format
    RemoteAction.run = run


def fast_json_dumps(data: Any) -> str:
    """Serialise a request body with ujson (in Rasa's environment), else the json module.

    The tracker sent with every action call is serialised per call (about a tenth of
    Rasa's time with the json module); anything ujson refuses goes through json.
    """
    try:
        import ujson

        return str(ujson.dumps(data, ensure_ascii=False, escape_forward_slashes=False))
    except (ImportError, TypeError, ValueError, OverflowError):
        return json.dumps(data)


class _Borrowed:
    """A shared session handed to `async with` without being closed at its end."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_exc: object) -> None:
        return None


def pool_connections() -> None:
    """Give each endpoint one HTTP session per event loop, keeping connections alive."""
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    def session(self: Any) -> Any:
        loop = asyncio.get_running_loop()
        sessions: dict[int, Any] = self.__dict__.setdefault("_pooled_sessions", {})
        shared = sessions.get(id(loop))
        if shared is None or shared.closed:
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            shared = aiohttp.ClientSession(
                headers=self.headers, auth=auth, json_serialize=fast_json_dumps,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS))
            sessions[id(loop)] = shared
        return _Borrowed(shared)

    EndpointConfig.session = session
