"""The webhook endpoint Telegram posts updates to (POST /telegram/webhook)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from aiogram.types import Update
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.telegram.channel import WEBHOOK_PATH, TelegramChannel
from bot.web import problem, read_capped

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_route(channel_of: Callable[[Request], TelegramChannel | None], secret: str) -> Route:
    """`channel_of` finds the running channel (built when the service starts)."""
    expected = secret.encode()

    async def telegram_webhook(request: Request) -> Response:
        channel = channel_of(request)
        if channel is None:
            return problem(503, "the Telegram channel is starting")
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("Telegram webhook call without the right secret refused")
            return problem(401, "missing or wrong secret token")
        body = await read_capped(request, MAX_BODY)
        if body is None:
            return problem(413, "update too large")
        try:
            # pydantic reads the JSON itself: invalid UTF-8, bad JSON and a wrong shape all
            # end as a ValidationError.
            update = Update.model_validate_json(body, context={"bot": channel.bot})
        except ValidationError:
            log.warning("malformed Telegram update refused")
            return problem(400, "malformed update")
        try:
            await channel.handle(update)
        except Exception:
            # Not stored, so not acknowledged: Telegram delivers it again later.
            log.exception("could not handle a Telegram update; Telegram will retry it")
            return problem(503, "try again later")
        return Response(status_code=200)

    # A plain Starlette route: FastAPI's request handling adds nothing here and costs time on
    # the busiest path of the service.
    return Route(WEBHOOK_PATH, telegram_webhook, methods=["POST"])
