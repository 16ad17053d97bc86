"""Small pieces shared by the HTTP endpoints gateways and Telegram call."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None if it is over the limit: as Content-Length declares it, or as it
    grows while read (whatever Content-Length claimed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def problem(status: int, detail: str) -> JSONResponse:
    """An error answer for a gateway or Telegram: the status and a short reason."""
    return JSONResponse({"detail": detail}, status_code=status)
