"""What one turn of a replayed conversation did, read from Rasa's tracker and the replies.

The flow a message started, the question asked and the language come from the tracker
(actions run since the previous turn, the intent, `active_loop`, `requested_slot`, slots);
fallbacks, validation messages and the language of the texts come from matching the replies
against the domain's responses of every language (ops.rasa_project.language_responses).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from ops.errors import OpsError
from ops.rasa_project import language_responses
from ops.replay_corpus import NEED_FLOWS, QUESTIONS

# Actions (and forms) that show which flow a turn started; intake flows come from the slot.
ACTION_FLOWS = {
    "action_show_case_status": "status", "action_list_registrations": "registrations",
    "action_cancel_registration": "registrations",
    "action_prepare_registration": "registrations", "action_register_event": "registrations",
    "registration_form": "registrations", "action_list_events": "events",
    "action_request_human": "human", "action_request_intro": "partners",
    # The list of what the bot can do is not an answer to a question: a flow of its own.
    "utter_privacy": "faq", "action_show_help": "help", "utter_iamabot": "faq",
    "action_erase_data": "erasure", "action_greet": "greeting", "utter_greet": "greeting",
}
INTENT_FLOWS = {"greet": "greeting", "ask_privacy": "faq", "challenge_bot": "faq",
                "ask_help": "help", "ask_events": "events", "ask_case_status": "status",
                "request_human": "human", "list_registrations": "registrations",
                "register_event": "registrations", "cancel_registration": "registrations"}
# When a turn touches several flows (a greeting and a need), the first of these names it.
PRIORITY = (*NEED_FLOWS, "partners", "intake", "status", "registrations", "events", "human",
            "erasure", "faq", "help", "greeting")
FALLBACKS = ("utter_default", "utter_out_of_scope")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_MIN_CHUNK = 8


class Unreachable(OpsError):
    """The bot or Rasa could not be reached: the replay cannot go on."""


@dataclass(frozen=True)
class Turn:
    """One user message and everything it produced."""

    user: str
    replies: tuple[str, ...]
    status: int  # the chat API's HTTP status
    language: str | None  # the conversation's language, as the bot answered
    intent: str | None = None
    actions: tuple[str, ...] = ()
    active_loop: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)

    @property
    def requested_slot(self) -> str | None:
        """Return the intake question open after this turn, if any."""
        slot = self.slots.get("requested_slot")
        if self.active_loop == "intake_form" and slot in QUESTIONS:
            return str(slot)
        return None


class Responses:
    """Recognise the domain's responses, in any language, inside the bot's replies."""

    def __init__(self, per_language: dict[str, dict[str, list[dict[str, Any]]]] | None = None
                 ) -> None:
        per_language = per_language if per_language is not None else language_responses()
        # (literal chunk of a variation, language, response name): the longest piece of the
        # text between placeholders, found verbatim in a reply that uses the response.
        self._chunks: list[tuple[str, str, str]] = []
        for lang, names in per_language.items():
            for name, variations in names.items():
                for variation in variations:
                    text = str(variation.get("text") or "")
                    chunk = max(_PLACEHOLDER.split(text), key=len).strip()
                    if len(chunk) >= _MIN_CHUNK or (chunk and chunk == text.strip()):
                        self._chunks.append((chunk, lang, name))

    def matches(self, reply: str) -> set[tuple[str, str]]:
        """Return the (language, response name) pairs whose text the reply contains."""
        return {(lang, name) for chunk, lang, name in self._chunks if chunk in reply}

    def names(self, turn: Turn) -> set[str]:
        """Return the response names found in a turn's replies."""
        return {name for reply in turn.replies for _lang, name in self.matches(reply)}

    def foreign(self, turn: Turn, lang: str) -> list[str]:
        """Return the replies that are responses of other languages only, never of ``lang``."""
        wrong = []
        for reply in turn.replies:
            langs = {found for found, _name in self.matches(reply)}
            if langs and lang not in langs:
                wrong.append(reply)
        return wrong

    def fallback(self, turn: Turn) -> str | None:
        """Return "utter_default" or "utter_out_of_scope" when the turn got one, else None."""
        for name in FALLBACKS:
            if name in turn.actions or name in self.names(turn):
                return name
        if "action_default_fallback" in turn.actions:
            return "utter_default"
        return None

    def invalid(self, turn: Turn) -> list[str]:
        """Return the validation messages (utter_invalid_*) among the replies."""
        return sorted(n for n in self.names(turn) | set(turn.actions)
                      if n.startswith("utter_invalid_"))

    def summary(self, turn: Turn) -> bool:
        """Return whether the turn ends at the case summary, waiting for a yes."""
        if turn.active_loop is None and turn.slots.get("awaiting_confirmation") is True:
            return True
        return "utter_case_summary" in self.names(turn)

    def saved(self, turn: Turn) -> bool:
        """Return whether the replies say a case was saved."""
        return "utter_case_saved" in self.names(turn)


