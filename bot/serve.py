"""The bot process: the HTTP server (chat API, web chat, console), Telegram, deliveries."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot.config import load_settings
from bot.web.app import create_app

logger = logging.getLogger(__name__)


async def serve() -> None:
    """Run the HTTP server (and Telegram polling when TELEGRAM_TOKEN is set) until stopped."""
    settings = load_settings()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.bot_host, port=settings.bot_port,
                                           log_level="info", access_log=False))
    await server.serve()


def main() -> None:
    """Entry point of `python -m bot.serve`."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve())


if __name__ == "__main__":
    main()
