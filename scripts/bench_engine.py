"""Measure the engine: messages a second through the switchboard with SQLite (menu navigation
and free text), latency percentiles, and match latency alone. Prints JSON.

    .venv/bin/python scripts/bench_engine.py [--messages 5000] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bot.app import build
from bot.engine.messages import Inbound
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.migrate import upgrade_async

NAVIGATION = [
    "open:work",
    "open:work/permit",
    "back",
    "open:work/registration",
    "home",
    "open:trafficking",
    "open:trafficking/passport-taken",
    "open:hotlines",
    "back",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(latencies: list[float], elapsed: float) -> dict:
    return {
        "messages": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
    }


async def drive(hotline, messages: list[Inbound], concurrency: int) -> dict:
    latencies: list[float] = []
    queue = list(reversed(messages))

    async def worker() -> None:
        while queue:
            message = queue.pop()
            start = time.perf_counter()
            await hotline.switchboard.receive(message)
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return summary(latencies, time.perf_counter() - start)


async def main(count: int, concurrency: int) -> dict:
    texts = [
        case["text"]
        for case in yaml.safe_load(
            (PROJECT_ROOT / "tests" / "data" / "eval_ru.yaml").read_text(encoding="utf-8")
        )
    ]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        await upgrade_async(url)
        hotline = build(
            Settings(_env_file=None, database_url=url, secret_key="bench", var_dir=Path(folder))
        )
        people = 200
        navigation = [
            Inbound(
                channel="bench",
                address=f"+7700{i % people:07d}",
                option=NAVIGATION[(i // people) % len(NAVIGATION)],
                language_hint="ru",
                message_id=f"n{i}",
            )
            for i in range(count)
        ]
        free_text = [
            Inbound(
                channel="bench",
                address=f"+7701{i % people:07d}",
                text=texts[i % len(texts)],
                language_hint="ru",
                message_id=f"t{i}",
            )
            for i in range(count)
        ]
        # Warm up caches and the connection pool, as a running service would be.
        await drive(hotline, free_text[:200], 1)
        results = {
            "navigation": await drive(hotline, navigation, concurrency),
            "free_text": await drive(hotline, free_text, concurrency),
        }
        await hotline.close()

    conversation = hotline.conversation
    match_latencies = []
    for round_ in range(5):
        # A number makes each text new to the per-message caches (numbers are not words).
        for text in (f"{text} {round_}" for text in texts):
            start = time.perf_counter()
            conversation.index.match(text, limit=5)
            match_latencies.append(time.perf_counter() - start)
    triage_latencies = []
    for text in texts:
        start = time.perf_counter()
        conversation.triage.check(text)
        triage_latencies.append(time.perf_counter() - start)
    results["match"] = {
        "texts": len(match_latencies),
        "p50_ms": round(percentile(match_latencies, 0.5) * 1000, 3),
        "p99_ms": round(percentile(match_latencies, 0.99) * 1000, 3),
        "mean_ms": round(statistics.mean(match_latencies) * 1000, 3),
    }
    results["triage"] = {
        "p50_ms": round(percentile(triage_latencies, 0.5) * 1000, 3),
        "p99_ms": round(percentile(triage_latencies, 0.99) * 1000, 3),
    }
    results["machine"] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "concurrency": concurrency,
    }
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=1)
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.messages, arguments.concurrency)), indent=2))
