"""No log line of the bot process shows the Telegram token (or any other configured secret)."""

from __future__ import annotations

import io
import logging

import pytest
from telegram import Update
from telegram.request import HTTPXRequest

from bot.channels.telegram import build_application
from bot.log_config import QUIET_LOGGERS, REDACTED, configure_logging
from bot.web.app import build_core
from catalog.db import make_engine
from tests.support.rasa_rest import RasaStandIn
from tests.support.telegram_api import RecordingRequest, private_text

TOKEN = "7044718262:AAH4kZr0-secret-part-of-the-token"
SECRET_PART = TOKEN.partition(":")[2]


@pytest.fixture
def product_logging():
    """Apply the bot process's logging setup to a buffer; put pytest's back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level,
             {name: logging.getLogger(name).level for name in QUIET_LOGGERS})
    buffer = io.StringIO()

    def apply(settings, level):
        configure_logging(settings, level=level, stream=buffer)
        return buffer
    yield apply
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
async def test_the_telegram_token_never_reaches_the_log(settings_factory, product_logging,
                                                        level):
    settings = settings_factory(TELEGRAM_TOKEN=TOKEN)
    log = product_logging(settings, level)
    engine = make_engine(settings.database)
    core, rasa = build_core(settings, engine, rasa_transport=RasaStandIn().transport())
    recorder = RecordingRequest()
    # PTB's real HTTP request class on httpx, as in production; only the network is replaced.
    request = HTTPXRequest(httpx_kwargs={"transport": recorder.httpx_transport()})
    application = build_application(TOKEN, core, request=request, rate_limit=False)
    try:
        await application.initialize()
        await application.process_update(Update.de_json(
            private_text(1, 501, "Hello, we are a cooperative in Sfax"), application.bot))
        # Things that carry the token in their text: the bot's repr, a failing request.
        logger = logging.getLogger("bot.channels.telegram")
        logger.warning("telegram: state of %r", application.bot)
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
        except RuntimeError:
            logger.exception("telegram: send failed")
    finally:
        await application.shutdown()
        await rasa.aclose()
        engine.dispose()
    assert [c.method for c in recorder.calls if c.method == "sendMessage"] == ["sendMessage"]
    written = log.getvalue()
    assert "telegram: send failed" in written and "Traceback" in written
    assert TOKEN not in written and SECRET_PART not in written
    assert f"RuntimeError: POST https://api.telegram.org/bot{REDACTED}/sendMessage" in written
    assert f"ExtBot[token={REDACTED}]" in written
