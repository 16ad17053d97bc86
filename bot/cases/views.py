"""What the console shows of cases: plain data, decrypted only for the operator who may see it,
with the person's address masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import phonenumbers

# Outcome categories for closing a case: what the statistics count.
OUTCOMES = (
    ("informed", "Informed: the person got the information they needed"),
    ("referred", "Referred to another organisation or service"),
    ("assisted", "Assisted: the operator helped solve the problem"),
    ("emergency", "Emergency services involved"),
    ("no_reply", "The person stopped answering"),
    ("not_in_scope", "Not something the hotline can help with"),
    ("duplicate", "Duplicate of another case"),
)
OUTCOME_KEYS = frozenset(key for key, _label in OUTCOMES)
GENDERS = ("female", "male", "other")


@dataclass(frozen=True)
class Actor:
    """The signed-in operator, as the desk needs to know them."""

    id: int
    name: str
    organisation_id: str
    role: str  # operator, supervisor, admin

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Line:
    author: str  # person, operator, hotline, note
    operator_name: str | None
    text: str
    at: datetime


@dataclass(frozen=True)
class QueueItem:
    id: int
    code: str
    urgent: bool
    status: str
    reason: str
    language: str | None
    country: str | None
    topic: str | None
    channel: str
    created_at: datetime
    waiting_seconds: int
    operator_name: str | None
    organisation_name: str
    person_left: bool
    last_text_preview: str


@dataclass(frozen=True)
class CaseView:
    id: int
    code: str
    organisation_id: str
    organisation_name: str
    operator_id: int | None
    operator_name: str | None
    status: str
    urgent: bool
    reason: str
    channel: str
    language: str | None
    country: str | None
    topic: str | None
    gender: str | None
    referral_consent_at: datetime | None
    outcome: str | None
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    deadline_at: datetime | None
    person_left_at: datetime | None
    masked_address: str
    reachable: bool
    lines: list[Line]


def mask(channel: str, address: str | None) -> str:
    """Enough to tell two people apart on the phone, not enough to call them."""
    if address is None:
        return "erased"
    if channel == "sms":
        try:
            number = phonenumbers.parse(address if address.startswith("+") else f"+{address}")
        except phonenumbers.NumberParseException:
            return "*" * max(0, len(address) - 2) + address[-2:]
        national = phonenumbers.national_significant_number(number)
        return f"+{number.country_code} " + "*" * max(0, len(national) - 4) + national[-4:]
    if channel == "telegram":
        # Never more than a third of the id: short ids would otherwise show whole.
        return f"Telegram chat …{address[-min(4, len(address) // 3) :]}"
    if channel == "web":
        return "web chat"
    return f"{channel} …{address[-3:]}"


def preview(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