def flow_of(turn: Turn) -> str | None:
    """Return the flow a turn started or answered, from the tracker, if any."""
    found: set[str] = set()
    if ("action_start_intake" in turn.actions or "intake_form" in turn.actions
            or turn.active_loop == "intake_form"):
        need = turn.slots.get("need_category")
        found.add(str(need) if need in (*NEED_FLOWS, "partners") else "intake")
    for name in turn.actions:
        if name in ACTION_FLOWS:
            found.add(ACTION_FLOWS[name])
        elif "faq" in name or "question" in name:
            found.add("faq")
    intent = turn.intent or ""
    if intent in INTENT_FLOWS and not found - {"greeting"}:
        found.add(INTENT_FLOWS[intent])
    if "faq" in intent:
        found.add("faq")
    return next((flow for flow in PRIORITY if flow in found), None)


class Tracker:
    """Reads a conversation's tracker from Rasa's HTTP API."""

    def __init__(self, rasa_url: str, token: str) -> None:
        self._client = httpx.Client(base_url=rasa_url, timeout=60)
        self._token = token

    def read(self, conversation_id: str) -> dict[str, Any]:
        """Return the tracker (events, slots, latest message, active loop).

        Raises:
            Unreachable: Rasa did not answer, or refused the token.
        """
        try:
            response = self._client.get(f"/conversations/{conversation_id}/tracker",
                                        params={"token": self._token})
        except httpx.TransportError as exc:
            raise Unreachable(f"Rasa at {self._client.base_url} is unreachable: {exc}") from exc
        if response.status_code != 200:
            raise Unreachable(f"Rasa's tracker API answered HTTP {response.status_code} "
                              "(is RASA_TOKEN the stack's token?)")
        data: dict[str, Any] = response.json()
        return data

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


class ChatSession:
    """One web conversation through the chat API, each turn observed in the tracker."""

    def __init__(self, bot: httpx.Client, tracker: Tracker, hint: str | None = None) -> None:
        self._bot = bot
        self._tracker = tracker
        body: dict[str, str] = {"channel": "web"}
        if hint:
            body["language"] = hint
        opened = self._post("/api/conversations", body)
        if opened.status_code != 201:
            raise Unreachable(f"the bot refused a new conversation: HTTP {opened.status_code}")
        self.id: str = opened.json()["conversation_id"]
        self._seen = 0  # tracker events already looked at
        self.turns: list[Turn] = []

    def _post(self, path: str, body: dict[str, str]) -> httpx.Response:
        """POST, waiting out the rate limit when the bot asks to (HTTP 429)."""
        for _ in range(10):
            try:
                response = self._bot.post(path, json=body)
            except httpx.TransportError as exc:
                raise Unreachable(f"the bot at {self._bot.base_url} is unreachable: "
                                  f"{exc}") from exc
            if response.status_code != 429:
                return response
            time.sleep(min(float(response.headers.get("Retry-After", "2")), 30.0))
        return response

    def say(self, text: str) -> Turn:
        """Send one message; return the turn with what Rasa did for it."""
        response = self._post(f"/api/conversations/{self.id}/messages", {"text": text})
        data = response.json() if response.status_code == 200 else {}
        tracker = self._tracker.read(self.id)
        events = tracker.get("events") or []
        new = events[self._seen:] if len(events) >= self._seen else events
        self._seen = len(events)
        turn = Turn(
            user=text, status=response.status_code, language=data.get("language"),
            replies=tuple(str(r.get("text") or "") for r in data.get("replies", [])),
            intent=_intent(new, tracker),
            actions=tuple(e["name"] for e in new
                          if e.get("event") == "action" and e.get("name") != "action_listen"),
            active_loop=(tracker.get("active_loop") or {}).get("name"),
            slots=tracker.get("slots") or {})
        self.turns.append(turn)
        return turn


def _intent(new_events: list[dict[str, Any]], tracker: dict[str, Any]) -> str | None:
    """Return the intent of the turn's user message.

    Taken from the user event itself: after a fallback Rasa rewinds the message, and the
    tracker's `latest_message` is then empty.
    """
    for event in reversed(new_events):
        if event.get("event") == "user":
            name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            return str(name) if name else None
    latest = tracker.get("latest_message") or {}
    name = (latest.get("intent") or {}).get("name")
    return str(name) if name else None
