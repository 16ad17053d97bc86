"""A stand-in Telegram Bot API server for tests: the real aiogram client talks to it over HTTP.

It answers the methods the hotline uses the way the real server does (https://core.telegram.org/
bots/api): the same envelopes, the same error codes and descriptions, and the documented limits
(4096-character texts, 64-byte button data, deleting only messages under 48 hours old, 429 with
`retry_after` when a bot sends too fast, 403 for a user who blocked the bot, 409 for getUpdates
while a webhook is set). Tests can also make it fail on demand: 500s, 429 storms, dropped
connections.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import serve

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
DELETE_WINDOW = 48 * 3600
# Fields aiogram sends as JSON inside form data.
_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "message_ids", "scope", "entities"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "from_chat_id"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class Sent:
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    at: float
    deleted: bool = False


@dataclass
class BotApi:
    """The server's state; tests read and steer it directly."""

    token: str = "123456:TEST-token"
    # Telegram allows about 30 messages a second overall and bursts of a few per chat.
    global_per_second: int = 30
    per_chat_burst: int = 3
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1000
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    webhook_url: str = ""
    webhook_secret: str | None = None
    too_many: int = 0  # 429s answered
    # Faults to inject into the next calls of sendMessage (or any method with `any_method`).
    fail_next: deque[int] = field(default_factory=deque)  # HTTP codes: 500, 502, 429 ...
    drop_next: int = 0
    any_method: bool = False
    retry_after: int = 1
    clock: Any = time.monotonic
    closing: bool = False
    stall: asyncio.Event | None = None  # while set to an Event, sendMessage waits for it
    confirmed: int = 0  # every update below this id has been confirmed by an offset
    _recent: deque[float] = field(default_factory=deque)
    _recent_by_chat: dict[int, deque[float]] = field(default_factory=dict)
    _message_ids: dict[int, int] = field(default_factory=dict)
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)

    # -- what tests do -------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (update_id assigned unless given), as if a person wrote."""
        if "update_id" not in update:
            update = {"update_id": self.next_update_id, **update}
            self.next_update_id += 1
        self.updates.append(update)
        self._new_update.set()
        return update

    def texts_to(self, chat_id: int) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id]

    # -- the methods -----------------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        self.calls.append((method, params))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        return await handler(params)

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        bot_id = int(self.token.split(":")[0])
        return {"id": bot_id, "is_bot": True, "first_name": "Hotline", "username": "hotline_bot"}

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset", 0)
        if offset:
            # Every update before the offset is confirmed and never returned again.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            self.confirmed = max(self.confirmed, offset)
        limit = min(params.get("limit") or 100, 100)
        deadline = self.clock() + min(params.get("timeout") or 0, 50)
        while not self.updates and self.clock() < deadline and not self.closing:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - self.clock())
            except TimeoutError:
                break
        return self.updates[:limit]

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        url = params.get("url", "")
        if url and not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token")
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url, self.webhook_secret = "", None
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.clear()
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            name = command.get("command", "")
            if not (1 <= len(name) <= 32) or not name.replace("_", "").isalnum():
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not (1 <= len(command.get("description", "")) <= 256):
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[params.get("language_code") or ""] = commands
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.answered_callbacks.append(str(params["callback_query_id"]))
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = params["chat_id"]
        text = params.get("text", "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self._throttle(chat_id)
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        self.sent.append(Sent(chat_id, message_id, text, markup, time.time()))
        return self._message(chat_id, message_id, text)

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        found = self._find(params["chat_id"], params["message_id"])
        text = params.get("text", "")
        if not text.strip() or len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message text is empty or too long")
        if found.text == text:
            raise ApiError(400, "Bad Request: message is not modified")
        found.text = text
        return self._message(found.chat_id, found.message_id, text)

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        found = self._find(params["chat_id"], params["message_id"], "to delete")
        if time.time() - found.at > DELETE_WINDOW:
            raise ApiError(400, "Bad Request: message can't be deleted")
        found.deleted = True
        return True

    async def _m_deleteMessages(self, params: dict[str, Any]) -> Any:
        ids = params.get("message_ids") or []
        if not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must hold 1 to 100 identifiers")
        for message_id in ids:
            # Like the real server, messages that cannot be deleted are skipped silently.
            for sent in self.sent:
                same = (sent.chat_id, sent.message_id) == (params["chat_id"], message_id)
                if same and time.time() - sent.at <= DELETE_WINDOW:
                    sent.deleted = True
        return True

    # -- helpers ---------------------------------------------------------------------------------

    def _find(self, chat_id: int, message_id: int, what: str = "to edit") -> Sent:
        for sent in self.sent:
            if (sent.chat_id, sent.message_id) == (chat_id, message_id) and not sent.deleted:
                return sent
        raise ApiError(400, f"Bad Request: message {what} not found")

    @staticmethod
    def _message(chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": text,
        }

    def _throttle(self, chat_id: int) -> None:
        now = self.clock()
        recent = self._recent
        by_chat = self._recent_by_chat.setdefault(chat_id, deque())
        for window in (recent, by_chat):
            while window and now - window[0] >= 1.0:
                window.popleft()
        if len(recent) >= self.global_per_second or len(by_chat) >= self.per_chat_burst:
            self.too_many += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after
            )
        recent.append(now)
        by_chat.append(now)


