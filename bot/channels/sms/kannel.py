"""Kannel (https://www.kannel.org), the open-source SMS gateway an operator runs next to the
hotline: smsbox calls us for every SMS a phone sends (its sms-service get-url or post-url),
we send through its sendsms interface, and delivery reports come to the dlr-url we give with
each message. scripts/kannel/kannel.conf is a configuration that fits this module.

Kannel's user guide (doc/userguide/userguide.xml in Kannel 1.4.5, the version Debian ships)
is the reference for the behaviour relied on here: "SMS-Service Group Variables" and
"Parameters (Escape Codes)" for what the get-url carries, "SMS Push reply codes" and
"SMS Push (send-sms) CGI Variables" for sendsms, "SMS Delivery Reports" for the DLR types.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote, unquote_to_bytes

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec
import httpx
from starlette.requests import Request
from starlette.responses import Response

from bot.channels.sms.gateway import (
    Delivery,
    Incoming,
    Refused,
    Report,
    network_error,
    register,
    send_error,
)
from bot.channels.sms.segments import encoding
from bot.outbox import SendError

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

# Kannel's DLR types (user guide, "SMS Delivery Reports"; the dlr-mask sendsms variable):
#   1  delivery success: the phone has the message
#   2  delivery failure: the SMSC gave up delivering it to the phone
#   4  message buffered: the SMSC holds it (phone off or out of reach) and keeps trying
#   8  smsc submit: the SMSC accepted it from Kannel
#  16  smsc reject: the SMSC refused it (unknown subscriber, invalid destination number, ...)
#  32  smsc intermediate notification (not asked for, but understood)
DLR_STATES: dict[int, tuple[Delivery, str]] = {
    1: ("delivered", "delivered to the phone"),
    2: ("failed", "not delivered to the phone"),
    4: ("pending", "buffered by the SMSC"),
    8: ("pending", "accepted by the SMSC"),
    16: ("failed", "rejected by the SMSC"),
    32: ("pending", "intermediate notification"),
}
DLR_MASK = 1 | 2 | 4 | 8 | 16
# SMPP command_status values Kannel passes on in a type 16 report ("NACK/0x0000000b/Invalid
# Destination Address"): the number itself is wrong (SMPP 3.4, 5.1.3).
INVALID_DESTINATION = frozenset({0x0B, 0x50, 0x51})  # RINVDSTADR, RINVDSTTON, RINVDSTNPI
# An SMS of 255 concatenated parts of 140 octets is the most an SMSC can hand over; anything
# larger did not come from a phone.
MAX_OCTETS = 255 * 140
# What %C says (urltrans.c), and what it may say when an smsc or sms-service recodes.
CHARSETS = {
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
    "UTF-16BE": "utf-16-be",
    "UCS-2": "utf-16-be",
    "UCS2": "utf-16-be",
    "UCS-2BE": "utf-16-be",
    "GSM": "gsm03.38",
    "WINDOWS-1252": "cp1252",
    "ISO-8859-1": "latin-1",
    "LATIN1": "latin-1",
}
DEFAULT_CHARSET = {0: "UTF-8", 1: "binary", 2: "UTF-16BE"}
BINARY = frozenset({"BINARY", "8-BIT"})
# sendsms answers that say the number is at fault (smsbox.c); anything else 4xx is ours.
BAD_NUMBER_ANSWERS = (
    "denied by white- and/or black-lists",  # not made of sendsms-chars, or black-listed
    "empty receiver number",
    "missing receiver number",
)
NOT_ROUTABLE = "not routable"  # 403 when bearerbox has no SMSC that takes the number


class _HideSendsmsQuery(logging.Filter):
    """httpx logs every request's URL at INFO, and a sendsms URL holds the number, the text and
    the password: those lines keep only the address."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: set[tuple[str, int | None, str]] = set()

    def add(self, url: str) -> None:
        parsed = httpx.URL(url)
        self.addresses.add((parsed.host, parsed.port, parsed.path))

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._hide(arg) for arg in record.args)
        return True

    def _hide(self, arg: object) -> object:
        if (
            isinstance(arg, httpx.URL)
            and arg.query
            and (arg.host, arg.port, arg.path) in self.addresses
        ):
            return f"{arg.copy_with(query=None)}?…"
        return arg


_HIDE = _HideSendsmsQuery()
logging.getLogger("httpx").addFilter(_HIDE)


