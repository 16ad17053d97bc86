"""The SMS channel: one gateway's requests in (messages and delivery reports), replies out
through the outbox, long answers paged ("+" for the next page).

A message is acknowledged to the gateway only after the switchboard has committed it, so a
gateway that gets no answer (or a 503) delivers it again, and the repeat is dropped by its id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

import httpx
import phonenumbers
from aiolimiter import AsyncLimiter
from starlette.requests import Request
from starlette.responses import Response

from bot.channels.sms.gateway import GATEWAYS, Gateway, Incoming, Refused
from bot.channels.sms.render import latin, render
from bot.engine.conversation import N_
from bot.engine.messages import Inbound, Reply
from bot.engine.switchboard import Switchboard
from bot.language.catalogs import Catalogs
from bot.language.normalize import normalize
from bot.outbox import Outbox
from bot.settings import Settings
from bot.storage.models import utcnow
from bot.web import problem, read_capped

log = logging.getLogger(__name__)
CHANNEL = "sms"
MAX_BODY = 1024 * 1024
# One SMS holds at most a few hundred characters even when concatenated; anything longer is
# not a message a person typed.
MAX_TEXT = 2000


# Closes every page but the last; the person sends "+" (or the word) for the next one.
MORE = N_("(+ for more)")
# What asks for the next page, in every language we speak ("+" works everywhere).
MORE_WORDS = frozenset(
    [
        "+",
        "++",
        "ещё",
        "еще",
        "дальше",
        "more",
        "next",
        "тағы",
        "дагы",
        "боз",
        "yana",
        "яна",
        "ýene",
        "yene",
        "بیشتر",
        "نور",
    ]  # fmt: skip
)
_SPACES = re.compile(r"[\s\-().]")


def phone_address(raw: str) -> str | None:
    """The number a message came from, as the address to answer. Numbers written in
    international form become E.164; anything else (a short code, a national number) is kept
    as the gateway gave it, since only the gateway knows how to route it. None if it is not a
    number at all."""
    digits = _SPACES.sub("", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d{3,15}", digits):
        return None
    if digits.startswith("+"):
        try:
            number = phonenumbers.parse(digits, None)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_possible_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return digits


class SmsSender:
    """The outbox's sender for SMS: the gateway's send, at HOTLINE_SMS_MAX_PER_SECOND."""

    channel = CHANNEL

    def __init__(self, gateway: Gateway, *, per_second: float) -> None:
        self.gateway = gateway
        self.parallel = max(1, int(per_second))
        self._limit = AsyncLimiter(per_second, 1)

    async def send(self, address: str, reply: Reply, *, ref: str = "") -> str | None:
        await self._limit.acquire()
        await self.gateway.send(address, reply.text, ref=ref)
        # A gateway's id is no chat message /forget could delete: nothing to keep.
        return None


class SmsChannel:
    def __init__(
        self,
        *,
        gateway: Gateway,
        switchboard: Switchboard,
        outbox: Outbox,
        catalogs: Catalogs,
        budget: int,
        per_second: float,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.gateway = gateway
        self.switchboard = switchboard
        self.outbox = outbox
        self.catalogs = catalogs
        self.budget = budget
        self.sender = SmsSender(gateway, per_second=per_second)
        self.client = client
        switchboard.pagers[CHANNEL] = self
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        switchboard: Switchboard,
        outbox: Outbox,
        catalogs: Catalogs,
        client: httpx.AsyncClient | None = None,
    ) -> SmsChannel:
        name = settings.sms_gateway
        client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        report_url = f"{settings.callback_base}/sms/{name}/report"
        gateway = GATEWAYS[name](settings, client=client, report_url=report_url)
        return cls(
            gateway=gateway,
            switchboard=switchboard,
            outbox=outbox,
            catalogs=catalogs,
            budget=settings.sms_segment_budget,
            per_second=settings.sms_max_per_second,
            client=client,
        )

    # -- paging (the switchboard calls these) ----------------------------------------------------

    def pages(self, reply: Reply, *, latin_letters: bool = False) -> list[str]:
        more = self.catalogs.get(reply.language).gettext(MORE)
        if latin_letters:
            reply = latin(reply)
            more = latin(Reply(text=more)).text
        return list(render(reply, more=more, budget=self.budget).pages)

    def asks_more(self, text: str) -> bool:
        return normalize(text) in MORE_WORDS

    # -- requests from the gateway ---------------------------------------------------------------

    async def receive(self, request: Request) -> Response:
        body = await read_capped(request, MAX_BODY)
        if body is None:
            return problem(413, "request too large")
        try:
            event = await self.gateway.read(request, body)
        except Refused as refused:
            log.warning("SMS gateway request refused: %s", refused.detail)
            return problem(refused.status, refused.detail)
        try:
            if isinstance(event, Incoming):
                address = phone_address(event.sender)
                if address is None:
                    log.warning("SMS from something that is not a phone number refused")
                    return problem(400, "the sender is not a phone number")
                await self.switchboard.receive(
                    Inbound(
                        channel=CHANNEL,
                        address=address,
                        text=event.text[:MAX_TEXT],
                        message_id=event.gateway_id,
                        received_at=utcnow(),
                    )
                )
            else:
                found = await self.outbox.record_delivery(
                    channel=CHANNEL,
                    ref=event.ref,
                    delivery=event.delivery,
                    detail=event.detail,
                    invalid_number=event.invalid_number,
                )
                if not found:
                    log.info("delivery report for no message of ours ignored")
        except Exception:
            # Not stored, so not acknowledged: the gateway delivers it again.
            log.exception("could not store an SMS gateway request; the gateway will retry")
            return problem(503, "try again later")
        return self.gateway.acknowledge(event)

    # -- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self.outbox.run(self.sender), name="sms-sender")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.client is not None:
            await self.client.aclose()