def _read_params(raw: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _JSON_FIELDS and isinstance(value, str):
            value = json.loads(value)
        elif key in _INT_FIELDS:
            value = int(value)
        params[key] = value
    return params


def _envelope(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)


def make_app(api: BotApi) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != api.token:
            return _envelope(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
            raw.update(request.query)
        params = _read_params({k: v for k, v in raw.items() if isinstance(v, str)}) | {
            k: v for k, v in raw.items() if not isinstance(v, str)
        }
        if method == "sendMessage" and api.stall is not None:
            # Held, then refused unrecorded: as if the request never reached Telegram.
            await api.stall.wait()
            return _envelope(ApiError(500, "Internal Server Error"))
        faulty = method == "sendMessage" or api.any_method
        if faulty and api.drop_next > 0:
            api.drop_next -= 1
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        if faulty and api.fail_next:
            code = api.fail_next.popleft()
            if code == 429:
                api.too_many += 1
                return _envelope(ApiError(429, "Too Many Requests: retry after 1", 1))
            return _envelope(ApiError(code, "Internal Server Error"))
        try:
            result = await api.call(method, params)
        except ApiError as error:
            return _envelope(error)
        return web.json_response({"ok": True, "result": result})

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.router.add_post("/bot{token}/{method}", handle)
    app.router.add_get("/bot{token}/{method}", handle)
    return app


class BotApiServer:
    """Runs a BotApi on 127.0.0.1 on a free port: `async with BotApiServer() as server`."""

    def __init__(self, api: BotApi | None = None) -> None:
        self.api = api or BotApi()
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def __aenter__(self) -> BotApiServer:
        self._runner, self.base = await serve(make_app(self.api))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        # Long polls in progress return at once, as when a real server restarts.
        self.api.closing = True
        self.api._new_update.set()
        if self.api.stall is not None:
            self.api.stall.set()
        await self._runner.cleanup()

    async def deliver(self, update: dict[str, Any], session: aiohttp.ClientSession) -> int:
        """Post an update to the registered webhook as Telegram does; returns the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if self.api.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.api.webhook_secret
        async with session.post(self.api.webhook_url, json=update, headers=headers) as response:
            await response.read()
            return response.status


# -- updates as Telegram sends them ------------------------------------------------------------

_message_ids: dict[int, int] = {}


def _user(user_id: int, language: str | None = "ru") -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Person"}
    if language:
        user["language_code"] = language
    return user


def message(
    chat_id: int,
    text: str | None = None,
    *,
    chat_type: str = "private",
    user_id: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A `message` update from a person (user id = chat id in a private chat)."""
    _message_ids[chat_id] = _message_ids.get(chat_id, 10_000) + 1
    body: dict[str, Any] = {
        "message_id": _message_ids[chat_id],
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type},
        "from": _user(user_id or abs(chat_id)),
        **content,
    }
    if text is not None:
        body["text"] = text
    return {"message": body}


def button(chat_id: int, data: str, *, message_id: int = 1) -> dict[str, Any]:
    """A `callback_query` update: the person pressed an inline button."""
    _message_ids[-chat_id] = _message_ids.get(-chat_id, 0) + 1
    return {
        "callback_query": {
            "id": f"cb-{chat_id}-{_message_ids[-chat_id]}",
            "from": _user(chat_id),
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "...",
            },
        }
    }


def blocked(chat_id: int, *, again: bool = False) -> dict[str, Any]:
    """A `my_chat_member` update: the person blocked (or unblocked) the bot."""
    member = {"user": {"id": 123456, "is_bot": True, "first_name": "Hotline"}}
    old, new = ("kicked", "member") if again else ("member", "kicked")

    def status(name: str) -> dict[str, Any]:
        return {**member, "status": name, **({"until_date": 0} if name == "kicked" else {})}

    return {
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private"},
            "from": _user(chat_id),
            "date": int(time.time()),
            "old_chat_member": status(old),
            "new_chat_member": status(new),
        }
    }
