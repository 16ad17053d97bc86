"""`kill -9` in the middle of conversations, then a restart: every update Telegram was told we
have (its offset moved past it) gets its reply, and exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from bot.storage.migrate import upgrade
from tests.channels.telegram.conftest import until
from tests.conftest import CONTENT, LOCALES
from tests.fakes import bot_api as tg
from tests.fakes.bot_api import BotApiServer

CHATS = range(801, 821)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path: Path, bot_api: BotApiServer, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": database_url,
        "HOTLINE_SECRET_KEY": "restart-test-key",
        "HOTLINE_VAR_DIR": str(tmp_path / "var"),
        "HOTLINE_CONTENT_DIR": str(CONTENT),
        "HOTLINE_LOCALES_DIR": str(LOCALES),
        "HOTLINE_TELEGRAM_TOKEN": bot_api.api.token,
        "HOTLINE_TELEGRAM_API_BASE": bot_api.base,
        "HOTLINE_PORT": str(free_port()),
        "HOTLINE_LOG_LEVEL": "WARNING",
    }
    with (tmp_path / "serve.log").open("ab") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], env=env, stdout=log, stderr=log, cwd=tmp_path
        )


async def test_kill_9_mid_conversation_then_restart(tmp_path: Path, bot_api: BotApiServer):
    url = f"sqlite:///{tmp_path}/hotline.db"
    await asyncio.to_thread(upgrade, url)
    api = bot_api.api
    service = start(tmp_path, bot_api, url)
    try:
        for chat in CHATS:
            api.push(tg.message(chat, "/start KG-ru"))
        await until(lambda: sum(len(api.texts_to(c)) for c in CHATS) >= 5, within=60)
        # From now on sends hang and then fail unrecorded, so the kill cannot fall between a
        # message reaching Telegram and the outbox hearing of it.
        api.stall = asyncio.Event()
        pushed = [api.push(tg.message(chat, "паспорт забрали")) for chat in CHATS]
        await until(lambda: api.confirmed > pushed[len(pushed) // 2]["update_id"], within=30)
        service.send_signal(signal.SIGKILL)
        await asyncio.to_thread(service.wait)
    finally:
        if service.poll() is None:
            service.kill()
    api.stall.set()
    api.stall = None

    service = start(tmp_path, bot_api, url)
    try:
        await until(lambda: all(len(api.texts_to(c)) >= 2 for c in CHATS), within=60)
        await asyncio.sleep(1.0)  # anything doubled would arrive by now
    finally:
        service.send_signal(signal.SIGTERM)
        await asyncio.to_thread(service.wait, 20)
    for chat in CHATS:
        texts = api.texts_to(chat)
        assert len(texts) == 2, (chat, texts)
        assert texts[0].startswith("Главное меню") and "паспорт" in texts[1].lower()
