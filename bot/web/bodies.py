"""Request bodies read safely: a size cap while streaming, JSON parsed without surprises.

Shared by the chat API and the channel webhooks, so that every HTTP entry point refuses
an oversized or malformed body the same way, before anything is stored or verified.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from bot.errors import BotError


class BadBody(BotError):
    """The request body cannot be served; carries the HTTP status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def read_body(request: Request, limit: int) -> bytes:
    """Read the body, stopping as soon as it passes ``limit`` bytes.

    Raises:
        BadBody: 413 when the declared or actual length is over the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise BadBody(400, "invalid Content-Length header")
        # Compare lengths first: int() refuses strings of more than 4,300 digits.
        digits = declared.lstrip("0") or "0"
        if len(digits) > len(str(limit)) or int(digits) > limit:
            raise BadBody(413, f"request body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BadBody(413, f"request body larger than {limit} bytes")
    return bytes(body)


def parse_json(body: bytes) -> Any:
    """Decode a JSON document from raw bytes.

    Raises:
        BadBody: 400 when the bytes are not JSON (invalid encoding, syntax, or nesting
            deeper than the parser can follow).
    """
    try:
        return json.loads(body)
    except RecursionError as exc:
        raise BadBody(400, "body is not valid JSON (nested too deeply)") from exc
    except ValueError as exc:  # includes UnicodeDecodeError and JSONDecodeError
        raise BadBody(400, "body is not valid JSON") from exc


async def json_object(request: Request, limit: int, *, empty: dict[str, Any] | None = None
                      ) -> dict[str, Any]:
    """Read a body that must be a JSON object; an empty body gives ``empty`` if allowed.

    Raises:
        BadBody: 413 too large, 400 not JSON or not an object.
    """
    body = await read_body(request, limit)
    if not body and empty is not None:
        return dict(empty)
    data = parse_json(body)
    if not isinstance(data, dict):
        raise BadBody(400, "body must be a JSON object")
    return data
