"""Wakes the pages waiting for a person when this process delivers something to them.

Only a shortcut: pages also read the table every few seconds, so a message another worker
process delivered still arrives."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any


class Listener:
    """One waiting page (a stream or a long poll)."""

    def __init__(self) -> None:
        self._rung = asyncio.Event()
        # Messages that exist nowhere else: the confirmation that a person's data is erased.
        self._partings: list[dict[str, Any]] = []

    def ring(self, parting: dict[str, Any] | None = None) -> None:
        if parting is not None:
            self._partings.append(parting)
        self._rung.set()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 - a wait, not a call
        """Until rung, or `timeout` seconds."""
        with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel on 3.11
            async with asyncio.timeout(timeout):
                await self._rung.wait()
        self._rung.clear()

    def partings(self) -> list[dict[str, Any]]:
        taken, self._partings = self._partings, []
        return taken


class Doorbell:
    def __init__(self) -> None:
        self._waiting: dict[str, set[Listener]] = {}
        self.closed = False

    @contextlib.contextmanager
    def listen(self, key: str) -> Iterator[Listener]:
        """Wait for the person `key` (their address hash). Listen before reading the table,
        so nothing delivered between the read and the wait is missed."""
        listener = Listener()
        self._waiting.setdefault(key, set()).add(listener)
        try:
            yield listener
        finally:
            listeners = self._waiting.get(key, set())
            listeners.discard(listener)
            if not listeners:
                self._waiting.pop(key, None)

    def listening(self, key: str) -> int:
        return len(self._waiting.get(key, ()))

    def ring(self, key: str, parting: dict[str, Any] | None = None) -> None:
        for listener in self._waiting.get(key, ()):
            listener.ring(parting)

    def close(self) -> None:
        """The channel stops: every waiting page is answered now."""
        self.closed = True
        for listeners in self._waiting.values():
            for listener in listeners:
                listener.ring()
