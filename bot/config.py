"""Settings in one place: environment variables, optionally read from a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_PLACEHOLDERS = {"", "changeme", "change-me", "changethis", "secret", "password", "test", "xxx"}


class Settings(BaseSettings):
    """Every knob of the deployment. Secrets have no defaults."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    environment: Literal["development", "test", "production"] = Field(
        "development", alias="IESMED_ENV"
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", alias="IESMED_DATA_DIR")
    database_url: str | None = Field(None, alias="DATABASE_URL")

    bot_host: str = Field("127.0.0.1", alias="BOT_HOST")
    bot_port: int = Field(8080, alias="BOT_PORT")
    rasa_url: str = Field("http://127.0.0.1:5005", alias="RASA_URL")
    rasa_timeout_seconds: float = Field(15.0, alias="RASA_TIMEOUT_SECONDS")
    # Rasa's HTTP API (model/parse, trackers) answers only with this token.
    rasa_token: SecretStr | None = Field(None, alias="RASA_TOKEN")
    tracker_store_url: str | None = Field(None, alias="TRACKER_STORE_URL")
    lock_store_url: str | None = Field(None, alias="LOCK_STORE_URL")

    max_message_chars: int = Field(4000, alias="MAX_MESSAGE_CHARS")
    max_body_bytes: int = Field(32_768, alias="MAX_BODY_BYTES")
    # Chat API rate limits (token buckets, see bot/web/rate_limit.py): new conversations
    # per client address, and messages per conversation.
    chat_conversations_per_minute: float = Field(30.0, gt=0,
                                                 alias="CHAT_CONVERSATIONS_PER_MINUTE")
    chat_conversations_burst: int = Field(30, ge=1, alias="CHAT_CONVERSATIONS_BURST")
    chat_messages_per_minute: float = Field(60.0, gt=0, alias="CHAT_MESSAGES_PER_MINUTE")
    chat_messages_burst: int = Field(30, ge=1, alias="CHAT_MESSAGES_BURST")

    telegram_token: SecretStr | None = Field(None, alias="TELEGRAM_TOKEN")
    telegram_webhook_url: str | None = Field(None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")
    whatsapp_token: SecretStr | None = Field(None, alias="WHATSAPP_TOKEN")
    whatsapp_app_secret: SecretStr | None = Field(None, alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: SecretStr | None = Field(None, alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_phone_number_id: str | None = Field(None, alias="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_graph_url: str = Field("https://graph.facebook.com/v21.0", alias="WHATSAPP_GRAPH_URL")
    whatsapp_template: str | None = Field(None, alias="WHATSAPP_TEMPLATE")
    staff_console_secret: SecretStr | None = Field(None, alias="STAFF_CONSOLE_SECRET")

    # Handoff to brokers: when they work (local time in BROKER_TIMEZONE), and the
    # Telegram staff group (a forum) that mirrors escalated conversations, if any.
    broker_hours: str = Field("mon-fri 09:00-18:00", alias="BROKER_HOURS")
    broker_timezone: str = Field("Europe/Madrid", alias="BROKER_TIMEZONE")
    broker_holidays: str = Field("", alias="BROKER_HOLIDAYS")
    telegram_staff_chat_id: str | None = Field(None, alias="TELEGRAM_STAFF_CHAT_ID")
    outbox_poll_seconds: float = Field(1.0, alias="OUTBOX_POLL_SECONDS")

    # Event reminders: how long before the start (e.g. "24h,1h", "2d,90m"), and how often
    # the bot looks for reminders that are due.
    reminder_offsets: str = Field("24h,1h", alias="REMINDER_OFFSETS")
    reminder_poll_seconds: float = Field(15.0, alias="REMINDER_POLL_SECONDS")

    migrate_on_start: bool = Field(True, alias="MIGRATE_ON_START")
    # Conversations idle this many days lose their personal data (catalog/retention.py).
    # The privacy notice promises "2 years at most" in every language: not more than 730.
    retention_days: int = Field(730, ge=1, le=730, alias="RETENTION_DAYS")
    # Messages kept while the engine was away are answered when it is back, if younger
    # than this; older ones are not (the user is asked to write again).
    kept_message_minutes: int = Field(60, ge=1, le=1440, alias="KEPT_MESSAGE_MINUTES")

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object, info: ValidationInfo) -> object:
        """Read an empty variable (``X=`` or compose's ``${X:-}``) as not set."""
        field = cls.model_fields.get(info.field_name or "")
        if value == "" and field is not None and field.default is None:
            return None
        return value

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        """Refuse missing or placeholder secrets outside development and tests."""
        if self.environment != "production":
            return self
        if self.staff_console_secret is None or _weak(self.staff_console_secret):
            raise ConfigError("STAFF_CONSOLE_SECRET must be set to a strong value in production")
        if self.rasa_token is None or _weak(self.rasa_token):
            raise ConfigError("RASA_TOKEN must be set to a strong value in production")
        for name in ("telegram_webhook_secret", "whatsapp_app_secret", "whatsapp_verify_token"):
            value = getattr(self, name)
            if value is not None and _weak(value):
                raise ConfigError(f"{name.upper()} is a placeholder; set a real secret")
        if self.telegram_token is not None and self.telegram_webhook_url and (
            self.telegram_webhook_secret is None
        ):
            raise ConfigError("TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL")
        return self

    @property
    def database(self) -> str:
        """Return the catalogue database URL (an SQLite file under the data folder by default)."""
        return self.database_url or f"sqlite:///{self.data_dir / 'iesmed.sqlite3'}"

    @property
    def bot_url(self) -> str:
        """Return the base URL of the bot's HTTP server."""
        return f"http://{self.bot_host}:{self.bot_port}"


def _weak(secret: SecretStr) -> bool:
    value = secret.get_secret_value()
    return value.strip().lower() in _PLACEHOLDERS or len(value) < 16


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment (and .env); ``overrides`` win."""
    return Settings(**overrides)  # type: ignore[arg-type]
