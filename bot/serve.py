"""The bot process: the HTTP server (chat API, web chat, console), Telegram, deliveries."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot.config import Settings, load_settings
from bot.log_config import configure_logging
from bot.web.app import create_app
from catalog import heap

logger = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    """Run the HTTP server (and Telegram polling when TELEGRAM_TOKEN is set) until stopped."""
    app = create_app(settings)
    heap.settle()  # what the app loaded (language profiles, templates) lives until exit
    # log_config=None: uvicorn's lines go through the process's redacting handler too.
    server = uvicorn.Server(uvicorn.Config(app, host=settings.bot_host, port=settings.bot_port,
                                           log_level="info", access_log=False,
                                           log_config=None))
    await server.serve()


def main() -> None:
    """Entry point of `python -m bot.serve`."""
    settings = load_settings()
    configure_logging(settings)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
