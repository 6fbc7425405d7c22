"""A turn writes the transcript in two transactions: the user's message, then every reply."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import event, select

from bot.core.conversation import ConversationCore
from bot.core.language import LanguageResolver
from bot.core.messages import InboundMessage
from bot.core.rasa_client import RasaClient
from bot.core.store import ConversationStore
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Conversation, ConversationMessage


async def test_a_turn_with_a_language_switch_and_three_replies_commits_twice(tmp_path: Path
                                                                             ) -> None:
    replies = [{"text": "Hola!"}, {"text": "Soy el asistente."}, {"text": "¿En qué te ayudo?"}]
    rasa = RasaClient("http://rasa.test", transport=httpx.MockTransport(
        lambda _request: httpx.Response(200, json=replies)))
    engine = make_engine(f"sqlite:///{tmp_path / 'core.sqlite3'}")
    upgrade(engine)
    store = ConversationStore(make_session_factory(engine))
    core = ConversationCore(store=store, rasa=rasa, resolver=LanguageResolver(),
                            known_intents=frozenset({"greet", "change_language"}),
                            known_entities=frozenset({"language"}))
    info = store.open(channel="web", language="en")
    commits: list[int] = []
    event.listen(engine, "commit", lambda _connection: commits.append(1))
    result = await core.handle(InboundMessage(info.id, '/change_language{"language": "es"}'))
    assert [r.text for r in result.replies] == [r["text"] for r in replies]
    assert len(commits) == 2  # was 5: the language, the message, one per reply
    with store.sessions() as session:
        assert session.get(Conversation, info.id).language == "es"  # type: ignore[union-attr]
        rows = session.scalars(select(ConversationMessage)
                               .where(ConversationMessage.conversation_id == info.id)
                               .order_by(ConversationMessage.id)).all()
        assert [(r.direction, r.text) for r in rows] == [
            ("in", '/change_language{"language": "es"}'),
            *(("out", r["text"]) for r in replies)]
