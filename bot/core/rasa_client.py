"""HTTP client for the Rasa server's REST channel: the only way bot/ reaches Rasa."""

from __future__ import annotations

import json
import logging
from typing import Any, TypedDict, cast
from urllib.parse import quote

import aiohttp
import httpx
from httpx import USE_CLIENT_DEFAULT

from bot.errors import EngineUnavailable

logger = logging.getLogger(__name__)


class RasaButton(TypedDict):
    """A button in a Rasa REST channel reply."""

    title: str
    payload: str


class RasaReply(TypedDict, total=False):
    """One element of the list the Rasa REST channel returns."""

    recipient_id: str
    text: str
    buttons: list[RasaButton]
    custom: dict[str, Any]


class _Unreachable(Exception):
    """The request failed before an HTTP answer arrived (connection, timeout)."""


class _HttpxPort:
    """Requests through httpx: used when a test hands the client a stand-in transport."""

    def __init__(self, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport
                 ) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout,
                                         transport=transport)

    async def request(self, method: str, path: str, *, params: dict[str, str],
                      body: Any = None, timeout: float | None = None) -> tuple[int, bytes]:
        try:
            response = await self._client.request(
                method, path, params=params, json=body,
                timeout=timeout if timeout is not None else USE_CLIENT_DEFAULT)
            return response.status_code, response.content
        except httpx.HTTPError as exc:
            raise _Unreachable(type(exc).__name__) from exc

    async def aclose(self) -> None:
        await self._client.aclose()


class _AiohttpPort:
    """Requests through aiohttp, over kept-alive connections.

    The bot calls Rasa once per chat message; aiohttp's client spends about a quarter of
    the CPU httpx's does on such a call (docs/DECISIONS.md, session 12).
    """

    def __init__(self, base_url: str, timeout: float) -> None:
        self._base_url = base_url
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        # Made on first use, inside the event loop that serves the bot.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout))
        return self._session

    async def request(self, method: str, path: str, *, params: dict[str, str],
                      body: Any = None, timeout: float | None = None) -> tuple[int, bytes]:
        try:
            async with self._opened().request(
                    method, self._base_url + path, params=params or None,
                    data=None if body is None else json.dumps(body),
                    headers=_JSON if body is not None else None, allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=timeout) if timeout else None
                    ) as response:
                return response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise _Unreachable(type(exc).__name__) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


_JSON = {"Content-Type": "application/json"}


class RasaClient:
    """Send user messages to Rasa and return its replies."""

    def __init__(self, base_url: str, *, timeout: float = 15.0, token: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._api_params = {"token": token} if token else {}
        url = base_url.rstrip("/")
        self._http: _HttpxPort | _AiohttpPort = (
            _HttpxPort(url, timeout, transport) if transport is not None
            else _AiohttpPort(url, timeout))

    async def _json(self, method: str, path: str, *, params: dict[str, str] | None = None,
                    body: Any = None, timeout: float | None = None) -> Any:
        """Make one request and return its JSON answer.

        Raises:
            _Unreachable: no answer came.
            ValueError: the answer is not a success or not JSON.
        """
        status, content = await self._http.request(method, path, params=params or {},
                                                   body=body, timeout=timeout)
        if not 200 <= status < 300:
            raise ValueError(f"HTTP {status}")
        return json.loads(content)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[RasaReply]:
        """Deliver one user message and return what the assistant answers.

        Raises:
            EngineUnavailable: Rasa could not be reached, failed, or answered too late.
        """
        try:
            replies = await self._json(
                "POST", "/webhooks/rest/webhook",
                body={"sender": sender, "message": text, "metadata": metadata})
        except (_Unreachable, ValueError) as exc:
            raise EngineUnavailable(f"Rasa did not answer: {_reason(exc)}") from exc
        if not isinstance(replies, list):
            raise EngineUnavailable("Rasa answered with something other than a list")
        return [cast(RasaReply, reply) for reply in replies if isinstance(reply, dict)]

    async def answered(self, sender: str, message_id: int) -> list[RasaReply] | None:
        """Return what the assistant answered to the message the bot sent as ``message_id``.

        None when Rasa never handled that message. A message Rasa handled but whose answer
        never reached the bot (Rasa stopped before replying) is found here, so the bot can
        deliver that answer instead of sending the message a second time.

        Raises:
            EngineUnavailable: Rasa could not be reached or answered something unexpected.
        """
        try:
            found = await self._json("GET", _tracker_path(sender),
                                     params=self._api_params)
            events = found.get("events") or []
        except (_Unreachable, ValueError, AttributeError) as exc:
            raise EngineUnavailable(f"Rasa did not return the tracker: {_reason(exc)}"
                                    ) from exc
        return replies_after(events, sender, message_id)

    async def question_open(self, sender: str) -> bool:
        """Whether the assistant is waiting for the answer to a form's question.

        False when Rasa cannot say (unreachable, unknown conversation): the caller then
        does what it would do without a question open.
        """
        try:
            found = await self._json("GET", _tracker_path(sender),
                                     params={**self._api_params, "include_events": "NONE"})
            loop = found.get("active_loop") or {}
            return bool(loop.get("name"))
        except (_Unreachable, ValueError, AttributeError, TypeError):
            return False

    async def parse(self, text: str) -> tuple[str | None, float]:
        """Return the intent the NLU model reads in ``text`` and its confidence.

        Raises:
            EngineUnavailable: Rasa could not be reached or answered something unexpected.
        """
        try:
            found = await self._json("POST", "/model/parse", body={"text": text},
                                     params=self._api_params)
            intent = found.get("intent") or {}
            return (str(intent["name"]) if intent.get("name") else None,
                    float(intent.get("confidence") or 0.0))
        except (_Unreachable, ValueError, AttributeError, TypeError) as exc:
            raise EngineUnavailable(f"Rasa did not parse: {_reason(exc)}") from exc

    async def ready(self) -> bool:
        """Return whether Rasa answers and has a model loaded."""
        try:
            found = await self._json("GET", "/status", params=self._api_params, timeout=3.0)
            return bool(found.get("model_file"))
        except (_Unreachable, ValueError, AttributeError):
            return False

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()


def _tracker_path(sender: str) -> str:
    return f"/conversations/{quote(sender, safe='')}/tracker"


def _reason(exc: Exception) -> str:
    """A short reason for logs: the failure's kind, never a payload."""
    return str(exc) if isinstance(exc, _Unreachable) else type(exc).__name__


def replies_after(events: list[Any], sender: str, message_id: int) -> list[RasaReply] | None:
    """Return the bot utterances that followed the user event the bot sent as ``message_id``."""
    start = next((i for i, e in enumerate(events) if isinstance(e, dict)
                  and e.get("event") == "user"
                  and (e.get("metadata") or {}).get("message_id") == message_id), None)
    if start is None:
        return None
    replies: list[RasaReply] = []
    for event in events[start + 1:]:
        if not isinstance(event, dict) or event.get("event") == "user":
            break
        if event.get("event") == "bot":
            data = event.get("data") or {}
            reply: RasaReply = {"recipient_id": sender}
            if event.get("text"):
                reply["text"] = str(event["text"])
            if data.get("buttons"):
                reply["buttons"] = data["buttons"]
            if data.get("custom"):
                reply["custom"] = data["custom"]
            replies.append(reply)
    return replies