@register("kannel")
class KannelGateway:
    name: ClassVar[str] = "kannel"

    def __init__(self, settings: Settings, *, client: httpx.AsyncClient, report_url: str) -> None:
        self.client = client
        self.key = settings.sms_relay_key.get_secret_value()
        self.sender = settings.sms_sender
        self.sendsms_url = settings.kannel_sendsms_url
        self.username = settings.kannel_username
        self.password = settings.kannel_password.get_secret_value()
        self.report_url = report_url
        _HIDE.add(self.sendsms_url)

    # -- requests from smsbox --------------------------------------------------------------------

    async def read(self, request: Request, body: bytes) -> Incoming | Report:
        params = _query(request.scope.get("query_string", b""))
        key = params.get("key")
        if key is None or len(key) != 1:
            raise Refused(401, "missing key")
        if not self.key or not hmac.compare_digest(key[0], self.key.encode()):
            raise Refused(401, "wrong key")
        if request.url.path.rstrip("/").endswith("/report"):
            return _report(params)
        return _incoming(request, params, body)

    def acknowledge(self, event: Incoming | Report) -> Response:
        # The sms-service has max-messages = 0: smsbox sends nothing back to the phone, whatever
        # the body. Any answer but 200 or 202 would make smsbox ask again (http-request-retry).
        return Response(status_code=200, media_type="text/plain")

    # -- sending ---------------------------------------------------------------------------------

    async def send(self, to: str, text: str, *, ref: str) -> str | None:
        params = {
            "username": self.username,
            "password": self.password,
            "to": to,
            "text": text,
            # Kannel reads the text in `charset` and keeps GSM text as UTF-8 and UCS-2 text as
            # UTF-16BE; httpx sends every parameter as UTF-8.
            "coding": "0" if encoding(text) == "gsm7" else "2",
            "charset": "UTF-8",
        }
        if self.sender:
            params["from"] = self.sender
        if ref:
            params["dlr-mask"] = str(DLR_MASK)
            params["dlr-url"] = self._dlr_url(ref)
        try:
            response = await self.client.get(self.sendsms_url, params=params)
        except httpx.HTTPError as error:
            raise network_error(error) from None
        status = response.status_code
        if status < 300:
            # 202 "0: Accepted for delivery" or "3: Queued for later delivery": no id either way.
            return None
        answer = _answer(response)
        lowered = answer.lower()
        log.warning("Kannel refused SMS %s (HTTP %d): %s", ref, status, answer)
        if status == 403 and NOT_ROUTABLE in lowered:
            # Not the credentials (403 too): no SMSC is configured to take this number.
            raise SendError(f"kannel: {answer}", retryable=False)
        bad_number = status == 400 and any(part in lowered for part in BAD_NUMBER_ANSWERS)
        error = send_error(response, unreachable=bad_number)
        assert error is not None  # every status from 300 on is an error
        raise SendError(
            f"{error} kannel: {answer}",
            retryable=error.retryable,
            retry_after=error.retry_after,
            unreachable=error.unreachable,
        )

    def _dlr_url(self, ref: str) -> str:
        """The report address smsbox fetches, with our ref and Kannel's %d (the DLR type) and
        %A (the SMSC's answer). smsbox replaces every %<letter> in it, so the percent signs of
        our own encoded values are doubled (%% is a literal %): "%C3" would become the charset."""

        def own(value: str) -> str:
            return quote(value, safe="").replace("%", "%%")

        separator = "&" if "?" in self.report_url else "?"
        return (
            f"{self.report_url.replace('%', '%%')}{separator}key={own(self.key)}"
            f"&ref={own(ref)}&status=%d&answer=%A"
        )


def _query(raw: bytes) -> dict[str, list[bytes]]:
    """The query string as bytes: smsbox URL-encodes the message octets as they are (UTF-16BE
    for UCS-2), with a space octet as "+"."""
    params: dict[str, list[bytes]] = {}
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        decoded = unquote_to_bytes(value.replace(b"+", b" "))
        params.setdefault(unquote_to_bytes(name).decode("latin-1"), []).append(decoded)
    return params


def _one(params: dict[str, list[bytes]], name: str) -> bytes | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise Refused(400, f"{name} given more than once")
    return values[0]


def _ascii(params: dict[str, list[bytes]], name: str) -> str:
    value = _one(params, name)
    if value is None:
        return ""
    try:
        return value.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise Refused(400, f"{name} is not UTF-8") from None


