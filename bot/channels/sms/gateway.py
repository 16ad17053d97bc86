"""What every SMS gateway module provides: read what the gateway posts to us (a message a person
sent, or a delivery report), say what the gateway expects back, and send one text.

A gateway module defines one class and registers it with `@register("name")`; the SMS channel
serves its inbound requests under /sms/<name> and its delivery reports under
/sms/<name>/report, and picks it by HOTLINE_SMS_GATEWAY.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol, TypeVar

import httpx
from starlette.requests import Request
from starlette.responses import Response

from bot.outbox import SendError

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)
Delivery = Literal["delivered", "failed", "pending"]


@dataclass(frozen=True)
class Incoming:
    """One SMS a person sent."""

    sender: str  # the person's number as the gateway gives it (normalised by the channel)
    text: str
    # The gateway's id for this message, so a redelivery is dropped; None if it has none.
    gateway_id: str | None = None


@dataclass(frozen=True)
class Report:
    """A delivery report for a message we sent. `ref` is our outbox id, which every gateway
    carries for us (in the report URL or the message's metadata)."""

    ref: str
    delivery: Delivery
    detail: str | None = None
    # The number turned out not to exist or not to take SMS: stop writing to it.
    invalid_number: bool = False


class Refused(Exception):
    """A request the gateway module will not take: answered with `status` and `detail`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class Gateway(Protocol):
    name: ClassVar[str]

    async def read(self, request: Request, body: bytes) -> Incoming | Report:
        """Check the request is the gateway's (else Refused(401)) and read it (else
        Refused(400)). `body` is already read, and capped in size."""
        ...

    def acknowledge(self, event: Incoming | Report) -> Response:
        """What the gateway gets back once the event is stored."""
        ...

    async def send(self, to: str, text: str, *, ref: str) -> str | None:
        """Hand one SMS to the gateway; `ref` is our id for it (for delivery reports).
        Returns the gateway's id, if it gives one. Raises bot.outbox.SendError."""
        ...


class GatewayFactory(Protocol):
    def __call__(
        self, settings: Settings, *, client: httpx.AsyncClient, report_url: str
    ) -> Gateway: ...


# name -> factory: the gateway class itself, built from Settings, the shared HTTP client and the
# public address of its delivery-report endpoint.
GATEWAYS: dict[str, GatewayFactory] = {}
G = TypeVar("G")


def register(name: str) -> Callable[[G], G]:
    def add(factory: G) -> G:
        GATEWAYS[name] = factory  # type: ignore[assignment]
        return factory

    return add


def send_error(response: httpx.Response, *, unreachable: bool = False) -> SendError | None:
    """What a gateway's HTTP answer means for the outbox (None: accepted). The one place HTTP
    outcomes become send errors, so every gateway retries and gives up the same way."""
    status = response.status_code
    if status < 300:
        return None
    if status == 429:
        # RFC 9110 Retry-After, in seconds (the HTTP-date form is rare; a minute then).
        wait = response.headers.get("retry-after", "")
        return SendError(
            "gateway rate limit", retryable=True, retry_after=float(wait) if wait.isdigit() else 60
        )
    if status >= 500 or status == 408:
        return SendError(f"gateway error {status}", retryable=True)
    if status in (401, 403):
        log.error("the SMS gateway refuses our credentials (HTTP %d): check the settings", status)
        return SendError(f"gateway refused credentials ({status})", retryable=True, retry_after=60)
    return SendError(f"gateway refused ({status})", retryable=False, unreachable=unreachable)


def network_error(error: httpx.HTTPError) -> SendError:
    return SendError(f"network: {type(error).__name__}", retryable=True)
