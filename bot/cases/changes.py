"""A counter that says "cases changed" to whoever waits on it (the console's live queue).

In one process a change wakes the waiters at once; other worker processes' changes are seen
by the console's periodic re-read, so nothing depends on this for correctness."""

from __future__ import annotations

import asyncio
import contextlib


class Changes:
    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, after: int, timeout: float) -> int:  # noqa: ASYNC109 - a wait, not a call
        """The version once it is past `after`, or the same one after `timeout` seconds."""
        if self.version > after:
            return self.version
        event = self._event
        with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel on 3.11
            async with asyncio.timeout(timeout):
                await event.wait()
        return self.version
