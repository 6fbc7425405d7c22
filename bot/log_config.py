"""Logging of the bot process: one handler, quiet HTTP clients, secrets never written.

Telegram's Bot API puts the bot token in every URL (``/bot<token>/sendMessage``), httpx
logs each request URL at INFO, and python-telegram-bot's ``repr`` of a bot shows its
token. So the HTTP client loggers are held at WARNING, and every line is passed through
a formatter that replaces each configured secret with ``[redacted]`` (tracebacks too),
and the values PostgreSQL quotes in its constraint errors (keys, failing rows).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

from bot.config import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
# Loggers that write request URLs (and so the Telegram token) at INFO or DEBUG.
QUIET_LOGGERS = ("httpx", "httpcore", "hpack")
# PostgreSQL repeats the offending values in its errors ("DETAIL:  Key (channel,
# channel_user_id)=(whatsapp, 34600000001) already exists."): a phone, an e-mail, a name.
_KEY_VALUES = re.compile(r"(Key \([^)]*\))=\((?:[^()]|\([^()]*\))*\)")
_FAILING_ROW = re.compile(r"(Failing row contains )\((?:[^()]|\([^()]*\))*\)")
_SECRET_FIELDS = ("telegram_token", "telegram_webhook_secret", "whatsapp_token",
                  "whatsapp_app_secret", "whatsapp_verify_token", "staff_console_secret")


class RedactingFormatter(logging.Formatter):
    """Format a record, then blank out every secret in the text."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        # Longest first, so a token is replaced whole before any part of it.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        """Return the formatted line with the secrets replaced."""
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _KEY_VALUES.sub(rf"\1=({REDACTED})", text)
        return _FAILING_ROW.sub(rf"\1({REDACTED})", text)


def secrets_of(settings: Settings) -> list[str]:
    """Return the secret values of the settings, and the secret half of the Telegram token."""
    values = []
    for name in _SECRET_FIELDS:
        secret = getattr(settings, name)
        if secret is not None and secret.get_secret_value():
            values.append(secret.get_secret_value())
    if settings.telegram_token is not None:
        # "<bot id>:<secret>": the part after the colon is what must never be shown.
        _bot_id, _, key = settings.telegram_token.get_secret_value().partition(":")
        if len(key) >= 8:
            values.append(key)
    return values


def configure_logging(settings: Settings, *, level: int = logging.INFO,
                      stream: TextIO | None = None) -> logging.Handler:
    """Send every log line of the process through one redacting handler; return it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, secrets_of(settings)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
