"""Response texts of the language packs, for messages sent to someone else's conversation.

A reply to the user who wrote comes from the Rasa domain. A message for another user
(the organisation asked for an introduction) goes through the outbox in *that* user's
language; the catalogue renders it (catalog.notices), so the staff console and the bot's
scheduler can send the same messages without the action server.
"""

from __future__ import annotations

from catalog.notices import render

__all__ = ["render"]
