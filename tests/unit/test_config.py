"""Settings: sensible development defaults, no working secret defaults, placeholders refused."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError


def test_development_defaults_use_an_sqlite_file_under_the_data_folder(settings_factory):
    settings = settings_factory()
    assert settings.database.startswith("sqlite:///")
    assert settings.database.endswith("data/iesmed.sqlite3")
    assert settings.telegram_token is None and settings.staff_console_secret is None


def test_production_refuses_a_missing_console_secret(settings_factory):
    with pytest.raises(ConfigError, match="STAFF_CONSOLE_SECRET"):
        settings_factory(IESMED_ENV="production")


@pytest.mark.parametrize("weak", ["changeme", "secret", "short"])
def test_production_refuses_placeholder_secrets(settings_factory, weak):
    with pytest.raises(ConfigError):
        settings_factory(IESMED_ENV="production", STAFF_CONSOLE_SECRET=weak)


def test_production_refuses_rasas_api_without_a_strong_token(settings_factory, monkeypatch):
    monkeypatch.delenv("RASA_TOKEN", raising=False)  # the test stack sets one
    for token in (None, "changeme", "short"):
        extra = {"RASA_TOKEN": token} if token else {}
        with pytest.raises(ConfigError, match="RASA_TOKEN"):
            settings_factory(IESMED_ENV="production",
                             STAFF_CONSOLE_SECRET="a-long-random-value-0192837465", **extra)


def test_production_accepts_strong_secrets(settings_factory):
    settings = settings_factory(IESMED_ENV="production",
                                STAFF_CONSOLE_SECRET="a-long-random-value-0192837465",
                                RASA_TOKEN="another-long-random-value-5647382910")
    assert settings.staff_console_secret.get_secret_value().startswith("a-long")
    assert "0192837465" not in repr(settings)


def test_tokens_are_read_from_the_environment(settings_factory, monkeypatch):
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:ABCdef")
    settings = settings_factory()
    assert settings.telegram_token.get_secret_value() == "123456:ABCdef"


def test_rate_limits_must_allow_something(settings_factory):
    from pydantic import ValidationError

    assert settings_factory(CHAT_MESSAGES_PER_MINUTE="6").chat_messages_per_minute == 6
    for bad in ({"CHAT_MESSAGES_PER_MINUTE": "0"}, {"CHAT_CONVERSATIONS_BURST": "0"},
                {"CHAT_CONVERSATIONS_PER_MINUTE": "-1"}):
        with pytest.raises(ValidationError):
            settings_factory(**bad)
