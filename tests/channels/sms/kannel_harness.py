"""A real Kannel for tests: bearerbox, smsbox and Kannel's fakesmsc, run from the sample
configuration in scripts/kannel/kannel.conf with only ports, paths and secrets changed.

    async with running_kannel("http://127.0.0.1:8123", "relay-key", directory=tmp_path) as k:
        await k.send_from_phone("+996700123456", "паспорт забрали")   # smsbox calls get-url
        ...  # the hotline sends through k.sendsms_url (see kannel_settings(k))
        assert await k.received(timeout=10) == [("+996700123456", "...")]

Debian's packages: `kannel` (/usr/sbin/bearerbox, /usr/sbin/smsbox) and `kannel-extras`
(/usr/lib/kannel/test/fakesmsc). Without them, require_kannel() skips the test, or fails it
when the CI environment variable is set.

fakesmsc plays the phones. It connects to the fake SMSC (the `smsc = fake` group) and, given
no message on its command line, reads one message a line from standard input:
`<from> <to> <type> <data>`, the type being `text` (the rest of the line as it is, 7-bit),
`utf8` (URL-encoded UTF-8, 7-bit) or `ucs2` (URL-encoded UTF-16BE, as phones send Cyrillic).
It reads at most 255 bytes a line (longer lines become several messages) and stops at the end
of its input. What Kannel sends to phones it logs, at debug level on standard error, as
`Got message <n>: <<from> <to> <type> <data>>`, the type being `text` (as it is), `data`
(URL-encoded 8-bit), `ucs-2` (URL-encoded UTF-16BE) or `udh <udh> data <data>` for each part
of a concatenated message (without the coding). A 7-bit text with a line break in it comes
out as several lines; they are joined again here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote_to_bytes

import httpx
import pytest
from pydantic import SecretStr

from bot.channels.sms.segments import encoding
from bot.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "scripts" / "kannel" / "kannel.conf"
BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
SHORT_CODE = "1234"  # the number phones write to (any string; the fake SMSC does not care)
FAKESMSC_LINE = 255  # fakesmsc's stdin buffer, newline included
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
QUIET = 0.2  # seconds without output after which a text message is taken as complete


def kannel_missing() -> str | None:
    """Why Kannel cannot run here, or None."""
    missing = [path for path in (BEARERBOX, SMSBOX, FAKESMSC) if not os.access(path, os.X_OK)]
    if not missing:
        return None
    return (
        f"Kannel is not installed ({', '.join(missing)} missing): "
        "apt-get install kannel kannel-extras"
    )


def require_kannel() -> None:
    """Skip the calling test without Kannel; fail it instead when CI is set."""
    reason = kannel_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


# -- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    admin: int
    smsbox: int
    sendsms: int
    fake_smsc: int


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def kannel_escape(value: str) -> str:
    """A value for inside a Kannel URL pattern (get-url, dlr-url): URL-encoded, with every %
    doubled, since smsbox reads %<letter> as an escape code ("%C3" would become the charset)."""
    return quote(value, safe="").replace("%", "%%")


def _value(line: str) -> str:
    return line.split("=", 1)[1].strip().strip('"')


def render_config(
    *,
    hotline_url: str,
    relay_key: str,
    ports: Ports,
    directory: Path,
    sendsms_password: str,
    admin_password: str,
    sample: Path = SAMPLE,
) -> tuple[str, str]:
    """The sample configuration with these ports, paths and secrets; returns (config, the
    sendsms username). Everything else stays as shipped, so the tests run the sample."""
    blocks = sample.read_text(encoding="utf-8").split("\n\n")
    wanted = {
        ("core", "admin-port"): str(ports.admin),
        ("core", "admin-password"): admin_password,
        ("core", "smsbox-port"): str(ports.smsbox),
        ("core", "log-file"): f'"{directory / "bearerbox.log"}"',
        ("core", "store-location"): f'"{directory / "kannel.store"}"',
        ("fake", "port"): str(ports.fake_smsc),
        ("smsbox", "bearerbox-port"): str(ports.smsbox),
        ("smsbox", "sendsms-port"): str(ports.sendsms),
        ("smsbox", "log-file"): f'"{directory / "smsbox.log"}"',
        ("sendsms-user", "password"): sendsms_password,
        ("sms-service", "get-url"): None,  # rewritten below
    }
    done: set[tuple[str, str]] = set()
    username = ""
    out = []
    for block in blocks:
        lines = block.split("\n")
        settings = [line for line in lines if "=" in line and not line.lstrip().startswith("#")]
        names = {line.split("=", 1)[0].strip(): _value(line) for line in settings}
        group = names.get("group", "")
        if group == "smsc" and names.get("smsc") == "fake":
            group = "fake"
        if group == "sendsms-user":
            username = names.get("username", "")
        for index, line in enumerate(lines):
            if line.lstrip().startswith("#") or "=" not in line:
                continue
            name = line.split("=", 1)[0].strip()
            if (group, name) not in wanted:
                continue
            value = wanted[(group, name)]
            if name == "get-url":
                value = f'"{_get_url(_value(line), hotline_url, relay_key)}"'
            lines[index] = f"{name} = {value}"
            done.add((group, name))
        out.append("\n".join(lines))
    missing = set(wanted) - done
    if missing:
        raise ValueError(f"{sample} lacks {sorted(missing)}: update render_config")
    if not username:
        raise ValueError(f"{sample} has no sendsms-user username")
    return "\n\n".join(out), username


def _get_url(url: str, hotline_url: str, relay_key: str) -> str:
    found = re.fullmatch(r"https?://[^/]+(/[^?]*)\?(.*)", url)
    if not found or "key=" not in found.group(2):
        raise ValueError(f"the sample's get-url is not http://host/path?key=...: {url}")
    path, query = found.groups()
    query = re.sub(
        r"(^|&)key=[^&]*", lambda m: f"{m.group(1)}key={kannel_escape(relay_key)}", query
    )
    return f"{hotline_url.rstrip('/')}{path}?{query}"


# -- what fakesmsc prints ----------------------------------------------------------------------

_GOT = re.compile(r"Got message \d+: <(.*)>\s*$")
_SENT = re.compile(r"fakesmsc: sent message (\d+)")
_MESSAGE = re.compile(r"(\S+) (\+?\d+) (text|data|ucs-2|udh) ?(.*)$", re.DOTALL)


def _url_bytes(value: str) -> bytes:
    return unquote_to_bytes(value.replace("+", " "))


def _looks_utf16(octets: bytes) -> bool:
    """fakesmsc does not say how a part of a concatenated message is coded: UTF-16BE text of
    the scripts we use has most high bytes under 0x20, which UTF-8 text never has."""
    if len(octets) % 2 or not octets:
        return False
    high = octets[0::2]
    return sum(byte < 0x20 for byte in high) * 2 > len(high)


def _decode_octets(octets: bytes, coding: str) -> str:
    if coding == "ucs-2" or (coding == "guess" and _looks_utf16(octets)):
        return octets.decode("utf-16-be", "replace")
    return octets.decode("utf-8", "replace")


def _concatenation(udh: bytes) -> tuple[int, int, int] | None:
    """(reference, parts, this part) from a UDH's concatenation element (8- or 16-bit)."""
    position = 1
    while position + 1 < len(udh):
        element, length = udh[position], udh[position + 1]
        data = udh[position + 2 : position + 2 + length]
        if element == 0x00 and length == 3:
            return data[0], data[1], data[2]
        if element == 0x08 and length == 4:
            return data[0] << 8 | data[1], data[2], data[3]
        position += 2 + length
    return None


