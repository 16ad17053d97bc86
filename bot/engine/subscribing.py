"""News by topic, reminders of a person's own dates, and discreet mode, as conversation steps.

Like the rest of the engine, no storage: the outcome says what changed (the whole new set of
topics or reminders), and the switchboard writes it with the consent time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from bot.campaigns.content import Topic
from bot.campaigns.dates import find_date
from bot.campaigns.kinds import KINDS, MAX_REMINDERS
from bot.engine.messages import Option, Outcome, State

if TYPE_CHECKING:
    from bot.engine.conversation import Conversation

Gettext = Callable[[str], str]
EXAMPLE_DATE = "15.01.2027"
# No patent or registration runs longer; a date further away is a typo.
MAX_YEARS_AHEAD = 10
ACTIONS = frozenset({"subscribe", "sub", "remind", "remind-date", "reminders", "rdel", "discreet"})


def shown(day: str) -> str:
    return date.fromisoformat(day).strftime("%d.%m.%Y")


class Subscribing:
    def __init__(
        self, conversation: Conversation, topics: Mapping[str, Topic], days_before: tuple[int, ...]
    ) -> None:
        self.conversation = conversation
        self.topics = dict(topics)
        self.days_before = days_before

    # -- reading what people write --------------------------------------------------------------

    def as_action(
        self, state: State, text: str, today: date | None, *, unasked: bool = True
    ) -> str | None:
        """A date written while the date question waits, or (if `unasked`) "my patent is paid
        until 15.01.2027" written unasked. Never a message about danger, whatever dates it
        holds: that goes to triage, which must always win."""
        day = find_date(text)
        if day is None:
            return None
        waiting = state.picking is not None and state.picking.startswith("date:")
        if not waiting and not (unasked and any(k.words.search(text) for k in KINDS.values())):
            return None
        # Read as the free-text path reads it (languages guessed, Uzbek in Latin letters), so
        # a date never hides a danger phrase that triage would have found there.
        guess, reading = self.conversation.read(text)
        if self.conversation.is_urgent(reading, guess):
            return None
        if waiting:
            assert state.picking is not None
            return f"remind-date:{state.picking[5:]}:{day.isoformat()}"
        for kind in KINDS.values():
            if kind.words.search(text):
                return f"remind-date:{kind.id}:{day.isoformat()}"
        return None

    # -- steps -----------------------------------------------------------------------------------

    def act(self, state: State, kind: str, value: str, today: date | None) -> Outcome:
        _ = self.conversation._gettext(state)
        if kind == "subscribe":
            return self._topics(state, _(
                "Choose the topics you want news about. By choosing a topic you agree that "
                "the hotline writes to you about it, a few times a month at most, between "
                "9:00 and 20:00 where you are. You can stop at any time with /stop."
            ))  # fmt: skip
        if kind == "sub":
            return self._toggle(state, value, _)
        if kind == "remind":
            return self._kinds(state, _)
        if kind == "remind-date":
            what, _sep, day = value.partition(":")
            return self._add(state, what, day, today, _)
        if kind == "reminders":
            return self._list(state, _)
        if kind == "rdel":
            what, _sep, day = value.partition(":")
            kept = [r for r in state.reminders if r != [what, day]]
            note = _("The reminder is deleted.") if kept != state.reminders else None
            state.reminders = kept
            outcome = self._list(state, _, note)
            return Outcome(outcome.state, outcome.replies, reminders=_pairs(kept))
        return self._discreet(state, _)

    def _topics(self, state: State, text: str) -> Outcome:
        _ = self.conversation._gettext(state)
        language = self.conversation._language(state)
        options = [
            Option(("✓ " if topic.id in state.topics else "") + topic.name(language),
                   f"sub:{topic.id}")
            for topic in self.topics.values()
        ]  # fmt: skip
        if state.topics:
            options.append(Option(_("Stop all news"), "stop"))
        options.append(Option(_("Main menu"), "home"))
        if state.discreet:
            text += "\n\n" + _(
                "Discreet mode is on, so nothing will come until you turn it off (/discreet)."
            )
        state.picking = "topics"
        return Outcome(state, [self.conversation._reply(state, text, tuple(options))])

    def _toggle(self, state: State, topic_id: str, _: Gettext) -> Outcome:
        topic = self.topics.get(topic_id)
        if topic is None:
            return self._topics(state, _("That topic is no longer offered. Choose another."))
        name = topic.name(self.conversation._language(state))
        if topic_id in state.topics:
            state.topics = [t for t in state.topics if t != topic_id]
            text = _("You are no longer subscribed to: {topic}.").format(topic=name)
        else:
            state.topics = [*state.topics, topic_id]
            text = _(
                "You are subscribed to: {topic}. To stop, choose it again or send /stop."
            ).format(topic=name)
        outcome = self._topics(state, text)
        return Outcome(outcome.state, outcome.replies, subscriptions=tuple(state.topics))

    def _kinds(self, state: State, _: Gettext) -> Outcome:
        state.picking = "reminder"
        options = [Option(_(kind.label), f"remind:{kind.id}") for kind in KINDS.values()]
        if state.reminders:
            options.append(Option(_("My reminders"), "reminders"))
        options.append(Option(_("Main menu"), "home"))
        text = _(
            "What should I remind you about? I will write {days} days before the date."
        ).format(days=self._days(_))
        return Outcome(state, [self.conversation._reply(state, text, tuple(options))])

    def ask_date(self, state: State, kind_id: str) -> Outcome:
        _ = self.conversation._gettext(state)
        if kind_id not in KINDS:
            return self._kinds(state, _)
        state.picking = f"date:{kind_id}"
        text = _("Write the date ({what}), for example {example}.").format(
            what=_(KINDS[kind_id].label), example=EXAMPLE_DATE
        )
        options = (Option(_("Main menu"), "home"),)
        return Outcome(state, [self.conversation._reply(state, text, options)])

    def _add(self, state: State, kind_id: str, day: str, today: date | None, _: Gettext) -> Outcome:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            when = None
        if kind_id not in KINDS or when is None:
            return self._kinds(state, _)
        if today is not None and when.year > today.year + MAX_YEARS_AHEAD:
            return self.ask_date(state, kind_id)  # a typo ("15.01.2207"): ask again
        if today is not None and when <= today:
            state.picking = f"date:{kind_id}"
            text = _(
                "This date has already passed. Write a date in the future, for example {example}."
            ).format(example=EXAMPLE_DATE)
            return Outcome(state, [self.conversation._reply(state, text)])
        state.picking = None
        entry = [kind_id, when.isoformat()]
        if entry not in state.reminders:
            state.reminders = [*state.reminders, entry][-MAX_REMINDERS:]
        text = _("Done: I will remind you {days} days before {date} ({what}).").format(
            days=self._days(_), date=shown(entry[1]), what=_(KINDS[kind_id].label)
        )
        if state.discreet:
            text += "\n\n" + _(
                "Discreet mode is on, so nothing will come until you turn it off (/discreet)."
            )
        options = (
            Option(_("My reminders"), "reminders"),
            Option(_("Main menu"), "home"),
        )
        return Outcome(
            state,
            [self.conversation._reply(state, text, options)],
            reminders=_pairs(state.reminders),
        )

    def _list(self, state: State, _: Gettext, note: str | None = None) -> Outcome:
        state.picking = None
        if not state.reminders:
            text = _("You have no reminders. To add one, send /remind.")
            options: list[Option] = [Option(_("Add a reminder"), "remind")]
        else:
            lines = [
                f"{_(KINDS[kind].label) if kind in KINDS else kind}: {shown(day)}"
                for kind, day in state.reminders
            ]
            text = "\n".join([_("Your reminders:"), *lines])
            options = [
                Option(_("Delete: {reminder}").format(reminder=line), f"rdel:{kind}:{day}")
                for line, (kind, day) in zip(lines, state.reminders, strict=True)
            ]
            options.append(Option(_("Add a reminder"), "remind"))
        options.append(Option(_("Main menu"), "home"))
        if note:
            text = f"{note}\n\n{text}"
        return Outcome(state, [self.conversation._reply(state, text, tuple(options))])

    def _discreet(self, state: State, _: Gettext) -> Outcome:
        state.discreet = not state.discreet
        if state.discreet:
            text = _(
                "Discreet mode is on: the hotline will never write to you first (no news, no "
                "reminders); it only answers what you write. To turn it off, send /discreet."
            )
        else:
            text = _("Discreet mode is off: your news and reminders will come again.")
        outcome = self.conversation._with_menu(state, text)
        return Outcome(outcome.state, outcome.replies, discreet=state.discreet)

    def _days(self, _: Gettext) -> str:
        return ", ".join(str(d) for d in self.days_before)


def _pairs(reminders: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((kind, day) for kind, day in reminders)


def stopped_note(_: Gettext) -> str:
    return _(
        "Your news subscriptions and reminders have ended. To subscribe again, send /subscribe."
    )
