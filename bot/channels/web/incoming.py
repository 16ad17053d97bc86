"""What the page posts, read strictly: {"id": ..., "text": ...} or {"id": ..., "option": ...}.

The id is made by the page for each message and kept when it retries, so a message that was
stored but whose answer was lost is dropped as a repeat by the switchboard."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.engine.messages import MAX_OPTION_DATA_BYTES

MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class Refused(Exception):
    """A body the channel will not take: answered with `status` and `detail`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Said:
    """One message from the page: text the person wrote, or the data of an option they chose."""

    message_id: str
    text: str | None = None
    option: str | None = None


def read(body: bytes, *, max_text: int) -> Said:
    """The message in a request body; raises Refused. Text is cut to `max_text` characters."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None
    except (ValueError, RecursionError):
        raise Refused(400, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "expected a JSON object")
    message_id = data.get("id")
    if not isinstance(message_id, str) or not MESSAGE_ID.fullmatch(message_id):
        raise Refused(400, "id: 8 to 64 letters, digits, - or _")
    text, option = data.get("text"), data.get("option")
    if (text is None) == (option is None):
        raise Refused(400, "send either text or option")
    if text is not None:
        if not isinstance(text, str):
            raise Refused(400, "text must be a string")
        # JSON may carry lone surrogates, which no database or page can take.
        text = text[:max_text].encode("utf-8", "replace").decode("utf-8")
        if not text.strip():
            raise Refused(400, "the message is empty")
        return Said(message_id, text=text)
    if not isinstance(option, str) or not option:
        raise Refused(400, "option must be a non-empty string")
    try:
        size = len(option.encode("utf-8"))
    except UnicodeEncodeError:
        raise Refused(400, "option is not one the hotline offers") from None
    if size > MAX_OPTION_DATA_BYTES:
        raise Refused(400, "option is not one the hotline offers")
    return Said(message_id, option=option)