@dataclass
class _Mt:
    to: str
    text: str
    kind: str


@dataclass
class Kannel:
    """A running Kannel (see running_kannel)."""

    directory: Path
    ports: Ports
    sendsms_url: str
    username: str
    password: str
    relay_key: str
    admin_password: str
    _fakesmsc: asyncio.subprocess.Process | None = None
    _messages: list[_Mt] = field(default_factory=list)
    _parts: dict[tuple[str, str, int], dict[int, bytes]] = field(default_factory=dict)
    _returned: int = 0
    _sent: int = 0  # messages fakesmsc says it sent to Kannel
    _last_output: float = 0.0
    _output: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_from_phone(self, number: str, text: str, *, to: str = SHORT_CODE) -> None:
        """A phone sends `text`: as UCS-2 if it has letters outside GSM-7 (as phones do), else
        as 7-bit text."""
        if " " in number or " " in to:
            raise ValueError("numbers cannot contain spaces")
        if encoding(text) == "gsm7" and not re.search(r"[\r\n%]", text):
            # 7-bit text as it is: this fakesmsc's "utf8" type is refused by the fake SMSC
            # ("invalid message syntax").
            line = f"{number} {to} text {text}\n"
        else:
            line = f"{number} {to} ucs2 {quote(text.encode('utf-16-be'), safe='')}\n"
        if len(line.encode()) > FAKESMSC_LINE:
            raise ValueError(f"fakesmsc takes at most {FAKESMSC_LINE} bytes a message line")
        assert self._fakesmsc is not None and self._fakesmsc.stdin is not None
        # One line at a time: fakesmsc reads its input through stdio and only when select()
        # says there is more, so a second line written at once can sit in its buffer.
        target = self._sent + 1
        self._fakesmsc.stdin.write(line.encode())
        await self._fakesmsc.stdin.drain()
        deadline = time.monotonic() + 5
        while self._sent < target:
            if time.monotonic() > deadline:
                raise RuntimeError(f"fakesmsc did not send the message\n{self.logs()}")
            self._output.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._output.wait(), 0.1)

    async def received(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - the harness's interface, in seconds
        *,
        count: int = 1,
    ) -> list[tuple[str, str]]:
        """What Kannel sent to phones since the last call, as (to, text), once there are at
        least `count` messages (long ones put together again), or whatever came within
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            waiting = len(self._messages) - self._returned
            quiet = time.monotonic() - self._last_output >= QUIET
            now = time.monotonic()
            if (waiting >= count and quiet) or now >= deadline:
                break
            self._output.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._output.wait(), min(QUIET, deadline - now))
        new = self._messages[self._returned :]
        self._returned = len(self._messages)
        return [(message.to, message.text) for message in new]

    def logs(self) -> str:
        """The boxes' and fakesmsc's output, for a failing test's message."""
        parts = []
        for name in ("bearerbox.out", "smsbox.out", "fakesmsc.out"):
            path = self.directory / name
            if path.exists():
                tail = path.read_text("utf-8", "replace").splitlines()[-40:]
                parts.append(f"--- {name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def _line(self, line: str) -> None:
        self._last_output = time.monotonic()
        self._output.set()
        sent = _SENT.search(line)
        if sent is not None:
            self._sent = int(sent.group(1))
            return
        got = _GOT.search(line)
        if got is None:
            return
        content = got.group(1)
        message = _MESSAGE.match(content)
        if message is None:
            # The rest of a 7-bit text that had a line break.
            if self._messages and self._messages[-1].kind == "text":
                self._messages[-1].text += "\n" + content
            return
        sender, to, kind, rest = message.groups()
        if kind == "text":
            self._messages.append(_Mt(to, rest, kind))
        elif kind in ("data", "ucs-2"):
            self._messages.append(_Mt(to, _decode_octets(_url_bytes(rest), kind), kind))
        else:
            udh_text, _, data = rest.partition(" data ")
            udh, octets = _url_bytes(udh_text), _url_bytes(data)
            concatenated = _concatenation(udh)
            if concatenated is None:
                self._messages.append(_Mt(to, _decode_octets(octets, "guess"), kind))
                return
            reference, total, number = concatenated
            parts = self._parts.setdefault((sender, to, reference), {})
            parts[number] = octets
            if len(parts) == total:
                del self._parts[(sender, to, reference)]
                whole = b"".join(parts[index] for index in sorted(parts))
                self._messages.append(_Mt(to, _decode_octets(whole, "guess"), kind))


# -- processes -------------------------------------------------------------------------------


def _log_file(path: Path) -> BinaryIO:
    return path.open("wb")


async def _start(
    name: str, directory: Path, *args: str, stdin: int | None = None
) -> asyncio.subprocess.Process:
    out = _log_file(directory / f"{name}.out")  # closed by _stop
    process = await asyncio.create_subprocess_exec(
        *args,
        stdin=stdin if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=out,
        stderr=asyncio.subprocess.PIPE if name == "fakesmsc" else out,
        cwd=directory,
    )
    process._log_file = out  # type: ignore[attr-defined]
    return process


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (Kannel shuts down cleanly on it), then SIGKILL."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def _status(client: httpx.AsyncClient, kannel: Kannel) -> str:
    try:
        response = await client.get(
            f"http://127.0.0.1:{kannel.ports.admin}/status.txt",
            params={"password": kannel.admin_password},
        )
    except httpx.HTTPError:
        return ""
    return response.text if response.status_code == 200 else ""


async def _wait(
    what: str,
    kannel: Kannel,
    check: Callable[[httpx.AsyncClient], Awaitable[bool]],
    processes: list[asyncio.subprocess.Process],
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline:
            for process in processes:
                if process.returncode is not None:
                    raise RuntimeError(
                        f"Kannel exited ({process.returncode}) before {what}\n{kannel.logs()}"
                    )
            if await check(client):
                return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"Kannel not ready in {START_TIMEOUT:.0f} s: {what}\n{kannel.logs()}")


async def _sendsms_up(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


@asynccontextmanager
async def running_kannel(
    hotline_url: str, relay_key: str, *, directory: Path | None = None
) -> AsyncIterator[Kannel]:
    """Kannel calling `hotline_url` (http://host:port) with `relay_key`, started and ready (the
    fake SMSC online, smsbox connected, sendsms listening); stopped afterwards."""
    require_kannel()
    own_directory = directory is None
    directory = Path(tempfile.mkdtemp(prefix="kannel-")) if directory is None else directory
    processes: list[asyncio.subprocess.Process] = []
    reader: asyncio.Task[None] | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        ports = Ports(*free_ports(4))
        password, admin_password = secrets.token_hex(8), secrets.token_hex(8)
        config, username = render_config(
            hotline_url=hotline_url,
            relay_key=relay_key,
            ports=ports,
            directory=directory,
            sendsms_password=password,
            admin_password=admin_password,
        )
        config_path = directory / "kannel.conf"
        config_path.write_text(config, encoding="utf-8")
        kannel = Kannel(
            directory=directory,
            ports=ports,
            sendsms_url=f"http://127.0.0.1:{ports.sendsms}/cgi-bin/sendsms",
            username=username,
            password=password,
            relay_key=relay_key,
            admin_password=admin_password,
        )

        # -v 1: info and up on standard error (the log files keep the sample's level).
        processes.append(
            await _start("bearerbox", directory, BEARERBOX, "-v", "1", str(config_path))
        )

        async def bearerbox_up(client: httpx.AsyncClient) -> bool:
            return "fake" in await _status(client, kannel)

        await _wait("bearerbox", kannel, bearerbox_up, processes)
        processes.append(await _start("smsbox", directory, SMSBOX, "-v", "1", str(config_path)))
        # fakesmsc only after bearerbox listens: it gives up at once if it cannot connect.
        fakesmsc = await _start(
            "fakesmsc",
            directory,
            FAKESMSC,
            *("-H", "127.0.0.1", "-r", str(ports.fake_smsc), "-i", "0"),
            stdin=asyncio.subprocess.PIPE,
        )
        processes.append(fakesmsc)
        kannel._fakesmsc = fakesmsc
        reader = asyncio.create_task(_read_fakesmsc(kannel, fakesmsc))

        async def all_up(client: httpx.AsyncClient) -> bool:
            status = await _status(client, kannel)
            return (
                re.search(r"fake\S*\s+FAKE:\d+ \(online", status) is not None
                and re.search(r"smsbox:\S*, IP 127\.0\.0\.1 .*\(on-line", status) is not None
                and await _sendsms_up(ports.sendsms)
            )

        await _wait("fake SMSC online, smsbox connected, sendsms open", kannel, all_up, processes)
        yield kannel
    finally:
        # fakesmsc ends at the end of its input (within its 1 s poll), the boxes on SIGTERM.
        for process in processes:
            if process.stdin is not None:
                process.stdin.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 3)
        for process in reversed(processes):
            await _stop(process)
        if reader is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader, 2)  # the rest of fakesmsc's output
        for process in processes:
            process._log_file.close()  # type: ignore[attr-defined]
        if own_directory:
            shutil.rmtree(directory, ignore_errors=True)


async def _read_fakesmsc(kannel: Kannel, process: asyncio.subprocess.Process) -> None:
    assert process.stderr is not None
    log = process._log_file  # type: ignore[attr-defined]
    while line := await process.stderr.readline():
        log.write(line)
        log.flush()
        kannel._line(line.decode("utf-8", "replace").rstrip("\n"))


def kannel_settings(kannel: Kannel) -> dict[str, object]:
    """The hotline's settings for this Kannel (for Settings.model_copy(update=...))."""
    return {
        "sms_gateway": "kannel",
        "sms_relay_key": SecretStr(kannel.relay_key),
        "kannel_sendsms_url": kannel.sendsms_url,
        "kannel_username": kannel.username,
        "kannel_password": SecretStr(kannel.password),
    }
