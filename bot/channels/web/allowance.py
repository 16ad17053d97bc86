"""How many messages one person may send: a sliding window per token, in this process's
memory. Enough to keep one script from flooding the engine through one cookie; a person
typing never comes near it."""

from __future__ import annotations

import time
from collections import OrderedDict, deque


class Allowance:
    def __init__(self, count: int = 20, seconds: float = 60.0, kept: int = 10_000) -> None:
        self.count = count
        self.seconds = seconds
        self.kept = kept  # people remembered; the longest quiet are forgotten first
        self._sent: OrderedDict[str, deque[float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 if `key` may send one more message now (and counts it); else the seconds until
        it may."""
        now = time.monotonic()
        sent = self._sent.pop(key, None) or deque()
        while sent and sent[0] <= now - self.seconds:
            sent.popleft()
        self._sent[key] = sent
        if len(self._sent) > self.kept:
            self._sent.popitem(last=False)
        if len(sent) >= self.count:
            return sent[0] + self.seconds - now
        sent.append(now)
        return 0.0
