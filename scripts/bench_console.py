"""How fast a request for a person reaches an operator's console, and an answer the person.

Serves the real hotline (uvicorn on loopback, SQLite in a temporary folder), signs an operator
in, keeps the console's event stream open as the queue page does, then has people write
"хочу поговорить с человеком" in the web chat one after another. For each it measures:
- to_queue: from the chat's POST until the console's stream says the queue changed;
- to_chat: from the operator's answer (POST in the console) until the chat's stream has it.
Prints one JSON line. It measures; it asserts nothing.

    .venv/bin/python scripts/bench_console.py [--people 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import uvicorn

from bot.app import build, create_app
from bot.cases import directory
from bot.console import accounts
from bot.console.passwords import hash_password
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.migrate import upgrade

PASSWORD = "benchmark password 1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def lines_of(response: httpx.Response, queue: asyncio.Queue[tuple[float, str]]) -> None:
    async for line in response.aiter_lines():
        await queue.put((time.perf_counter(), line))


async def settle(queue: asyncio.Queue[tuple[float, str]]) -> None:
    """Let the events of the last round arrive, then forget them."""
    await asyncio.sleep(0.2)
    while not queue.empty():
        queue.get_nowait()


async def wait_for(queue: asyncio.Queue[tuple[float, str]], needle: str) -> float:
    while True:
        at, line = await asyncio.wait_for(queue.get(), 10)
        if needle in line:
            return at


async def run(people: int, folder: Path) -> dict:
    url = f"sqlite:///{folder}/hotline.db"
    settings = Settings(
        _env_file=None,
        database_url=url,
        secret_key="bench",
        var_dir=folder / "var",
        content_dir=PROJECT_ROOT / "content",
        locales_dir=PROJECT_ROOT / "locales",
    )
    hotline = build(settings)
    password_hash = hash_password(PASSWORD)

    def setup(connection) -> None:
        directory.sync(connection, hotline.tree, "")
        accounts.add(connection, name="olga", organisation_id="hotline", role="operator",
                     password_hash=password_hash, must_change_password=False)  # fmt: skip

    await hotline.database.run(setup)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, hotline), host="127.0.0.1", port=port, log_level="warning"
        )  # fmt: skip
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    to_queue: list[float] = []
    to_chat: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as console:
        page = await console.get("/console/login")
        token = CSRF.search(page.text).group(1)
        signing_in = {"csrf": token, "name": "olga", "password": PASSWORD, "next": "/console/"}
        await console.post("/console/login", data=signing_in)
        token = CSRF.search((await console.get("/console/")).text).group(1)
        console_events: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
        async with console.stream("GET", "/console/events") as stream:
            reader = asyncio.create_task(lines_of(stream, console_events))
            await wait_for(console_events, "hello")
            for n in range(people):
                async with httpx.AsyncClient(base_url=base, timeout=30) as chat:
                    await chat.get("/chat")
                    chat_events: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
                    async with chat.stream("GET", "/chat/api/stream") as chat_stream:
                        chat_reader = asyncio.create_task(lines_of(chat_stream, chat_events))
                        await settle(console_events)
                        sent = time.perf_counter()
                        asked = {"id": uuid.uuid4().hex, "text": "хочу поговорить с человеком"}
                        await chat.post("/chat/api/messages", json=asked)
                        changed = await wait_for(console_events, "event: changed")
                        to_queue.append(changed - sent)
                        queue = (await console.get("/console/queue")).text
                        case_id = max(int(i) for i in re.findall(r"/console/cases/(\d+)", queue))
                        answer = f"ответ номер {n}"
                        sent = time.perf_counter()
                        await console.post(f"/console/cases/{case_id}/reply",
                                           data={"csrf": token, "text": answer})  # fmt: skip
                        to_chat.append(await wait_for(chat_events, answer) - sent)
                        await console.post(f"/console/cases/{case_id}/close",
                                           data={"csrf": token, "outcome": "informed"})  # fmt: skip
                        chat_reader.cancel()
            reader.cancel()
    server.should_exit = True
    await serving
    await hotline.close()

    def summary(values: list[float]) -> dict:
        ordered = sorted(values)
        return {
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
        }

    return {"people": people, "to_queue": summary(to_queue), "to_chat": summary(to_chat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    upgrade(f"sqlite:///{folder}/hotline.db")  # runs its own event loop: before ours
    print(json.dumps(asyncio.run(run(parser.parse_args().people, folder))))


if __name__ == "__main__":
    main()
