"""Telegram in webhook mode, measured against the stand-in Bot API server: updates a second
handled (posted and answered) and reply latency, for the hotline and, in the same run and the
same way, for a bare aiogram echo bot. Prints JSON.

    .venv/bin/python scripts/bench_telegram.py [--updates 2000] [--rate 200] [--seconds 10]

Each update comes from its own chat, so per-chat limits do not apply; the stand-in's overall
limit and the hotline's (HOTLINE_TELEGRAM_MAX_PER_SECOND) are lifted, since a real bot at this
volume answers many people at once. Latency is from posting the update to the stand-in
receiving the reply. BENCH_PROFILE=out.txt (with py-spy installed) records the hotline's
stacks while it runs; BENCH_LOG_LEVEL=WARNING shows its warnings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes import bot_api as tg  # noqa: E402
from tests.fakes.bot_api import BotApi, BotApiServer  # noqa: E402

SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def wait_up(url: str, session: aiohttp.ClientSession) -> None:
    for _ in range(600):
        try:
            async with session.post(url, data=b"{}") as response:
                if response.status in (200, 400, 401):
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def start_hotline(workdir: Path, api: BotApiServer, port: int) -> subprocess.Popen:
    database = f"sqlite:///{workdir}/hotline.db"
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": database,
        "HOTLINE_SECRET_KEY": "bench-key",
        "HOTLINE_VAR_DIR": str(ROOT / "var"),  # reuse trained models
        "HOTLINE_TELEGRAM_TOKEN": api.api.token,
        "HOTLINE_TELEGRAM_API_BASE": api.base,
        "HOTLINE_TELEGRAM_MODE": "webhook",
        "HOTLINE_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HOTLINE_TELEGRAM_MAX_PER_SECOND": "1000",
        "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HOTLINE_PORT": str(port),
        "HOTLINE_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR"),
    }
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    command = [sys.executable, "-m", "bot", "serve"]
    if profile := os.environ.get("BENCH_PROFILE"):  # a py-spy flame graph of the hotline
        command = ["py-spy", "record", "-f", "raw", "-o", profile, "--", *command]
    return subprocess.Popen(command, env=env, cwd=workdir)


def start_echo(api: BotApiServer, port: int) -> subprocess.Popen:
    script = ROOT / "scripts" / "echo_bot.py"
    return subprocess.Popen(
        [sys.executable, str(script), str(port), api.base, api.api.token, SECRET]
    )


async def drive(
    server: BotApiServer, url: str, texts: list[str], *, updates: int, rate: float | None
) -> dict[str, float]:
    """Post `updates` updates (as fast as possible, or at `rate` a second); wait for every
    reply; return throughput and latency."""
    api = server.api
    first_chat = api.next_update_id * 10  # fresh chats for every run
    posted: dict[int, float] = {}
    statuses: dict[int, int] = {}
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    sent_before = len(api.sent)
    async with aiohttp.ClientSession() as session:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(updates):
            queue.put_nowait(n)

        async def worker() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                chat = first_chat + n
                body = {
                    "update_id": api.next_update_id + n,
                    **tg.message(chat, texts[n % len(texts)]),
                }
                if rate:
                    await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
                posted[chat] = time.time()
                async with session.post(url, json=body, headers=headers) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1

        start = time.perf_counter()
        workers = 64 if rate is None else max(8, int(rate / 4))
        await asyncio.gather(*(worker() for _ in range(workers)))
        # Done when every chat has its first reply (a long answer may come in two messages).
        seen = sent_before
        answered_chats: set[int] = set()
        while len(answered_chats) < updates and time.perf_counter() - start < 60:
            await asyncio.sleep(0.005)
            now = len(api.sent)
            answered_chats.update(s.chat_id for s in api.sent[seen:now] if s.chat_id in posted)
            seen = now
        elapsed = time.perf_counter() - start
    api.next_update_id += updates
    latencies = []
    answered: dict[int, float] = {}
    for sent in api.sent[sent_before:]:
        answered.setdefault(sent.chat_id, sent.at)
    # The stand-in keeps everything it was sent: drop it, so that its memory (and garbage
    # collection pauses in this process) does not grow from run to run and skew later runs.
    del api.sent[:], api.calls[:]
    for chat, at in posted.items():
        if chat in answered:
            latencies.append((answered[chat] - at) * 1000)
    return {
        "updates": updates,
        "webhook_statuses": statuses,
        "answered": len(latencies),
        "seconds": round(elapsed, 2),
        "updates_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms_p50": round(percentile(latencies, 0.5), 1),
        "latency_ms_p99": round(percentile(latencies, 0.99), 1),
    }


async def measure(name: str, server: BotApiServer, port: int, args: argparse.Namespace) -> dict:
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    # Hotline: a mix of menu commands and free-text questions, as people write.
    texts = ["/start KG-ru", "паспорт забрали", "/menu", "не платят зарплату", "/help"]
    async with aiohttp.ClientSession() as session:
        await wait_up(url, session)
    await drive(server, url, texts, updates=200, rate=None)  # warm up
    throughput = await drive(server, url, texts, updates=args.updates, rate=None)
    paced = await drive(server, url, texts, updates=int(args.rate * args.seconds), rate=args.rate)
    return {"bot": name, "throughput": throughput, f"at_{int(args.rate)}_per_second": paced}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    results = []
    async with BotApiServer(BotApi(global_per_second=10**9, per_chat_burst=10**9)) as server:
        with tempfile.TemporaryDirectory() as workdir:
            for name in ("echo", "hotline", "echo", "hotline"):
                port = free_port()
                if name == "echo":
                    process = start_echo(server, port)
                else:
                    (Path(workdir) / str(port)).mkdir()
                    process = start_hotline(Path(workdir) / str(port), server, port)
                try:
                    results.append(await measure(name, server, port, args))
                finally:
                    process.send_signal(signal.SIGINT)  # lets a profiler write its output
                    process.wait(60)
    best = {
        name: max(
            (r for r in results if r["bot"] == name),
            key=lambda r: r["throughput"]["updates_per_second"],
        )
        for name in ("echo", "hotline")
    }
    ratio = (
        best["hotline"]["throughput"]["updates_per_second"]
        / best["echo"]["throughput"]["updates_per_second"]
    )
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "runs": results,
                "hotline_to_echo_throughput": round(ratio, 2),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
