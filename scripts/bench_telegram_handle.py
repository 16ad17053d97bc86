"""Per-update cost of taking a Telegram update in, in-process and without the network: the
engine alone, the switchboard (engine plus one SQLite transaction), the channel's handle(), and
the same through aiogram's Dispatcher with one handler, for comparison. Prints JSON.

    .venv/bin/python scripts/bench_telegram_handle.py [--updates 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from aiogram import Dispatcher, F, Router
from aiogram.types import Message, Update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build  # noqa: E402
from bot.channels.telegram import updates  # noqa: E402
from bot.engine.messages import Inbound, State  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.migrate import upgrade_async  # noqa: E402
from tests.fakes import bot_api as tg  # noqa: E402

TEXTS = ["/start KG-ru", "паспорт забрали", "/menu", "не платят зарплату", "/help"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=1500)
    count = parser.parse_args().updates
    workdir = tempfile.mkdtemp()
    url = f"sqlite:///{workdir}/hotline.db"
    await upgrade_async(url)
    settings = Settings(
        _env_file=None,
        database_url=url,
        secret_key="bench",
        var_dir=ROOT / "var",
        telegram_token="1:bench",
        telegram_api_base="http://127.0.0.1:9",  # never called: nothing is sent here
    )
    hotline = build(settings)
    channel = hotline.telegram
    assert channel is not None
    chat = iter(range(10**6, 10**7))

    def update(n: int) -> Update:
        body = {"update_id": next(chat), **tg.message(next(chat), TEXTS[n % len(TEXTS)])}
        return Update.model_validate(body, context={"bot": channel.bot})

    # Routed the way an aiogram bot usually is: a router, a filter for group chats, a handler.
    router = Router()

    @router.message(F.chat.type != "private")
    async def in_group(message: Message) -> None:
        raise AssertionError("no group chats here")

    @router.message()
    async def on_message(message: Message, event_update: Update) -> None:
        inbound = updates.from_message(message, event_update.update_id, channel.countries)
        await hotline.switchboard.receive(inbound)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)

    async def per_update(work) -> float:
        prepared = [update(n) for n in range(count)]
        started = time.perf_counter()
        for item in prepared:
            await work(item)
        return round((time.perf_counter() - started) / count * 1000, 3)

    state = State(language="ru", country="KG", started=True, country_asked=True)

    async def engine(item: Update) -> None:
        hotline.conversation.respond(state, Inbound("telegram", "1", text=item.message.text))

    async def switchboard(item: Update) -> None:
        await hotline.switchboard.receive(
            updates.from_message(item.message, item.update_id, channel.countries)
        )

    paths = {
        "engine_ms": engine,
        "switchboard_ms": switchboard,
        "channel_handle_ms": channel.handle,
        "aiogram_dispatcher_ms": lambda item: dispatcher.feed_update(channel.bot, item),
    }
    for work in paths.values():  # warm every path up once, so order does not favour any
        await work(update(0))
    timings: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(3):  # interleaved rounds: the machine's noise falls on all paths alike
        for name, work in paths.items():
            timings[name].append(await per_update(work))
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "updates_per_round": count,
        **{name: min(values) for name, values in timings.items()},
    }
    await hotline.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
