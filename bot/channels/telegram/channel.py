"""The Telegram channel: takes updates (long polling or webhook), hands them to the engine,
and sends the replies from the outbox.

An update is acknowledged only after what it asked for is committed: in polling mode the next
getUpdates offset moves past an update only once it is stored; in webhook mode the 200 goes out
only after the same. A repeated update_id is dropped by the switchboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError, ClientDecodeError, TelegramAPIError
from aiogram.methods import GetUpdates
from aiogram.methods.base import Response
from aiogram.types import BotCommand, CallbackQuery, ChatMemberUpdated, Message, Update
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from bot.channels.telegram import updates
from bot.channels.telegram.render import shape
from bot.channels.telegram.sender import TelegramSender
from bot.engine.messages import Inbound, Reply
from bot.engine.switchboard import Switchboard
from bot.language.catalogs import Catalogs
from bot.outbox import Outbox

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25
# Waits between tries to store an update while the database is away.
RETRY_DELAYS = (0.5, 1, 2, 5, 10)
# Tries before an update that fails for another reason (a bug meeting odd input) is skipped,
# so one bad update cannot stop everyone else's.
MAX_TRIES = 5


def N_(message: str) -> str:
    return message


# Command menu, in every language: (command, description).
COMMANDS = (
    ("start", N_("Start again")),
    ("menu", N_("Main menu")),
    ("language", N_("Change language")),
    ("country", N_("Change country")),
    ("help", N_("What I can do")),
    ("operator", N_("Talk to a person")),
    ("stop", N_("No news or reminders from us")),
    ("forget", N_("Erase my data")),
)
GROUP_NOTICE = N_(
    "I answer only in a private chat, so that what you ask stays between us. "
    "Open a chat with me and write there."
)


@dataclass(frozen=True)
class _Skipped:
    """An update that cannot be read: only its id is used, to move past it."""

    update_id: int


# pydantic keeps parametrized generic models only while something refers to them, and aiogram
# builds Response[...] for every call it reads: without these references each send paid for a
# new model class (8% of the samples in a py-spy profile under scripts/bench_telegram.py).
_RESPONSE_MODELS = [
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        methods.SendMessage,
        methods.AnswerCallbackQuery,
        methods.DeleteMessages,
        methods.GetUpdates,
        methods.SetWebhook,
        methods.DeleteWebhook,
        methods.SetMyCommands,
        methods.GetMe,
    )
]


class TelegramChannel:
    def __init__(
        self,
        *,
        token: str,
        api_base: str,
        switchboard: Switchboard,
        outbox: Outbox,
        catalogs: Catalogs,
        countries: tuple[str, ...],
        default_language: str = "ru",
        per_second: float = 30,
    ) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
        self.bot = Bot(token=token, session=session)
        self.switchboard = switchboard
        self.outbox = outbox
        self.catalogs = catalogs
        self.countries = countries
        self.default_language = default_language
        self.sender = TelegramSender(self.bot, per_second=per_second)
        switchboard.shapers[updates.CHANNEL] = shape
        self._tasks: list[asyncio.Task[None]] = []

    # -- updates ---------------------------------------------------------------------------------

    async def handle(self, update: Update) -> None:
        """Hand one update to the engine; returns once its effects are committed. Raises if
        they could not be, so the caller does not acknowledge the update.

        Three kinds of update, routed by hand: aiogram's Dispatcher (middlewares, FSM context,
        filters) cost about 0.27 ms an update here, almost half again what engine and storage
        take (scripts/bench_telegram_handle.py)."""
        if update.message is not None:
            if update.message.chat.type != "private":
                await self._in_group(update.message, update)
            else:
                await self._on_message(update.message, update)
        elif update.callback_query is not None:
            await self._on_button(update.callback_query, update)
        elif update.my_chat_member is not None:
            await self._on_membership(update.my_chat_member)

    async def _on_message(self, message: Message, event_update: Update) -> None:
        inbound = updates.from_message(message, event_update.update_id, self.countries)
        await self.switchboard.receive(inbound)

    async def _on_button(self, callback: CallbackQuery, event_update: Update) -> None:
        await self.switchboard.receive(updates.from_callback(callback, event_update.update_id))
        # Stops the spinner on the button; it expires quickly, so it is not queued.
        with contextlib.suppress(TelegramAPIError, TimeoutError):
            await self.bot.answer_callback_query(callback.id)

    async def _in_group(self, message: Message, event_update: Update) -> None:
        if not (message.text or "").startswith("/"):
            return  # a group's own conversation is none of the bot's business
        language = updates.our_language(
            message.from_user.language_code if message.from_user else None
        )
        text = self.catalogs.get(language or self.default_language).gettext(GROUP_NOTICE)
        inbound = Inbound(
            channel=updates.CHANNEL,
            address=str(message.chat.id),
            message_id=str(event_update.update_id),
        )
        await self.switchboard.notify(inbound, [Reply(text=text, language=language or "ru")])

    async def _on_membership(self, event: ChatMemberUpdated) -> None:
        if event.chat.type != "private":
            return
        status = event.new_chat_member.status
        await self.switchboard.set_reachable(
            updates.CHANNEL, str(event.chat.id), reachable=status not in ("kicked", "left")
        )

    # -- running ---------------------------------------------------------------------------------

    async def set_commands(self) -> None:
        """The command menu in every language we have, and the default one for the rest."""
        for language in (None, *self.catalogs.languages):
            gettext = self.catalogs.get(language or self.default_language).gettext
            commands = [BotCommand(command=c, description=gettext(d)) for c, d in COMMANDS]
            code = language.split("-")[0] if language else None
            await self.bot.set_my_commands(commands, language_code=code)

    def start_polling(self) -> None:
        """Send from the outbox and poll for updates, in the background."""

        async def polling() -> None:
            await self._until_done("remove the webhook", self.bot.delete_webhook)
            await self._until_done("set the command menu", self.set_commands)
            await self.poll()

        self._run(polling(), "telegram-polling")
        self._run(self.outbox.run(self.sender), "telegram-sender")

    def start_webhook(self, url: str, secret: str) -> None:
        """Send from the outbox and register the webhook, in the background."""

        async def register() -> None:
            await self._until_done("set the command menu", self.set_commands)
            await self._until_done(
                "register the webhook",
                lambda: self.bot.set_webhook(
                    url=url,
                    secret_token=secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=40,
                ),
            )
            log.info("Telegram webhook registered")

        self._run(register(), "telegram-webhook")
        self._run(self.outbox.run(self.sender), "telegram-sender")

    def _run(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(work, name=name))

    @staticmethod
    async def _until_done(what: str, call: Callable[[], Awaitable[Any]]) -> None:
        """Telegram may be out of reach when the service starts: keep trying, never crash."""
        attempt = 0
        while True:
            try:
                await call()
                return
            except (TelegramAPIError, TimeoutError, OSError) as error:
                delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                log.warning("could not %s (%s); again in %ss", what, type(error).__name__, delay)
                await asyncio.sleep(delay)
                attempt += 1

    async def poll(self) -> None:
        """Long polling that confirms an update (the next offset) only once it is stored."""
        offset: int | None = None
        failures = 0
        while True:
            try:
                batch = await self.bot(
                    GetUpdates(
                        offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
                    ),
                    request_timeout=POLL_TIMEOUT + 10,
                )
                failures = 0
            except ClientDecodeError as error:
                # One update aiogram cannot read must not stop the others: read them one by one.
                readable = self._readable(error.data)
                if readable is None:
                    await asyncio.sleep(RETRY_DELAYS[-1])
                    continue
                batch = readable
            except (AiogramError, TimeoutError) as error:
                delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
                failures += 1
                log.warning(
                    "Telegram getUpdates failed (%s); again in %ss", type(error).__name__, delay
                )
                await asyncio.sleep(delay)
                continue
            item: Update | _Skipped
            for item in batch:
                if isinstance(item, Update):
                    await self._store(item)
                offset = item.update_id + 1

    def _readable(self, data: Any) -> list[Update | _Skipped] | None:
        """The updates of a getUpdates answer, each one read on its own; None if the answer
        is not a list of updates at all."""
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, list):
            log.error("Telegram sent an unreadable getUpdates answer")
            return None
        batch: list[Update | _Skipped] = []
        for raw in result:
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                log.error("Telegram sent an update without an update_id; answer skipped")
                return None
            try:
                batch.append(Update.model_validate(raw, context={"bot": self.bot}))
            except ValidationError:
                log.error("an unreadable Telegram update was skipped")
                batch.append(_Skipped(raw["update_id"]))
        return batch

    async def _store(self, update: Update) -> None:
        """Try until the update is handled: acknowledging it unstored would lose it. While the
        database is away that means waiting for it; any other failure is given up after a few
        tries and logged."""
        attempt = 0
        while True:
            try:
                await self.handle(update)
                return
            except (DBAPIError, OSError):
                log.exception("could not store a Telegram update; the database is away")
            except Exception:
                if attempt + 1 >= MAX_TRIES:
                    log.exception("a Telegram update failed %d times; skipped", MAX_TRIES)
                    return
                log.exception("a Telegram update failed; trying again")
            await asyncio.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            attempt += 1

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.bot.session.close()
