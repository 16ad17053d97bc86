"""How many SMS segments a text costs, counted the way phones and gateways count them.

GSM-7 (the GSM 03.38 alphabet) fits 160 characters in one SMS and 153 in each part of a long
one; characters of its extension table ({ } [ ] ~ \\ | ^ €) take two places and are never split
across parts. Anything else (Cyrillic, for one) goes as UCS-2: 70 in one SMS, 67 per part,
and a character outside the basic plane takes two places, never split either.
"""

from __future__ import annotations

from typing import Literal

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec

Encoding = Literal["gsm7", "ucs2"]
SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}


def encoding(text: str) -> Encoding:
    try:
        text.encode("gsm03.38")
    except UnicodeEncodeError:
        return "ucs2"
    return "gsm7"


def _widths(text: str, coding: Encoding) -> list[int]:
    """Places each character takes in its encoding."""
    if coding == "gsm7":
        return [len(ch.encode("gsm03.38")) for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def units(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes."""
    return sum(_widths(text, encoding(text)))


def segments(text: str) -> int:
    """SMS parts the text is sent as (0 for an empty text)."""
    if not text:
        return 0
    coding = encoding(text)
    widths = _widths(text, coding)
    if sum(widths) <= SINGLE[coding]:
        return 1
    count, room = 1, PART[coding]
    for width in widths:
        if width > room:  # a two-place character moves whole to the next part
            count, room = count + 1, PART[coding]
        room -= width
    return count
