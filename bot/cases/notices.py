"""What the hotline tells a person about their case, in their language: who will answer and
when, their case code, and what happens when time runs out, the case moves, or it closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_time

from bot.cases import routing
from bot.engine.conversation import N_, Conversation
from bot.engine.messages import Option, Reply, State
from bot.language.catalogs import babel_locale

# The deployment's own operators, when the fallback organisation was given no name.
OUR_OPERATORS = N_("The hotline's operators")
# Topics whose numbers a person gets when nobody took their case in time.
FALLBACK_TOPICS = ("trafficking", "migrants", "legal-aid", "emergency")
# Right-to-left languages: a case code or number is kept left to right inside their text.
_ISOLATE = "\u2066{}\u2069"


class Notices:
    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def name(self, organisation: Any, language: str) -> str:
        """The organisation's name as the person should read it."""
        if organisation.from_content:
            for entry in self.conversation.tree.hotlines:
                if entry.id == organisation.id:
                    return entry.display_name(language)
        if organisation.name:
            return organisation.name
        return self.conversation.gettext(language)(OUR_OPERATORS)

    def opened(
        self, language: str, organisation: Any, code: str, *, urgent: bool, at: datetime
    ) -> Reply:
        _ = self.conversation.gettext(language)
        parts = [self._who_and_when(language, organisation, urgent=urgent, at=at)]
        if organisation.phone:
            parts.append(
                _("Their phone: {phone}").format(phone=self._ltr(language, organisation.phone))
            )
        parts.append(
            _(
                "Your case code: {code}. Keep it. If you write from another number or app, "
                "send this code and you will be back in the same conversation."
            ).format(code=self._ltr(language, code))
        )
        parts.append(_("To leave this conversation and go back to the menu, send /menu."))
        return Reply(text="\n\n".join(parts), language=language)

    def rejoined(self, language: str, organisation: Any, code: str, at: datetime) -> Reply:
        _ = self.conversation.gettext(language)
        text = _("You are back in your case {code}.").format(code=self._ltr(language, code))
        who = self._who_and_when(language, organisation, urgent=False, at=at)
        return Reply(text=f"{text} {who}", language=language)

    def left(self, language: str, code: str) -> str:
        _ = self.conversation.gettext(language)
        return _(
            "You left the conversation with the operator. They can still write to you here. "
            "To continue with them, send your case code {code}."
        ).format(code=self._ltr(language, code))

    def ask_reconnect(self, language: str, code: str) -> Reply:
        _ = self.conversation.gettext(language)
        text = _(
            "I found case {code}. Is it yours? If you say yes, the conversation with the "
            "operator continues here, and no longer at the old number."
        ).format(code=self._ltr(language, code))
        options = (
            Option(_("Yes, it is mine"), "case:yes"),
            Option(_("No"), "case:no"),
        )
        return Reply(text=text, options=options, language=language)

    def reconnected(self, language: str, organisation: Any, code: str, at: datetime) -> Reply:
        _ = self.conversation.gettext(language)
        text = _("Done: your case {code} continues here.").format(code=self._ltr(language, code))
        who = self._who_and_when(language, organisation, urgent=False, at=at)
        return Reply(text=f"{text} {who}", language=language)

    def not_reconnected(self, language: str) -> str:
        _ = self.conversation.gettext(language)
        return _("All right, nothing was changed.")

    def from_operator(self, language: str, organisation: Any, text: str) -> Reply:
        _ = self.conversation.gettext(language)
        label = _("Operator ({organisation}):").format(
            organisation=self.name(organisation, language)
        )
        return Reply(text=f"{label}\n{text}", language=language)

    def timed_out(
        self, language: str, organisation: Any, country: str | None, at: datetime
    ) -> Reply:
        """Nobody took the case in time: say so, give numbers to call now, say who has it."""
        _ = self.conversation.gettext(language)
        parts = [
            _(
                "Sorry: nobody has answered yet. Your case has been passed to {organisation}, "
                "and they will write to you here."
            ).format(organisation=self.name(organisation, language)),
            _("If you need help now, call:"),
            self.conversation.numbers(
                State(language=language, country=country), FALLBACK_TOPICS, at
            ),
        ]
        return Reply(text="\n\n".join(parts), language=language, urgent=True)

    def transferred(self, language: str, organisation: Any, at: datetime) -> Reply:
        _ = self.conversation.gettext(language)
        text = _("With your consent, your case has been passed to {organisation}.").format(
            organisation=self.name(organisation, language)
        )
        who = self._who_and_when(language, organisation, urgent=False, at=at)
        return Reply(text=f"{text} {who}", language=language)

    def closed(self, language: str, organisation: Any) -> Reply:
        _ = self.conversation.gettext(language)
        text = _(
            "{organisation} has closed your case. If you need help again, write here at any time."
        ).format(organisation=self.name(organisation, language))
        return Reply(text=text, language=language)

    def _who_and_when(self, language: str, organisation: Any, *, urgent: bool, at: datetime) -> str:
        _ = self.conversation.gettext(language)
        ngettext = self.conversation.ngettext(language)
        name = self.name(organisation, language)
        opens = routing.opens_at(organisation, at)
        if opens is not None:
            return _(
                "{organisation} will answer you here. They are closed now and open at {time} "
                "(their time)."
            ).format(
                organisation=name,
                time=format_time(opens, "HH:mm", locale=babel_locale(language)),
            )
        minutes = organisation.urgent_minutes if urgent else organisation.normal_minutes
        if minutes < 60 or minutes % 60:
            return ngettext(
                "{organisation} will answer you here, usually within {n} minute.",
                "{organisation} will answer you here, usually within {n} minutes.",
                minutes,
            ).format(organisation=name, n=minutes)
        hours = minutes // 60
        return ngettext(
            "{organisation} will answer you here, usually within {n} hour.",
            "{organisation} will answer you here, usually within {n} hours.",
            hours,
        ).format(organisation=name, n=hours)

    @staticmethod
    def _ltr(language: str, value: str) -> str:
        return _ISOLATE.format(value) if language in ("fa-AF", "ps") else value
