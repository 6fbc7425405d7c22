"""A web-chat user who answers the intake's questions, through one bot or alternating several."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import httpx

from ops.rasa_project import language_responses

QUESTIONS = ("consent", "org_name", "legal_form", "country", "city", "sector", "members",
             "stage", "website", "need_category", "need_description", "discoverable", "amount",
             "timeline", "contact_name", "email", "phone")


def response_text(lang: str, name: str) -> str:
    """Return the first variation of a response of the domain in one language."""
    return str(language_responses()[lang][name][0]["text"])


class IntakeChat:
    """A user of the chat API; each message goes to the next bot URL in turn."""

    def __init__(self, bot_urls: Sequence[str], lang: str) -> None:
        self.clients = [httpx.Client(base_url=url, timeout=90) for url in bot_urls]
        self._next = itertools.cycle(range(len(self.clients)))
        self.lang = lang
        opened = self.clients[0].post("/api/conversations", json={"language": lang})
        assert opened.status_code == 201, opened.text
        self.id: str = opened.json()["conversation_id"]
        self.asked: list[str] = []
        self.last: dict = {}

    def say(self, text: str, *, via: int | None = None) -> list[str]:
        """Send one message (through bot ``via``, or the next one) and return the reply texts."""
        client = self.clients[next(self._next) if via is None else via]
        response = client.post(f"/api/conversations/{self.id}/messages", json={"text": text})
        assert response.status_code == 200, response.text
        self.last = response.json()
        return [r["text"] for r in self.last["replies"]]

    def question(self) -> str | None:
        """Return which intake question the last replies ask, if any."""
        for reply in self.last.get("replies", []):
            for slot in QUESTIONS:
                if reply["text"] == response_text(self.lang, f"utter_ask_{slot}"):
                    return slot
        return None

    def answer(self, answers: dict[str, str], *, via: int | None = None) -> str:
        """Answer the question asked now from ``answers``; return which one it was."""
        slot = self.question()
        assert slot is not None, f"no question asked; replies: {self.last}"
        assert slot in answers, f"unexpected question {slot}; replies: {self.last}"
        self.asked.append(slot)
        self.say(answers[slot], via=via)
        return slot

    def answer_all(self, answers: dict[str, str], *, via: int | None = None,
                   limit: int = 20) -> None:
        """Answer each question until none is asked (the summary)."""
        for _ in range(limit):
            if self.question() is None:
                return
            self.answer(answers, via=via)
        raise AssertionError("the intake did not end")

    def summary_shown(self) -> bool:
        """Return whether the last replies show the case summary."""
        intro = response_text(self.lang, "utter_case_summary").split("{summary}")[0].strip()
        return any(r["text"].startswith(intro) for r in self.last.get("replies", []))

    def close(self) -> None:
        """Close the HTTP clients."""
        for client in self.clients:
            client.close()
