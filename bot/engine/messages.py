"""What flows in and out of the engine, the same for every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Telegram's callback_data limit, and so the limit for every option's data.
MAX_OPTION_DATA_BYTES = 64


@dataclass(frozen=True)
class Inbound:
    """One message from a person: text they wrote, or an option they chose."""

    channel: str
    address: str
    text: str | None = None
    option: str | None = None
    language_hint: str | None = None
    country_hint: str | None = None
    # The channel's id of this delivery, to drop repeats (Telegram's update_id).
    message_id: str | None = None
    # What the person sent that is not text: photo, voice, sticker, location, document, contact...
    attachment: str | None = None
    # The message's id in the person's chat, where the channel can later delete it.
    chat_message_id: str | None = None
    # When it arrived (aware); the engine has no clock of its own. Decides "open now".
    received_at: datetime | None = None


@dataclass(frozen=True)
class Option:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > MAX_OPTION_DATA_BYTES:
            raise ValueError(f"option data over {MAX_OPTION_DATA_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    """A text plus options that every channel can render (buttons, numbered lines, links)."""

    text: str
    options: tuple[Option, ...] = ()
    node: str | None = None
    language: str = "ru"
    urgent: bool = False
    # The node's one-line summary, also contained in `text`; SMS can send it alone first.
    summary: str | None = None
    # Messages in the person's chat (channel ids) to delete before this one is sent.
    retract: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "options": [[o.label, o.data] for o in self.options],
            "node": self.node,
            "language": self.language,
            "urgent": self.urgent,
            "summary": self.summary,
            "retract": list(self.retract),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            options=tuple(Option(label, value) for label, value in data.get("options", [])),
            node=data.get("node"),
            language=data.get("language", "ru"),
            urgent=bool(data.get("urgent", False)),
            summary=data.get("summary"),
            retract=tuple(data.get("retract", ())),
        )


@dataclass(frozen=True)
class Escalation:
    """The person needs a human: asked for one, or triage found danger."""

    reason: str  # operator, urgent, unmatched
    urgent: bool = False
    node: str | None = None
    text: str | None = None


@dataclass
class State:
    """A person's place in the conversation; stored encrypted between messages."""

    language: str | None = None
    country: str | None = None
    country_asked: bool = False
    picking: str | None = None  # "language" or "country" while a picker waits
    node: str | None = None
    trail: list[str] = field(default_factory=list)
    options: list[list[str]] = field(default_factory=list)  # last reply's [label, data]
    question: str | None = None  # the last unanswered question, to pass to a person
    started: bool = False
    # The rest of a long answer on a channel that pages it (SMS), sent one page per "+".
    pages: list[str] = field(default_factory=list)
    # The person asked for Latin letters (an SMS in Latin letters costs half as much or less).
    latin: bool = False
    # Where `language` came from: "chosen" (the person picked it), "text" (what they wrote),
    # "hint" (the channel's guess, Telegram's language_code). A choice is never overridden.
    language_from: str | None = None
    # Languages the person was already asked to switch to: asked once, never again.
    offered: list[str] = field(default_factory=list)
    # A case found by the code the person wrote, waiting for them to confirm it is theirs.
    reconnect: int | None = None
    # Case codes tried from this chat: a few are enough for a person, not for guessing.
    code_tries: int = 0
    # A copy of what storage holds for the person, for the menus (the tables are the truth
    # for sending): topics subscribed to, reminders as [kind, ISO date], discreet mode.
    topics: list[str] = field(default_factory=list)
    reminders: list[list[str]] = field(default_factory=list)
    discreet: bool = False

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Outcome:
    state: State
    replies: list[Reply]
    escalation: Escalation | None = None
    # The person asked to erase everything about them; the replies are the confirmation.
    erase: bool = False
    # The person asked for no messages the hotline starts itself (campaigns, reminders).
    opt_out: bool = False
    # The person asked to start again (START): a channel that went silent after STOP resumes.
    opt_in: bool = False
    # Changes for storage, when the person made them: the whole new set of topics (consent
    # recorded for the new ones), of reminders ((kind, ISO date)), and discreet mode.
    subscriptions: tuple[str, ...] | None = None
    reminders: tuple[tuple[str, str], ...] | None = None
    discreet: bool | None = None
