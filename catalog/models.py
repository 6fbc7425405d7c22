"""Typed ORM models. Translations live in rows, one per (object, language)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant, stored in UTC and always read back aware.

    PostgreSQL keeps the zone; SQLite keeps none and returns naive values, which
    every caller would otherwise have to patch.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect
                           ) -> dt.datetime | None:
        """Store instants in UTC (an aware value in another zone is converted)."""
        if value is not None and value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect
                             ) -> dt.datetime | None:
        """Read naive values (SQLite) as UTC."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every catalogue table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


def _now() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class Provider(Base):
    """An organisation offering services: the broker itself or a partner."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    discoverable: Mapped[bool] = mapped_column(Boolean, default=False)

    translations: Mapped[list[ProviderTranslation]] = relationship(
        back_populates="provider", cascade="all, delete-orphan"
    )
    services: Mapped[list[Service]] = relationship(back_populates="provider")


class ProviderTranslation(Base):
    """A provider's summary in one language."""

    __tablename__ = "provider_translation"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    summary: Mapped[str] = mapped_column(Text)

    provider: Mapped[Provider] = relationship(back_populates="translations")


class Service(Base):
    """A service offered to social economy organisations."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    category: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    amount_min: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_max: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    cost: Mapped[str] = mapped_column(String(20), default="free")
    languages: Mapped[list[str]] = mapped_column(default=list)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Derived by catalog.search.index_services for fast filtering: ",ES,FR," or None (open to all)
    eligible_countries: Mapped[str | None] = mapped_column(String(400))
    eligible_legal_forms: Mapped[str | None] = mapped_column(String(200))
    eligible_stages: Mapped[str | None] = mapped_column(String(100))
    eligible_sectors: Mapped[str | None] = mapped_column(String(300))
    delivery_languages: Mapped[str | None] = mapped_column(String(60))

    provider: Mapped[Provider] = relationship(back_populates="services")
    translations: Mapped[list[ServiceTranslation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    eligibility: Mapped[list[ServiceEligibility]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    terms: Mapped[list[ServiceTerm]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )


class ServiceTranslation(Base):
    """A service's text in one language."""

    __tablename__ = "service_translation"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")

    service: Mapped[Service] = relationship(back_populates="translations")


class ServiceEligibility(Base):
    """One allowed value of one eligibility dimension (country, legal_form, sector, stage).

    A service with no row for a dimension is open to every value of it.
    """

    __tablename__ = "service_eligibility"
    __table_args__ = (Index("ix_service_eligibility_dim_value", "dimension", "value"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)

    service: Mapped[Service] = relationship(back_populates="eligibility")


class ServiceTerm(Base):
    """A search term of a service: a normalised word stem of its text, or its delivery language.

    Derived from the service by `catalog.search.index_service`; the matching reads it
    so that text relevance and language preference are answered by the database.
    """

    __tablename__ = "service_term"
    __table_args__ = (Index("ix_service_term_term", "term", "service_id"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(40), primary_key=True)

    service: Mapped[Service] = relationship(back_populates="terms")


class Event(Base):
    """An event people can register for through the chat."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    timezone: Mapped[str] = mapped_column(String(60))
    venue: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_deadline: Mapped[dt.date | None] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(default=list)
    topics: Mapped[list[str]] = mapped_column(default=list)
    countries: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Registrations (catalog.registrations): confirmed seats, a counter that numbers every
    # registration in arrival order, and when staff cancelled the event.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    arrivals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    translations: Mapped[list[EventTranslation]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventTranslation(Base):
    """An event's text in one language."""

    __tablename__ = "event_translation"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="translations")


class Conversation(Base):
    """One chat between a user on a channel and the assistant (or a broker)."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(10), default="bot")
    # Handoff: why and since when the conversation waits, and which broker holds it.
    handoff_reason: Mapped[str | None] = mapped_column(String(60))
    waiting_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # The user's latest message: opens WhatsApp's 24-hour customer-service window.
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=_now, onupdate=_now, server_default=func.now()
    )

    messages: Mapped[list[ConversationMessage]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="ConversationMessage.id",
    )


class ConversationMessage(Base):
    """One message of a conversation's transcript, in either direction."""

    __tablename__ = "conversation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    # Who wrote it: user | assistant | broker | system (the core's own notices).
    author: Mapped[str] = mapped_column(String(10), default="user", server_default="user")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)
    # A user message kept while the dialogue engine was unavailable, waiting to be answered.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                          index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Consent(Base):
    """A user's answer to the consent question, with the exact text they were shown."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    text_shown: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class Case(Base):
    """A structured request for assistance, ready for a broker."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="new", index=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(2))
    org_name: Mapped[str | None] = mapped_column(String(200))
    legal_form: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    # Where it wants to go (partners, markets, fairs): ISO codes, home left out.
    destinations: Mapped[list[str]] = mapped_column(default=list)
    sector: Mapped[str | None] = mapped_column(String(40))
    members: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))
    need_category: Mapped[str | None] = mapped_column(String(40), index=True)
    need_description: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    timeline: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    original_words: Mapped[list[str]] = mapped_column(default=list)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now,
                                                    onupdate=_now)

    history: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id")


