"""The first start: an admin with a one-time password, printed once, that signs in."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bot.console.first_run import first_admin
from tests.console.conftest import Console, sign_in

HOTLINE = str(Path(sys.executable).parent / "hotline")


async def test_the_first_admin_is_made_and_told_once(console: Console):
    said: list[str] = []
    database = console.hotline.database
    url = "http://127.0.0.1:8080/console/login"
    assert await first_admin(database, sign_in_url=url, say=said.append, terminal=True)
    assert not await first_admin(database, sign_in_url=url, say=said.append, terminal=True)
    [text] = said
    password = re.search(r"password:\s+(\S+)", text).group(1)
    assert "name:      admin" in text and url in text
    assert "hotline user add NAME --org hotline --role operator" in text
    assert "not written to a terminal" not in text
    async with console.client() as client:
        answer = await sign_in(client, "admin", password)
        assert answer.headers["location"] == "/console/account"  # must choose their own


async def test_without_a_terminal_it_also_says_how_to_make_an_admin_by_hand(console: Console):
    said: list[str] = []
    await first_admin(console.hotline.database, sign_in_url="x", say=said.append, terminal=False)
    assert "hotline user add NAME --org hotline --role admin" in said[0]
    assert "hotline user disable admin" in said[0]


async def test_no_admin_is_made_when_accounts_exist(console: Console):
    await console.operator("aigul", "hotline")
    said: list[str] = []
    await first_admin(console.hotline.database, sign_in_url="x", say=said.append, terminal=True)
    assert said == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """`hotline serve` as a person runs it, its terminal output collected as it comes."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [HOTLINE, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 180  # a first start trains the models
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return
            except httpx.TransportError:
                assert self.process.poll() is None, "".join(self.lines)
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return "".join(self.lines)


def test_serve_prints_the_first_password_once_and_it_signs_in(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")} | {
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path}/hotline.db",
        "HOTLINE_VAR_DIR": str(tmp_path / "var"),
    }
    subprocess.run([HOTLINE, "db", "upgrade"], env=env, check=True, capture_output=True)
    first = Served(env)
    try:
        first.wait_until_up()
        text = "".join(first.lines)
        password = re.search(r"password:\s+(\S+)", text).group(1)
        assert f"http://127.0.0.1:{first.port}/console/login" in text
        base = f"http://127.0.0.1:{first.port}"
        with httpx.Client(base_url=base) as browser:
            page = browser.get("/console/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            answer = browser.post(
                "/console/login", data={"csrf": token, "name": "admin", "password": password}
            )
            assert answer.status_code == 303 and answer.headers["location"] == "/console/account"
    finally:
        first.stop()
    second = Served(env)
    try:
        second.wait_until_up()
    finally:
        output = second.stop()
    assert password not in output and "password:" not in output
