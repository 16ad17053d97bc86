"""What SMS costs and how fast the SMS endpoint takes messages; prints one JSON object.

1. For every node in Russian and each regional language (a missing translation falls back as
   the bot does), the UCS-2 segments the first page of its answer costs with the default
   budget, and what the whole answer costs; median and maximum per language.
2. Inbound requests a second through the Kannel endpoint: the real service (`hotline serve`
   in its own process, SQLite) takes GET requests shaped exactly as Kannel's get-url sends
   them (UCS-2 text, percent-encoded UTF-16BE) from many numbers at once, and answers through
   the outbox to a stand-in sendsms on loopback.

    .venv/bin/python scripts/bench_sms.py [--requests 3000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_from_bytes

import httpx
from aiohttp import web

from bot.channels.sms.channel import MORE
from bot.channels.sms.render import DEFAULT_BUDGET, render
from bot.channels.sms.segments import encoding, segments
from bot.content.loader import load_tree
from bot.engine.conversation import Conversation
from bot.engine.messages import Inbound, State
from bot.language.catalogs import Catalogs
from bot.settings import PROJECT_ROOT

LANGUAGES = ("ru", "kk", "ky", "tg", "uz", "tk")
KEY = "bench-relay-key"
TEXTS = ("паспорт забрали", "как получить патент", "+", "1", "меню", "зарплату не платят", "2")


def segment_costs() -> dict[str, object]:
    tree = load_tree(PROJECT_ROOT / "content")
    catalogs = Catalogs(PROJECT_ROOT / "locales")
    conversation = Conversation(tree, catalogs, model_cache=PROJECT_ROOT / "var" / "models")
    result: dict[str, object] = {}
    for language in LANGUAGES:
        first, whole, ucs2, own = [], [], 0, 0
        for node in tree.nodes:
            state = State(language=language, country_asked=True, started=True)
            inbound = Inbound(channel="sms", address="bench", option=f"open:{node}")
            reply = conversation.respond(state, inbound).replies[0]
            own += reply.language == language
            more = catalogs.get(reply.language).gettext(MORE)
            pages = render(reply, more=more, budget=DEFAULT_BUDGET).pages
            first.append(segments(pages[0]))
            whole.append(sum(segments(page) for page in pages))
            ucs2 += encoding(pages[0]) == "ucs2"
        result[language] = {
            "nodes": len(first),
            "in_language": own,  # the rest fell back (to Russian)
            "first_page_ucs2_share": round(ucs2 / len(first), 3),
            "first_page_segments_median": statistics.median(first),
            "first_page_segments_max": max(first),
            "whole_answer_segments_median": statistics.median(whole),
            "whole_answer_segments_max": max(whole),
        }
    return result


async def inbound_rate(requests: int, concurrency: int) -> dict[str, object]:
    sent = 0

    async def sendsms(request: web.Request) -> web.Response:
        nonlocal sent
        sent += 1
        return web.Response(status=202, text="0: Accepted for delivery")

    app = web.Application()
    app.router.add_get("/cgi-bin/sendsms", sendsms)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    kannel_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    folder = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    models = PROJECT_ROOT / "var" / "models"
    if models.is_dir():  # trained weights: a quick start instead of training again
        shutil.copytree(models, folder / "models")
    port = _free_port()
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": f"sqlite:///{folder}/hotline.db",
        "HOTLINE_VAR_DIR": str(folder),
        "HOTLINE_SECRET_KEY": "bench-secret",
        "HOTLINE_PORT": str(port),
        "HOTLINE_LOG_LEVEL": "WARNING",
        "HOTLINE_SMS_GATEWAY": "kannel",
        "HOTLINE_SMS_RELAY_KEY": KEY,
        "HOTLINE_SMS_MAX_PER_SECOND": "1000",
        "HOTLINE_KANNEL_SENDSMS_URL": f"http://127.0.0.1:{kannel_port}/cgi-bin/sendsms",
    }
    hotline = str(Path(sys.executable).with_name("hotline"))
    upgrade = await asyncio.create_subprocess_exec(hotline, "db", "upgrade", env=env)
    if await upgrade.wait() != 0:
        raise RuntimeError("hotline db upgrade failed")
    service = await asyncio.create_subprocess_exec(hotline, "serve", env=env)
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            await _wait_ready(client)
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(requests):
                queue.put_nowait(n)

            async def worker() -> None:
                while not queue.empty():
                    n = queue.get_nowait()
                    text = TEXTS[n % len(TEXTS)].encode("utf-16-be")
                    # As Kannel's get-url sends it: %b is the octets, percent-encoded.
                    url = (
                        f"/sms/kannel?key={KEY}&id=bench-{n}&from=%2B7701{n % 500:07d}"
                        f"&to=1234&coding=2&charset=UTF-16BE&text={quote_from_bytes(text)}"
                    )
                    started = time.perf_counter()
                    response = await client.get(url)
                    latencies.append(time.perf_counter() - started)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
            await asyncio.sleep(1)  # let the outbox finish what it was sending
    finally:
        service.terminate()
        await asyncio.wait_for(service.wait(), timeout=20)
        await runner.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    latencies.sort()
    return {
        "requests": requests,
        "concurrency": concurrency,
        "statuses": statuses,
        "per_second": round(requests / elapsed, 1),
        "latency_ms_p50": round(latencies[len(latencies) // 2] * 1000, 2),
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "replies_handed_to_kannel": sent,
    }


async def _wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the service did not start")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    result = {
        "machine_cores": os.cpu_count(),
        "segment_budget": DEFAULT_BUDGET,
        "segments": segment_costs(),
        "kannel_inbound": asyncio.run(inbound_rate(args.requests, args.concurrency)),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
