"""Replay the real-conversation corpus through the running product and measure it.

`./iesmed replay [--lang xx ...] [--report PATH] [--url BOT --rasa-url URL --database URL]`

Every first message goes to a fresh web conversation; every conversation is played through
the chat API: an intake answers the questions the bot actually asks (from its `answers`),
sends its asides and corrections, confirms the summary, and its saved Case row is compared
with `expect`; a script sends its fixed messages and checks the replies. Without --url the
command starts its own stack (action server, Rasa, bot) on a fresh SQLite database. It is a
measurement: misses are reported, not an error; the exit code is 1 only when the product
could not be started or reached, 2 when the corpus is refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.models import Case
from ops.replay_corpus import Conversation, Corpus, FirstMessage
from ops.replay_observe import ChatSession, Responses, Tracker, Turn, flow_of
from ops.replay_report import ConversationResult, FirstResult, LanguageResult

MAX_TURNS = 45  # an intake that has not reached its summary by then is stuck
MAX_ANSWERS = 2  # the same question answered twice and asked again: stuck


@dataclass(frozen=True)
class Target:
    """Where the product under measurement runs."""

    bot_url: str
    rasa_url: str
    token: str
    database_url: str
    hint: bool = False  # open each conversation with its language as the browser's hint


class Replayer:
    """Plays corpora against one running product."""

    def __init__(self, target: Target, sessions: sessionmaker[Session],
                 responses: Responses | None = None,
                 progress: Callable[[str], None] = lambda _line: None) -> None:
        self.target = target
        self.sessions = sessions
        self.responses = responses or Responses()
        self.progress = progress
        self._bot = httpx.Client(base_url=target.bot_url, timeout=120)
        self._tracker = Tracker(target.rasa_url, target.token)
        # Intakes played in the current corpus, for the scripts that go on after them.
        self._played: dict[str, tuple[ChatSession, ConversationResult]] = {}

    def close(self) -> None:
        """Close the HTTP clients."""
        self._bot.close()
        self._tracker.close()

    def chat(self, lang: str) -> ChatSession:
        """Open a fresh web conversation."""
        return ChatSession(self._bot, self._tracker, lang if self.target.hint else None)

    def corpus(self, corpus: Corpus) -> LanguageResult:
        """Replay one language's corpus."""
        result = LanguageResult(corpus.language)
        self._played = {}
        for message in corpus.first_messages:
            result.first.append(self.first(corpus.language, message))
        self.progress(f"replay: {corpus.language}: {len(result.first)} first messages")
        for conversation in corpus.conversations:
            played = (self.intake(corpus.language, conversation)
                      if conversation.kind == "intake"
                      else self.script(corpus.language, conversation))
            self.progress(f"replay: {conversation.id}: "
                          f"{'ok' if played.correct else '; '.join(played.failures)}")
            result.conversations.append(played)
        return result

    def first(self, lang: str, message: FirstMessage) -> FirstResult:
        """Send one first message in a fresh conversation and judge the reply."""
        turn = self.chat(lang).say(message.text)
        flow = flow_of(turn)
        result = FirstResult(text=message.text, expected=message.flow,
                             names_need=message.names_need, flow=flow,
                             language=turn.language, fallback=self.responses.fallback(turn),
                             replies=turn.replies)
        result.problems = self.turn_problems(turn, lang, expected_flow=message.flow)
        return result

    def turn_problems(self, turn: Turn, lang: str, *, expected_flow: str | None = None,
                      not_fallback: bool = True) -> list[str]:
        """Return what is wrong with a turn: HTTP error, fallback, flow, language."""
        problems = []
        if turn.status != 200:
            problems.append(f"the bot answered HTTP {turn.status}")
        fallback = self.responses.fallback(turn)
        if not_fallback and fallback:
            problems.append(f"fallback ({fallback}, intent {turn.intent})")
        invalid = self.responses.invalid(turn)
        if invalid:
            problems.append(f"a validation message ({', '.join(invalid)})")
        flow = flow_of(turn)
        if expected_flow and flow != expected_flow:
            problems.append(f"started {flow or 'no flow'} (intent {turn.intent})")
        slot_language = turn.slots.get("language")
        if turn.language != lang or slot_language not in (None, lang):
            problems.append(f"language {turn.language} (Rasa's slot {slot_language})")
        elif self.responses.foreign(turn, lang):
            problems.append("a reply in another language")
        return problems

    def script(self, lang: str, conversation: Conversation) -> ConversationResult:
        """Send a script's messages in one conversation and check each step's replies."""
        result = ConversationResult(conversation.id, "script")
        reference = ""
        if conversation.after:
            chat, before = self._played[conversation.after]
            if not before.saved or not before.reference:
                result.fail(f"goes on after {conversation.after}, which saved no case", [])
                return result
            reference = before.reference
        else:
            chat = self.chat(lang)
        for index, step in enumerate(conversation.steps, 1):
            turn = chat.say(step.user.replace("{reference}", reference))
            check = step.expect
            problems = self.turn_problems(turn, lang, expected_flow=check.flow,
                                          not_fallback=check.not_fallback)
            said = " ".join(turn.replies).casefold()
            mentions = [m.replace("{reference}", reference) for m in check.mentions]
            problems += [f"no mention of {m!r}" for m in mentions if m.casefold() not in said]
            problems += [f"mentions {m!r}" for m in check.not_mentions if m.casefold() in said]
            if problems:
                result.fail(f"step {index}: " + "; ".join(problems), chat.turns)
        return result

    def intake(self, lang: str, conversation: Conversation) -> ConversationResult:
        """Play an intake: answer what is asked, asides, corrections, confirm; check the case."""
        result = ConversationResult(conversation.id, "intake")
        chat = self.chat(lang)
        self._played[conversation.id] = (chat, result)
        turn = chat.say(conversation.opening)
        opening = self.turn_problems(turn, lang)
        if opening:
            result.fail("opening: " + "; ".join(opening), chat.turns)
        if self._play_form(chat, lang, conversation, result, turn):
            self._check_case(chat, conversation, result)
        return result

    def _say(self, chat: ChatSession, lang: str, result: ConversationResult,
             text: str) -> Turn:
        """Send a message of the conversation; note an HTTP error or a foreign reply once."""
        turn = chat.say(text)
        if turn.status != 200:
            result.fail(f"HTTP {turn.status} after {text!r}", chat.turns)
        elif self.responses.foreign(turn, lang) and not any(
                "another language" in failure for failure in result.failures):
            result.fail(f"a reply in another language after {text!r}", chat.turns)
        return turn

    def _play_form(self, chat: ChatSession, lang: str, conversation: Conversation,
                   result: ConversationResult, turn: Turn) -> bool:
        """Answer questions up to the summary and confirm it; return whether it was confirmed."""
        corrections = list(conversation.at_summary)
        asides = {slot: list(texts) for slot, texts in conversation.asides.items()}
        answered: Counter[str] = Counter()
        for _ in range(MAX_TURNS):
            if self.responses.summary(turn):
                if not corrections:
                    self._say(chat, lang, result, conversation.confirm)
                    return True
                turn = self._say(chat, lang, result, corrections.pop(0))
                continue
            slot = turn.requested_slot
            if slot is None:
                result.fail("neither a question nor the summary", chat.turns)
                return False
            if asides.get(slot):
                turn = self._aside(chat, lang, result, slot, asides[slot].pop(0))
                continue
            if slot not in conversation.answers:
                result.fail(f"asked {slot}, which has no answer in the corpus", chat.turns)
                return False
            if answered[slot] >= MAX_ANSWERS:
                result.stuck_at = slot
                result.fail(f"{slot} asked again after {MAX_ANSWERS} answers", chat.turns)
                return False
            answered[slot] += 1
            result.questions.append(slot)
            turn = self._say(chat, lang, result, conversation.answers[slot])
            if self.responses.invalid(turn) or turn.requested_slot == slot:
                result.validation_failures += 1
        result.fail(f"no summary after {MAX_TURNS} messages", chat.turns)
        return False

    def _aside(self, chat: ChatSession, lang: str, result: ConversationResult, slot: str,
               text: str) -> Turn:
        """Ask about a question; it counts as explained when that question comes back."""
        result.asides += 1
        turn = self._say(chat, lang, result, text)
        refused = self.responses.fallback(turn) or self.responses.invalid(turn)
        if turn.requested_slot == slot and not refused:
            result.asides_explained += 1
        else:
            result.fail(f"aside at {slot} not explained ({refused or 'question not asked again'})",
                        chat.turns)
        return turn

    def _check_case(self, chat: ChatSession, conversation: Conversation,
                    result: ConversationResult) -> None:
        """Compare the saved Case row with the corpus's `expect`."""
        with self.sessions() as session:
            case = session.scalar(select(Case).where(Case.conversation_id == chat.id))
            if case is None:
                result.fail("no case saved after the confirmation", chat.turns)
                return
            result.saved, result.reference = True, case.reference
            wrong = [f"{key} {getattr(case, key)!r} instead of {expected!r}"
                     for key, expected in conversation.expect.items()
                     if not _same(getattr(case, key), expected)]
        if wrong:
            result.fail("case " + "; ".join(wrong), chat.turns)


def _same(stored: object, expected: object) -> bool:
    """Compare a stored field with the corpus's value (numbers by value)."""
    if isinstance(stored, Decimal | int) and not isinstance(stored, bool) and isinstance(
            expected, int | float) and not isinstance(expected, bool):
        return Decimal(str(stored)) == Decimal(str(expected))
    return stored == expected
