"""Terminal chat: talk to the bot through the JSON chat API; buttons are numbered."""

from __future__ import annotations

import sys
from typing import Any

import httpx

from bot.core import locales


def render(reply: dict[str, Any], base_url: str = "") -> tuple[str, list[str]]:
    """Return the printable text of one reply and the payloads of its numbered buttons."""
    lines = [reply.get("text", "")] if reply.get("text") else []
    if isinstance(reply.get("document"), dict):
        lines.append(f"  ⤓ {base_url.rstrip('/')}{reply['document'].get('url', '')}")
    payloads: list[str] = []
    for button in reply.get("buttons", []):
        payloads.append(button["payload"])
        lines.append(f"  [{len(payloads)}] {button['title']}")
    return "\n".join(lines), payloads


def chat(base_url: str, *, language: str | None = None) -> None:
    """Hold a conversation on the terminal until Ctrl-C, Ctrl-D or /quit."""
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        created = client.post("/api/conversations", json={"channel": "terminal",
                                                          "language": language})
        created.raise_for_status()
        conversation = created.json()["conversation_id"]
        lang = created.json().get("language") or locales.DEFAULT_LANGUAGE
        print("Type a message (numbers pick buttons; /quit to leave).", flush=True)
        buttons: list[str] = []
        while True:
            try:
                text = input(f"{locales.text('you', lang)}> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return
            if text in {"/quit", "/exit"}:
                return
            if text.isdigit() and 0 < int(text) <= len(buttons):
                text = buttons[int(text) - 1]
            try:
                response = client.post(f"/api/conversations/{conversation}/messages",
                                       json={"text": text})
            except httpx.TransportError:
                print("[the bot is not answering; it may be restarting: try again]", flush=True)
                continue
            if response.status_code != 200:
                print(f"[{response.status_code}] {response.json().get('error')}", flush=True)
                continue
            turn = response.json()
            lang = turn["language"]
            buttons = []
            for reply in turn["replies"]:
                printable, payloads = render(reply, base_url)
                offset = len(buttons)
                buttons += payloads
                if offset:
                    for i in range(len(payloads), 0, -1):
                        printable = printable.replace(f"[{i}]", f"[{i + offset}]")
                print(f"{locales.text('bot', lang)}: {printable}", flush=True)


if __name__ == "__main__":
    chat(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080")
