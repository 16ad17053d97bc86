"""Small pieces shared by the HTTP endpoints gateways and Telegram call."""

from __future__ import annotations

from starlette.requests import Request


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None once it grows past the limit (whatever Content-Length claims)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
