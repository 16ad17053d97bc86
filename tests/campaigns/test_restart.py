"""`kill -9` halfway through a campaign, then a restart: every subscriber gets it exactly once,
nobody is skipped, because what was queued is in the delivery rows and the outbox."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.campaigns.content import load_campaigns
from bot.campaigns.delivery import Deliveries
from bot.content.loader import load_tree
from bot.language.catalogs import Catalogs
from bot.outbox import Outbox
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.campaigns.helpers import subscribers
from tests.channels.telegram import test_restart
from tests.channels.telegram.conftest import until
from tests.conftest import CONTENT, LOCALES
from tests.fakes.bot_api import BotApiServer

PEOPLE = 300
CAMPAIGN = """title: restart test
message: {ru: "Новость", en: "News", ky: "Жаңылык"}
audience: {topics: [safety]}
schedule: {cron: "0 10 1 * *"}
hours: "00:00-24:00"
node: trafficking/passport-taken
"""


def content_with_campaign(folder: Path) -> Path:
    """The shipped content, with a campaign allowed at any hour (the test runs at any time)."""
    for item in CONTENT.iterdir():
        if item.name != "campaigns":
            (folder / item.name).symlink_to(item)
    (folder / "campaigns").mkdir()
    (folder / "campaigns" / "topics.yaml").symlink_to(CONTENT / "campaigns" / "topics.yaml")
    (folder / "campaigns" / "restart-news.yaml").write_text(CAMPAIGN, encoding="utf-8")
    return folder


class Storage:
    """The test's own view of the service's database (the same key)."""

    def __init__(self, url: str, content: Path) -> None:
        self.database = Database(url)
        self.vault = Vault([b"restart-test-key"])
        self.outbox = Outbox(database=self.database, vault=self.vault)
        self.tree = load_tree(content)
        self.campaigns = load_campaigns(content, self.tree)
        self.deliveries = Deliveries(
            database=self.database,
            vault=self.vault,
            outbox=self.outbox,
            campaigns=self.campaigns,
            tree=self.tree,
            catalogs=Catalogs(LOCALES),
            rates={"telegram": 30},
        )


async def test_kill_9_halfway_through_a_campaign_then_restart(
    tmp_path: Path, bot_api: BotApiServer, monkeypatch
):
    (tmp_path / "content").mkdir()
    content = content_with_campaign(tmp_path / "content")
    monkeypatch.setattr(test_restart, "CONTENT", content)
    url = f"sqlite:///{tmp_path}/hotline.db"
    await asyncio.to_thread(upgrade, url)
    storage = Storage(url, content)
    chats = [700_000 + i for i in range(PEOPLE)]
    await subscribers(storage, [str(c) for c in chats], languages=("ru", "en", "ky"))  # type: ignore[arg-type]
    api = bot_api.api
    service = test_restart.start(tmp_path, bot_api, url)
    try:
        await storage.deliveries.start("restart-news", datetime.now(UTC))
        await until(lambda: len(api.sent) >= PEOPLE // 2, within=60)
        # Sends now hang and then fail unrecorded, so the kill cannot fall between Telegram
        # taking a message and the outbox hearing of it (that window exists for any client).
        api.stall = asyncio.Event()
        await asyncio.sleep(0.5)
        service.send_signal(signal.SIGKILL)
        await asyncio.to_thread(service.wait)
    finally:
        if service.poll() is None:
            service.kill()
    api.stall.set()
    api.stall = None
    assert len(api.sent) < PEOPLE
    service = test_restart.start(tmp_path, bot_api, url)
    try:
        await until(lambda: len({s.chat_id for s in api.sent}) >= PEOPLE, within=90)
        await asyncio.sleep(1.5)  # anything doubled would arrive by now
    finally:
        service.send_signal(signal.SIGTERM)
        await asyncio.to_thread(service.wait, 20)
        await storage.database.close()
    got = Counter(s.chat_id for s in api.sent)
    assert set(got) == set(chats) and set(got.values()) == {1}
