"""A campaign to many Telegram subscribers through the stand-in Bot API server, which enforces
Telegram's 30 messages a second overall (429 beyond). Prints one JSON line:

    .venv/bin/python scripts/bench_campaign.py [--subscribers 10000] [--rate 30]

fraction_of_limit  messages a second achieved (first to last arrival) over the limit
rate_limited       429s the server answered
duplicates         messages beyond the first to any chat
losses             subscribers who got nothing
peak_rss_mb        the process's peak resident memory (hotline and stand-in together);
                   rss_before_mb is the same before the campaign starts, for comparison

The hotline runs in this process (long polling, SQLite in a temporary folder), with its real
scheduler, delivery rows, outbox and Telegram sender. A benchmark measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build  # noqa: E402
from bot.campaigns import subscriptions  # noqa: E402
from bot.campaigns.content import Audience, Campaign  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.migrate import upgrade_async  # noqa: E402
from bot.storage.models import Contact, utcnow  # noqa: E402
from tests.fakes.bot_api import BotApi, BotApiServer  # noqa: E402

LANGUAGES = ("ru", "en", "ky")


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


async def add_subscribers(hotline, count: int, first_chat: int) -> None:  # type: ignore[no-untyped-def]
    contacts = Contact.__table__
    vault = hotline.vault

    def work(connection, start: int, stop: int) -> None:  # type: ignore[no-untyped-def]
        now = utcnow()
        for index in range(start, stop):
            address = str(first_chat + index)
            contact_id = connection.execute(
                contacts.insert().values(
                    channel="telegram",
                    address_hash=vault.lookup(address),
                    address_enc=vault.seal(address),
                    language=LANGUAGES[index % 3],
                    country="KG",
                    created_at=now,
                )
            ).inserted_primary_key[0]
            subscriptions.sync(connection, vault, contact_id=contact_id, topics=["safety"])

    for start in range(0, count, 1000):
        stop = min(count, start + 1000)
        await hotline.database.run(lambda c, a=start, b=stop: work(c, a, b))


async def bench(count: int, rate: int) -> dict[str, object]:
    logging.basicConfig(level=logging.WARNING)
    first_chat = 500_000
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/hotline.db"
        await upgrade_async(url)
        async with BotApiServer(BotApi(global_per_second=rate)) as server:
            settings = Settings(
                _env_file=None,
                database_url=url,
                secret_key="bench-key",
                var_dir=Path(folder) / "var",
                content_dir=ROOT / "content",
                locales_dir=ROOT / "locales",
                telegram_token=SecretStr(server.api.token),
                telegram_api_base=server.base,
                telegram_max_per_second=rate,
            )
            hotline = build(settings)
            hotline.campaigns.campaigns["bench"] = Campaign(
                id="bench",
                title="bench",
                messages={"ru": "Новость", "en": "News", "ky": "Жаңылык"},
                audience=Audience(topics=("safety",)),
                node="trafficking/passport-taken",
                start=clock_time(0),
                end=clock_time(23, 59, 59),
            )
            await add_subscribers(hotline, count, first_chat)
            await hotline.start_channels()
            before = rss_mb()
            try:
                await hotline.deliveries.start("bench", datetime.now(UTC))
                api = server.api
                deadline = time.monotonic() + count / rate * 2 + 60
                while len(api.sent) < count and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.5)
                await asyncio.sleep(2.0)  # anything doubled would arrive by now
            finally:
                await hotline.close()
            got = Counter(s.chat_id for s in api.sent)
            chats = set(range(first_chat, first_chat + count))
            elapsed = (api.sent[-1].at - api.sent[0].at) if len(api.sent) > 1 else float("inf")
            return {
                "subscribers": count,
                "limit_per_second": rate,
                "fraction_of_limit": round(len(api.sent) / elapsed / rate, 3),
                "rate_limited": api.too_many,
                "duplicates": sum(n - 1 for n in got.values()),
                "losses": len(chats - set(got)),
                "peak_rss_mb": rss_mb(),
                "rss_before_mb": before,
                "seconds": round(elapsed, 1),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(bench(args.subscribers, args.rate))))


if __name__ == "__main__":
    main()
