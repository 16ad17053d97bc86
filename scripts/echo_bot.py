"""A bare aiogram 3 echo bot in webhook mode: the baseline for scripts/bench_telegram.py.

python scripts/echo_bot.py PORT API_BASE TOKEN SECRET
"""

from __future__ import annotations

import sys

try:
    import uvloop
except ImportError:  # uvicorn uses plain asyncio then too
    uvloop = None

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web


def main() -> None:
    port, api_base, token, secret = sys.argv[1:5]
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret).register(app, "/telegram/webhook")
    # The same event loop the hotline gets from uvicorn, so the two are compared fairly.
    loop = uvloop.new_event_loop() if uvloop else None
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None, loop=loop)


if __name__ == "__main__":
    main()
