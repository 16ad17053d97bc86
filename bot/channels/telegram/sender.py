"""The outbox's sender for Telegram: sends at the rates Telegram allows and turns its errors
into what the outbox understands (wait, retry, give up, stop writing to this chat)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiolimiter import AsyncLimiter

from bot.channels.telegram.render import keyboard
from bot.channels.telegram.updates import CHANNEL
from bot.engine.messages import Reply
from bot.outbox import SendError

log = logging.getLogger(__name__)
# https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this: about one
# message a second in one chat (short bursts pass), about 30 a second overall.
PER_CHAT_BURST = 3
PER_CHAT_SECONDS = 4.0
# Loopback and a busy machine delay a request by a few milliseconds, not more: the window is
# that much longer than Telegram's second, so it never sees 31 in one.
WINDOW_MARGIN = 0.03
# Chats whose limiter is kept; older ones are forgotten (a forgotten chat starts with a full burst).
KEPT_CHATS = 10_000
DELETE_BATCH = 100


class Window:
    """At most `count` sends in any window of a second (and a little: what we count when we
    send, Telegram counts when it receives). Telegram and the stand-in count any one-second
    window: a token bucket let a second's worth go at once after a pause on top of the steady
    rate (about 500 429s in 2,000 messages), and spacing every send 1/30 s apart lost each
    moment a send came late (0.93 of the limit). A window catches up on lateness and never
    holds more than the limit."""

    def __init__(self, count: float, seconds: float = 1.0 + WINDOW_MARGIN) -> None:
        self.count = max(1, int(count))
        self.seconds = seconds
        self._sent: deque[float] = deque()
        self._turn = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._turn:  # in order of asking, one at a time
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= self.seconds:
                self._sent.popleft()
            if len(self._sent) >= self.count:
                await asyncio.sleep(self._sent[0] + self.seconds - now)
                self._sent.popleft()
            self._sent.append(time.monotonic())


class TelegramSender:
    channel = CHANNEL

    def __init__(self, bot: Bot, *, per_second: float = 30) -> None:
        self.bot = bot
        # Chats the outbox may serve side by side: enough to use the whole overall rate.
        self.parallel = max(1, int(per_second))
        self._overall = Window(per_second)
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._paused_until = 0.0

    async def send(self, address: str, reply: Reply, *, ref: str = "") -> str | None:
        try:
            chat_id = int(address)
        except ValueError:
            raise SendError("not a Telegram chat id", retryable=False, unreachable=True) from None
        try:
            if reply.retract:
                await self._delete(chat_id, reply.retract)
            await self._wait_turn(chat_id)
            message = await self.bot.send_message(
                chat_id=chat_id,
                text=reply.text,
                reply_markup=keyboard(reply.options),
                disable_web_page_preview=True,
            )
        except TelegramRetryAfter as error:
            # Flood control is for the whole bot: everyone waits, not only this chat.
            self._paused_until = max(self._paused_until, time.monotonic() + error.retry_after)
            raise SendError(
                "flood control", retryable=True, retry_after=error.retry_after
            ) from None
        except TelegramForbiddenError:
            raise SendError("blocked by the user", retryable=False, unreachable=True) from None
        except (TelegramBadRequest, TelegramNotFound) as error:
            gone = "chat not found" in error.message.lower()
            raise SendError(
                f"refused: {error.message[:120]}", retryable=False, unreachable=gone
            ) from None
        except TelegramUnauthorizedError:
            log.error("Telegram refuses the bot token: check HOTLINE_TELEGRAM_TOKEN")
            raise SendError("bad token", retryable=True, retry_after=60) from None
        except (TelegramServerError, TelegramNetworkError) as error:
            raise SendError(f"network: {type(error).__name__}", retryable=True) from None
        except AiogramError as error:  # an unreadable answer and the like: try again later
            raise SendError(f"Telegram: {type(error).__name__}", retryable=True) from None
        return str(message.message_id)

    async def _wait_turn(self, chat_id: int) -> None:
        pause = self._paused_until - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        await self._chat_limiter(chat_id).acquire()
        await self._overall.acquire()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.pop(chat_id, None) or AsyncLimiter(PER_CHAT_BURST, PER_CHAT_SECONDS)
        self._chats[chat_id] = limiter
        if len(self._chats) > KEPT_CHATS:
            self._chats.popitem(last=False)
        return limiter

    async def _delete(self, chat_id: int, refs: tuple[str, ...]) -> None:
        """Delete what Telegram still allows (under 48 hours); the rest cannot be helped."""
        ids = [int(ref) for ref in refs if ref.isdigit()]
        for start in range(0, len(ids), DELETE_BATCH):
            await self._overall.acquire()
            try:
                await self.bot.delete_messages(
                    chat_id=chat_id, message_ids=ids[start : start + DELETE_BATCH]
                )
            except (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound):
                log.info("some messages could not be deleted from a chat")
