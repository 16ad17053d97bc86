"""The queue of open cases, and the event stream that tells open console pages to refresh
(new cases reach an operator's queue within a second, without reloading)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.responses import Response

from bot.console import accounts
from bot.console.deps import HotlineDep, SignedIn
from bot.console.pages import render

router = APIRouter()
# Seconds between "tick" events when nothing changed here: pages refresh their waiting times
# and see changes other worker processes made (they do not wake this process's waiters).
TICK = 20


@router.get("/")
async def queue_page(
    request: Request, account: SignedIn, hotline: HotlineDep, done: str = ""
) -> Response:
    items = await hotline.desk.queue(account.actor)
    message = "Case closed." if done == "close" else None
    return render(request, "queue.html", account=account, items=items, message=message)


@router.get("/queue")
async def queue_fragment(request: Request, account: SignedIn, hotline: HotlineDep) -> Response:
    items = await hotline.desk.queue(account.actor)
    return render(request, "_queue.html", account=account, items=items)


@router.get("/events")
async def events(request: Request, account: SignedIn, hotline: HotlineDep) -> Response:
    changes = hotline.desk.changes

    async def stream() -> AsyncIterator[ServerSentEvent]:
        version = changes.version
        yield ServerSentEvent(event="hello", data=str(version), retry=2000)
        while True:
            seen = await changes.wait(version, TICK)
            if seen != version:
                version = seen
                yield ServerSentEvent(event="changed", data=str(version))
                continue
            # Quiet for a while: still signed in? (switched off, signed out elsewhere)
            still = await hotline.database.run(
                lambda connection: accounts.account(connection, account.id)
            )
            if still is None or still.epoch != account.epoch:
                yield ServerSentEvent(event="signout", data="")
                return
            yield ServerSentEvent(event="tick", data=str(version))

    return EventSourceResponse(stream(), ping=15, headers={"cache-control": "no-store"})