class CaseEvent(Base):
    """One step in a case's history (created, matched, escalated, closed...)."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)

    case: Mapped[Case] = relationship(back_populates="history")


class CaseService(Base):
    """A service the user chose from the proposals, for the broker to follow up."""

    __tablename__ = "case_service"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"),
                                         primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)

    service: Mapped[Service] = relationship()


class EventRegistration(Base):
    """A person registered for an event through the chat (personal data: erased with the user).

    ``status`` is confirmed (holds a seat), waitlisted (``arrival`` orders the waiting list)
    or cancelled (kept so the user still sees it until the event is over).
    """

    __tablename__ = "event_registration"
    __table_args__ = (UniqueConstraint("event_id", "conversation_id"),
                      Index("ix_event_registration_queue", "event_id", "status", "arrival"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    status: Mapped[str] = mapped_column(String(12), default="confirmed",
                                        server_default="confirmed")
    arrival: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(10))  # user | staff | event
    # Names the registration's calendar file (/api/registrations/<token>.ics): unguessable.
    calendar_token: Mapped[str] = mapped_column(String(43), unique=True, index=True)
    # Minutes before the start of the latest reminder queued (None: none yet).
    reminded_before: Mapped[int | None] = mapped_column(Integer)

    event: Mapped[Event] = relationship()


class PartnerIntroduction(Base):
    """One organisation asking to meet another; contacts are shared only once both agree."""

    __tablename__ = "partner_introduction"
    __table_args__ = (UniqueConstraint("requester_case_id", "target_case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True)
    target_case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="requested")  # accepted | declined
    requester_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    requester: Mapped[Case] = relationship(foreign_keys=[requester_case_id])
    target: Mapped[Case] = relationship(foreign_keys=[target_case_id])


class ConversationStateChange(Base):
    """One move of a conversation between the assistant, the queue and a broker: who and why."""

    __tablename__ = "conversation_state_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(20))  # user | assistant | staff | system
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, index=True)


class Staff(Base):
    """A broker or administrator who signs in to the staff console."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(10))  # broker | admin
    language: Mapped[str] = mapped_column(String(2), default="en")
    password_hash: Mapped[str] = mapped_column(String(200))
    # Their Telegram account, when they answer from the staff group's forum topics.
    telegram_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class StaffSession(Base):
    """A signed-in console session; only a hash of the cookie's token is stored."""

    __tablename__ = "staff_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class LoginAttempt(Base):
    """A failed sign-in, counted to slow down password guessing."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, index=True)


class ConversationNote(Base):
    """An internal note a broker leaves on a conversation; never shown to the user."""

    __tablename__ = "conversation_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class CannedReply(Base):
    """A ready-made broker reply in one language."""

    __tablename__ = "canned_reply"
    __table_args__ = (UniqueConstraint("key", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    lang: Mapped[str] = mapped_column(String(2), index=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)


class OutboxMessage(Base):
    """A message the product sends on its own (broker reply, introduction, reminder).

    Written in the same transaction as what caused it; a delivery worker sends it
    through the conversation's channel, retries with back-off and records the outcome.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    transcript_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_message.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # broker | notice | introduction | reminder
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # A file sent with the message: {"kind": "calendar", "token": ..., "filename": ...}.
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class StaffTopic(Base):
    """The staff-group forum topic (Telegram) that mirrors one escalated conversation."""

    __tablename__ = "staff_topic"
    __table_args__ = (UniqueConstraint("chat_id", "thread_id"),)

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(32))
    thread_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class ProcessedUpdate(Base):
    """An update a channel delivered (Telegram update_id, WhatsApp message id).

    Kept in the database so a redelivery after a restart, or to another replica, is
    not answered twice. ``done`` is set once the update was handled; a claim that
    failed is removed, and one left unfinished by a crashed process expires, so the
    redelivery is handled then.
    """

    __tablename__ = "processed_update"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, index=True)
