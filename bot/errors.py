"""Exceptions raised by the bot package."""


class BotError(Exception):
    """Base class for every error the bot package raises."""


class ConfigError(BotError):
    """The configuration is unusable (for example a placeholder secret in production)."""


class EngineUnavailable(BotError):
    """The Rasa server could not be reached or did not answer in time."""


class UnknownConversation(BotError):
    """No conversation has the given id."""


class DeliveryFailed(BotError):
    """A message could not be sent this time (network, rate limit, server error): retry."""


class Undeliverable(BotError):
    """A message can never be sent as it is (user blocked the bot, window closed, no template)."""


class ErasureFailed(BotError):
    """Some of a user's data could not be erased; the erasure must not be reported as done."""


class TurnLockUnavailable(BotError):
    """The store of per-conversation turn locks (Redis) could not be reached."""
