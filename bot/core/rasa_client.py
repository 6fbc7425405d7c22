"""HTTP client for the Rasa server's REST channel: the only way bot/ reaches Rasa."""

from __future__ import annotations

import logging
from typing import Any, TypedDict, cast

import httpx

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


class RasaClient:
    """Send user messages to Rasa and return its replies."""

    def __init__(self, base_url: str, *, timeout: float = 15.0, token: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._api_params = {"token": token} if token else {}
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout,
                                         transport=transport)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[RasaReply]:
        """Deliver one user message and return what the assistant answers.

        Raises:
            EngineUnavailable: Rasa could not be reached, failed, or answered too late.
        """
        try:
            response = await self._client.post(
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
            )
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise EngineUnavailable(f"Rasa did not answer: {type(exc).__name__}") from exc
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
            response = await self._client.get(f"/conversations/{sender}/tracker",
                                              params=self._api_params)
            response.raise_for_status()
            events = response.json().get("events") or []
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise EngineUnavailable(f"Rasa did not return the tracker: {type(exc).__name__}"
                                    ) from exc
        return replies_after(events, sender, message_id)

    async def question_open(self, sender: str) -> bool:
        """Whether the assistant is waiting for the answer to a form's question.

        False when Rasa cannot say (unreachable, unknown conversation): the caller then
        does what it would do without a question open.
        """
        try:
            response = await self._client.get(
                f"/conversations/{sender}/tracker",
                params={**self._api_params, "include_events": "NONE"})
            response.raise_for_status()
            loop = response.json().get("active_loop") or {}
            return bool(loop.get("name"))
        except (httpx.HTTPError, ValueError, AttributeError, TypeError):
            return False

    async def parse(self, text: str) -> tuple[str | None, float]:
        """Return the intent the NLU model reads in ``text`` and its confidence.

        Raises:
            EngineUnavailable: Rasa could not be reached or answered something unexpected.
        """
        try:
            response = await self._client.post("/model/parse", json={"text": text},
                                               params=self._api_params)
            response.raise_for_status()
            intent = response.json().get("intent") or {}
            return (str(intent["name"]) if intent.get("name") else None,
                    float(intent.get("confidence") or 0.0))
        except (httpx.HTTPError, ValueError, AttributeError, TypeError) as exc:
            raise EngineUnavailable(f"Rasa did not parse: {type(exc).__name__}") from exc

    async def ready(self) -> bool:
        """Return whether Rasa answers and has a model loaded."""
        try:
            response = await self._client.get("/status", params=self._api_params, timeout=3.0)
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError, AttributeError):
            return False

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


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
