"""The web chat's HTTP endpoints, served by the running WebChannel (built at start-up).

- GET /chat: the page; sets the person's cookie.
- POST /chat/api/messages: {"id", "text"} or {"id", "option"}; 202 {"id"} once stored.
- GET /chat/api/messages?after=<id>&wait=<s>: {"messages": [...]}, waiting up to s seconds.
- GET /chat/api/stream?after=<id> (or Last-Event-ID): server-sent events, one per message.
- GET /chat/static/...: the page's script and style.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.web import incoming, page, person
from bot.channels.web.accept import preferred
from bot.channels.web.channel import MAX_STREAMS, WebChannel
from bot.content.loader import LANGUAGES
from bot.web import problem, read_capped

log = logging.getLogger(__name__)
# A typed message is a few kilobytes at most, even at max_text_length in Cyrillic.
MAX_BODY = 64 * 1024
# Longest a long poll waits; under the usual 30-60 s proxy timeouts.
MAX_WAIT = 25
NO_STORE = {"Cache-Control": "no-store"}
# Nothing but this origin's own script, style and requests; no referrer leaves with a link.
PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

ChannelOf = Callable[[Request], WebChannel | None]


def web_routes(channel_of: ChannelOf) -> list[BaseRoute]:
    async def chat_page(request: Request) -> Response:
        channel = channel_of(request)
        if channel is None:
            return problem(503, "the web chat is starting")
        html = page.render(
            channel.catalogs,
            accept_language=request.headers.get("accept-language", ""),
            default_language=channel.default_language,
            base=request.scope.get("root_path", "") + "/chat",
            max_text=channel.max_text,
        )
        response = HTMLResponse(html, headers=PAGE_HEADERS)
        # Renewed on every visit, so a person who comes back keeps their conversation.
        token, _ = _person(request)
        person.keep(response, token, secure=channel.secure_cookie)
        return response

    async def post_message(request: Request) -> Response:
        channel = channel_of(request)
        if channel is None:
            return problem(503, "the web chat is starting")
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return problem(415, "send application/json")
        body = await read_capped(request, MAX_BODY)
        if body is None:
            return problem(413, "request too large")
        try:
            said = incoming.read(body, max_text=channel.max_text)
        except incoming.Refused as refused:
            log.info("web chat message refused: %s", refused.detail)
            return problem(refused.status, refused.detail)
        token, new = _person(request)
        wait = channel.allowance.take(channel.key(token))
        if wait:
            response = problem(429, "too many messages: wait a little")
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        try:
            await channel.receive(
                token,
                said,
                language_hint=preferred(request.headers.get("accept-language", ""), LANGUAGES),
            )
        except Exception:
            # Not stored, so not acknowledged: the page sends it again with the same id.
            log.exception("could not store a web chat message; the page will retry")
            return problem(503, "try again later")
        response = JSONResponse({"id": said.message_id}, status_code=202, headers=NO_STORE)
        if new:
            person.keep(response, token, secure=channel.secure_cookie)
        return response

    async def get_messages(request: Request) -> Response:
        channel = channel_of(request)
        if channel is None:
            return problem(503, "the web chat is starting")
        try:
            after = _number(request.query_params.get("after"), "after")
            wait = min(_number(request.query_params.get("wait"), "wait") or 0, MAX_WAIT)
        except ValueError as error:
            return problem(400, str(error))
        token, new = _person(request)
        messages: list[dict[str, Any]] = []  # a stranger has nothing here yet
        try:
            if not new and wait:
                messages = await channel.wait(token, after or 0, wait)
            elif not new:
                messages = await channel.read(token, after)
        except Exception:  # the database is away: the page asks again
            log.exception("could not read a web chat's messages")
            return problem(503, "try again later")
        response = JSONResponse({"messages": messages}, headers=NO_STORE)
        if new:
            person.keep(response, token, secure=channel.secure_cookie)
        return response

    async def stream(request: Request) -> Response:
        channel = channel_of(request)
        if channel is None:
            return problem(503, "the web chat is starting")
        try:
            # A reconnecting EventSource says where it stopped in Last-Event-ID.
            after = _number(request.headers.get("last-event-id"), "Last-Event-ID")
            if after is None:
                after = _number(request.query_params.get("after"), "after")
        except ValueError as error:
            return problem(400, str(error))
        token, new = _person(request)
        if channel.streams_of(token) >= MAX_STREAMS:
            return problem(429, "too many open chats")
        response = EventSourceResponse(
            _events(channel.stream(token, after or 0)), headers=NO_STORE, send_timeout=30
        )
        if new:
            person.keep(response, token, secure=channel.secure_cookie)
        return response

    return [
        Route("/chat", chat_page, methods=["GET"]),
        Route("/chat/api/messages", post_message, methods=["POST"]),
        Route("/chat/api/messages", get_messages, methods=["GET"]),
        Route("/chat/api/stream", stream, methods=["GET"]),
        Mount("/chat/static", StaticFiles(directory=page.STATIC), name="chat-static"),
    ]


async def _events(messages: AsyncIterator[dict[str, Any]]) -> AsyncIterator[ServerSentEvent]:
    async for item in messages:
        # No id on a message that is not kept: the page's place in the stream stays put.
        event_id = None if item["id"] is None else str(item["id"])
        yield ServerSentEvent(data=json.dumps(item, ensure_ascii=False), id=event_id)


def _person(request: Request) -> tuple[str, bool]:
    """The person's token, and whether it is new (no cookie, or one we never made)."""
    token = person.token_of(request)
    return (token, False) if token else (person.new_token(), True)


def _number(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ValueError(f"{name}: a whole number")
    return int(value)
