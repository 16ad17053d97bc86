"""Case codes: short enough to write down and type on a phone keypad, long enough that
nobody reconnects to a stranger's case by guessing (a match must still be confirmed)."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: letters and digits people confuse when they copy a code.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6
# "K7F-2QX", "k7f2qx", "K7F 2QX": how a person may write a code back.
_WRITTEN = re.compile(r"^\s*#?([A-Za-z0-9]{3})[\s\-]?([A-Za-z0-9]{3})\s*$")


def new_code() -> str:
    """A random code with at least one letter and one digit (what `written_code` looks for)."""
    while True:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if any(ch.isdigit() for ch in raw) and any(ch.isalpha() for ch in raw):
            return f"{raw[:3]}-{raw[3:]}"


def written_code(text: str) -> str | None:
    """The code a message consists of, normalised ("K7F-2QX"), or None. Only a message that is
    nothing but a code counts, and only with at least one digit and one letter of the code's
    alphabet, so ordinary words ("привет", "salom") never look like one."""
    found = _WRITTEN.match(text or "")
    if found is None:
        return None
    raw = (found.group(1) + found.group(2)).upper()
    if not all(ch in ALPHABET for ch in raw):
        return None
    if not any(ch.isdigit() for ch in raw) or not any(ch.isalpha() for ch in raw):
        return None
    return f"{raw[:3]}-{raw[3:]}"