def _incoming(request: Request, params: dict[str, list[bytes]], body: bytes) -> Incoming:
    # post-url: the text is the body, its charset in Content-Type, the coding in X-Kannel-Coding
    # and the sender in X-Kannel-From (with send-sender = true) unless the URL has from=%p.
    posted = request.method == "POST"
    sender = _ascii(params, "from") or (request.headers.get("x-kannel-from", "") if posted else "")
    if not sender:
        raise Refused(400, "no sender (from=%p)")
    coding_text = _ascii(params, "coding") or (
        request.headers.get("x-kannel-coding", "") if posted else ""
    )
    if not coding_text:
        coding = 0
    elif coding_text.isdigit() and int(coding_text) in DEFAULT_CHARSET:
        coding = int(coding_text)
    else:
        raise Refused(400, "coding must be 0, 1 or 2")
    charset = _ascii(params, "charset")
    if posted:
        text_octets = body
        declared = _content_charset(request.headers.get("content-type", ""))
        charset = declared or charset
        if not declared and request.headers.get("content-type", "").startswith(
            "application/octet-stream"
        ):
            charset = "binary"
    else:
        found = _one(params, "text")
        if found is None:
            raise Refused(400, "no text (text=%b)")
        text_octets = found
    if len(text_octets) > MAX_OCTETS:
        raise Refused(400, "text longer than any SMS")
    text = _decode(text_octets, charset or DEFAULT_CHARSET[coding])
    gateway_id = _ascii(params, "id") or None
    return Incoming(sender=sender, text=text, gateway_id=gateway_id)


def _content_charset(content_type: str) -> str:
    found = re.search(r';\s*charset="?([^";\s]+)"?', content_type, re.IGNORECASE)
    return found.group(1) if found else ""


def _decode(octets: bytes, charset: str) -> str:
    name = charset.strip().strip('"').upper()
    if name in BINARY:
        # An 8-bit message is data (a ringtone, a vCard); some phones send plain UTF-8 so.
        try:
            return octets.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "an 8-bit message that is not text") from None
    codec = CHARSETS.get(name)
    if codec is None:
        raise Refused(400, f"unknown charset {charset[:40]!r}")
    try:
        text = octets.decode(codec)
    except UnicodeDecodeError:
        raise Refused(400, f"text is not valid {name}") from None
    return text.removeprefix("\ufeff")  # a byte order mark some phones put first


def _report(params: dict[str, list[bytes]]) -> Report:
    ref = _ascii(params, "ref")
    status = _ascii(params, "status")
    if not ref or not status:
        raise Refused(400, "ref and status (%d) are required")
    if not status.isdigit() or int(status) not in DLR_STATES:
        raise Refused(400, f"unknown DLR type {status[:20]!r}")
    code = int(status)
    delivery, meaning = DLR_STATES[code]
    summary, bad_number = _smsc_answer(_one(params, "answer") or b"")
    detail = f"kannel {code}: {meaning}" + (f" ({summary})" if summary else "")
    return Report(
        ref=ref, delivery=delivery, detail=detail, invalid_number=code == 16 and bad_number
    )


_STAT = re.compile(rb"\b(stat|err):([A-Za-z0-9]{1,10})")
_NACK = re.compile(rb"^NACK/(0x[0-9A-Fa-f]{1,8})(?:/([A-Za-z0-9 ,.\-]{0,60}))?")


def _smsc_answer(answer: bytes) -> tuple[str, bool]:
    """What of the SMSC's answer (%A) is kept: the status and error code only. An SMPP delivery
    receipt also quotes the start of the message ("text:..."), which is never kept."""
    nack = _NACK.match(answer)
    if nack:
        status = int(nack.group(1), 16)
        reason = (nack.group(2) or b"").decode("ascii").strip()
        summary = f"NACK {nack.group(1).decode('ascii')}" + (f" {reason}" if reason else "")
        return summary, status in INVALID_DESTINATION
    fields = [f"{name.decode()}:{value.decode()}" for name, value in _STAT.findall(answer[:300])]
    return " ".join(fields[:2]), False


def _answer(response: httpx.Response) -> str:
    """Kannel's answer text, short and with no long digit runs (no number is ever logged)."""
    text = response.content[:200].decode("utf-8", "replace").strip().splitlines()
    first = text[0] if text else ""
    return re.sub(r"\d{5,}", "…", first)[:120]
