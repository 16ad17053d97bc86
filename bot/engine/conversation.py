"""The conversation: given a person's state and one message, the replies and the next state.

A plain function of its inputs (plus the loaded content): no storage, no network, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from pathlib import Path

from babel.dates import format_datetime, format_time

from bot.campaigns.content import Topic
from bot.campaigns.kinds import DEFAULT_DAYS_BEFORE
from bot.content.index import SearchIndex
from bot.content.loader import LANGUAGES
from bot.content.model import ContentTree
from bot.engine.messages import Escalation, Inbound, Option, Outcome, Reply, State
from bot.engine.referral import Line, referrals
from bot.engine.subscribing import ACTIONS as SUBSCRIBING
from bot.engine.subscribing import Subscribing, stopped_note
from bot.engine.triage import URGENT_NODE, Triage
from bot.language import uzbek
from bot.language.catalogs import Catalogs, babel_locale, country_name, language_name
from bot.language.detect import Guess, LanguageDetector
from bot.language.normalize import normalize, stems_ru

OPERATOR_NODE = "hotlines/operator"
HOTLINES_NODE = "hotlines"
MAX_TRAIL = 12
MAX_OTHER_NUMBERS = 5
# The hotlines page: emergencies first, then the rest in a fixed order.
ALL_TOPICS = ("emergency", "police", "ambulance", "fire", "trafficking", "children", "women",
              "migrants", "asylum", "refugees", "stateless", "legal-aid", "shelter", "labour",
              "health", "consulate", "return")  # fmt: skip
MAX_TEXT = 4000
# Dari and Pashto are written right to left: a phone number inside their text is kept left to
# right (a Unicode isolate), or "+93 20 ..." comes out with its groups reversed.
RIGHT_TO_LEFT = frozenset({"fa-AF", "ps"})

_COMMANDS = {
    "/start": "start",
    "/menu": "home",
    "/language": "language",
    "/country": "country",
    "/help": "help",
    "/operator": "operator",
    "/back": "back",
    # News by topic, reminders of one's own dates, discreet mode.
    "/subscribe": "subscribe",
    "subscribe": "subscribe",
    "подписаться": "subscribe",
    "подписка": "subscribe",
    "новости": "subscribe",
    "/remind": "remind",
    "remind": "remind",
    "напомнить": "remind",
    "напоминание": "remind",
    "/reminders": "reminders",
    "reminders": "reminders",
    "напоминания": "reminders",
    "мои напоминания": "reminders",
    "/discreet": "discreet",
    "discreet": "discreet",
    "скрытно": "discreet",
    "тайно": "discreet",
    # Plain words, for SMS and for people who do not know the slash commands.
    "меню": "home",
    "menu": "home",
    "старт": "start",
    "start": "start",
    "назад": "back",
    "back": "back",
    "язык": "language",
    "помощь": "help",
    "help": "help",
    "оператор": "operator",
    "/forget": "forget",
    "удалить": "forget",
    "forget": "forget",
    # Erasing is asked for in one's own language too (it is confirmed before it is done).
    "өшіру": "forget",  # kk
    "өчүр": "forget",  # ky
    "очур": "forget",
    "нест кун": "forget",  # tg
    "oʻchir": "forget",  # uz
    "o'chir": "forget",
    "ochir": "forget",
    "ўчир": "forget",
    "öçür": "forget",  # tk
    "ocur": "forget",
    "پاک کن": "forget",  # fa
    "پاک کړه": "forget",  # ps
    # SMS keywords too: after STOP the hotline starts nothing itself (and on SMS, where
    # STOP is the carriers' opt-out word, sends nothing at all until START). Only words that
    # mean nothing else alone: Turkmen "bes" (enough) is also Turkish "beş", five, an answer
    # to a numbered list, and a mistaken STOP would silence a person.
    "/stop": "stop",
    "стоп": "stop",
    "stop": "stop",
    "stopall": "stop",
    "unsubscribe": "stop",
    "отписаться": "stop",
    "тоқта": "stop",  # kk
    "токта": "stop",
    "токто": "stop",  # ky
    "токтот": "stop",
    "toʻxta": "stop",  # uz
    "to'xta": "stop",
    "toxta": "stop",
    "тўхта": "stop",
    "توقف": "stop",  # fa, ps
    "unstop": "start",
    "бастау": "start",  # kk
    "башта": "start",  # ky
    "оғоз": "start",  # tg
    "boshla": "start",  # uz
    "бошла": "start",
    "başla": "start",  # tk
    "basla": "start",
    # Latin letters make an SMS two to three times cheaper; Cyrillic again on request.
    "latin": "latin:on",
    "латиница": "latin:on",
    "латиницей": "latin:on",
    "lotin": "latin:on",
    "cyrillic": "latin:off",
    "кириллица": "latin:off",
    "кириллицей": "latin:off",
    "kirill": "latin:off",
}
# Channels where STOP silences the hotline entirely until START (SMS: carriers require it,
# and gateways such as Twilio refuse to send after STOP anyway).
SILENT_AFTER_STOP = frozenset({"sms"})
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

Gettext = Callable[[str], str]


# Channels where the hotline only answers: nobody there can be written to first, so no news
# or reminders (campaign audiences leave them out too).
ONLY_ANSWERS = frozenset({"web", "cli"})


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is used."""
    return message


CHOOSE_LANGUAGE = N_("Choose your language.")


class Conversation:
    def __init__(
        self,
        tree: ContentTree,
        catalogs: Catalogs,
        *,
        default_language: str = "ru",
        max_text: int = MAX_TEXT,
        model_cache: Path | None = None,
        topics: dict[str, Topic] | None = None,
        reminder_days: tuple[int, ...] = DEFAULT_DAYS_BEFORE,
    ) -> None:
        self.tree = tree
        self.subscribing = Subscribing(self, topics or {}, reminder_days)
        self.max_text = max_text
        self.catalogs = catalogs
        # Trained models are kept in model_cache, so a restart with the same content is quick.
        self.index = SearchIndex(tree, model_cache)
        self.triage = Triage(tree, model_cache)
        self.detector = LanguageDetector.for_tree(tree, model_cache)
        self.default_language = default_language
        self._now: datetime | None = None

    # -- entry point -------------------------------------------------------------------------

    def respond(self, state: State, inbound: Inbound) -> Outcome:
        # A new answer replaces whatever pages of the last one were still waiting.
        state = replace(
            state,
            trail=list(state.trail),
            options=list(state.options),
            pages=[],
            offered=list(state.offered),
            topics=list(state.topics),
            reminders=[list(r) for r in state.reminders],
        )
        # Read by the directory lines; respond() never awaits, so calls cannot interleave.
        self._now = inbound.received_at
        if state.language is None and inbound.language_hint in LANGUAGES:
            state.language, state.language_from = inbound.language_hint, "hint"
        hinted_country = (inbound.country_hint or "").upper()
        if state.country is None and hinted_country in self.tree.countries:
            state.country = hinted_country
        # Lone surrogates (possible in JSON from a channel) cannot be stored or sent: replace.
        text = (inbound.text or "")[: self.max_text].encode("utf-8", "replace").decode("utf-8")
        # Where the hotline cannot write first, a date in a question is just part of it.
        unasked = inbound.channel not in ONLY_ANSWERS
        action = inbound.option or self._as_action(state, text, unasked_dates=unasked)

        offer = None
        if inbound.attachment and not action and not text.strip():
            outcome = self._attachment(state, inbound.attachment)
        elif action:
            outcome = self._act(state, action, inbound.channel)
        elif stems_ru(text):
            guess, reading = self.read(text)
            offer = self._follow_language(state, guess)
            outcome = self._answer(state, text, reading, guess)
            if offer is not None:
                outcome.replies.append(self._offer_language(state, offer))
        elif not state.started:
            outcome = self._start(state)
        else:
            outcome = self._unreadable(state)

        outcome.state.started = True
        if offer is not None:
            outcome.state.offered = [*outcome.state.offered, offer]
        last = outcome.replies[-1] if outcome.replies else None
        outcome.state.options = [[o.label, o.data] for o in last.options] if last else []
        return outcome

    def action(self, state: State, inbound: Inbound) -> str | None:
        """What the message asks the bot to do (an option, a command, a numbered answer, a
        date the bot asked for), or None for words a person wrote: while a case is open,
        those go to the operator, "my patent is paid until 15.01.2027" included."""
        text = (inbound.text or "")[: self.max_text]
        return inbound.option or self._as_action(state, text, unasked_dates=False)

    def numbers(self, state: State, topics: tuple[str, ...], at: datetime | None) -> str:
        """The numbers to call for these topics in the person's country, best first."""
        self._now = at
        return self._numbers(state, topics)

    def ngettext(self, language: str) -> Callable[[str, str, int], str]:
        return self.catalogs.get(language).ngettext

    def _as_action(self, state: State, text: str, *, unasked_dates: bool = True) -> str | None:
        """Commands, command words, numbered answers and dates for reminders, as the option
        they stand for; `unasked_dates` also takes a date the person wrote unasked."""
        plain = normalize(text)
        if not plain:
            return None
        if plain in _COMMANDS:
            return _COMMANDS[plain]
        command = plain.split()[0].split("@")[0]
        if command.startswith("/"):
            return _COMMANDS.get(command, "unknown-command")
        if state.picking and (chosen := self._named_choice(state.picking, plain)):
            return chosen
        today = self._now.date() if self._now else None
        if dated := self.subscribing.as_action(state, text, today, unasked=unasked_dates):
            return dated
        if (number := _NUMBER.match(plain)) and state.options:
            index = int(number.group(1))
            if index == 0:
                return "back"
            # Numbered as on SMS and in the terminal: "back" is 0, the rest count from 1.
            numbered = [data for _, data in state.options if data != "back"]
            if 1 <= index <= len(numbered):
                return numbered[index - 1]
            return "no-such-number"
        return None

    def _named_choice(self, picking: str, plain: str) -> str | None:
        """A language or country typed by name while its picker waits ("Казахстан", "рус")."""
        if picking == "language":
            names = self._language_names
        elif picking == "country":
            names = self._country_names
        else:
            return None
        if plain in names:
            return names[plain]
        # A prefix of at least four letters is enough: "казах", "кыргыз", "русс".
        found = {data for name, data in names.items() if len(plain) >= 4 and name.startswith(plain)}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def _language_names(self) -> dict[str, str]:
        names = {}
        for code in self.catalogs.languages:
            for shown_in in ("ru", "en", code):
                name = babel_locale(code).get_display_name(babel_locale(shown_in)) or code
                names[normalize(name)] = f"language:{code}"
            names[code] = f"language:{code}"
        return names

    @cached_property
    def _country_names(self) -> dict[str, str]:
        names = {}
        for code in self.tree.countries:
            for shown_in in ("ru", "en", "kk", "ky", "tg", "uz", "tk"):
                names[normalize(country_name(code, shown_in))] = f"country:{code}"
            names[code.lower()] = f"country:{code}"
        return names

    # -- actions -----------------------------------------------------------------------------

    def _act(self, state: State, action: str, channel: str = "") -> Outcome:
        kind, _, value = action.partition(":")
        if kind == "start":
            return replace(self._start(state), opt_in=True)
        if kind in SUBSCRIBING and kind != "discreet" and channel in ONLY_ANSWERS:
            _ = self._gettext(state)
            return self._with_menu(state, _(
                "News and reminders come only by Telegram or SMS: this chat cannot write to "
                "you first. To get them, write to the hotline there and send /subscribe or "
                "/remind."
            ))  # fmt: skip
        if kind == "remind" and value:
            return self.subscribing.ask_date(state, value)
        if kind in SUBSCRIBING:
            return self.subscribing.act(state, kind, value, self._now.date() if self._now else None)
        if kind == "home":
            return self._home(state)
        if kind == "back":
            return self._back(state)
        if kind == "help":
            return self._help(state)
        if kind == "language":
            if value in LANGUAGES:
                state.language, state.language_from, state.picking = value, "chosen", None
                return self._after_language(state)
            return self._pick_language(state)
        if kind == "keep-language":
            # Asked whether to switch, the person keeps their language: now it is a choice.
            state.language_from = "chosen"
            return self._return_to(state)
        if kind == "country":
            if value == "-":
                state.country, state.country_asked, state.picking = None, True, None
                return self._home(state)
            if value in self.tree.countries:
                state.country, state.country_asked, state.picking = value, True, None
                return self._return_to(state)
            return self._pick_country(state)
        if kind == "operator":
            return self._open(state, OPERATOR_NODE)
        if kind == "open" and value in self.tree.nodes:
            return self._open(state, value)
        if kind == "pass":
            return self._pass_question(state)
        if kind == "forget":
            return self._forget(state, confirmed=value == "yes")
        if kind == "stop":
            return self._stop(state, silent=channel in SILENT_AFTER_STOP)
        if kind == "latin":
            state.latin = value == "on"
            _ = self._gettext(state)
            if state.latin:
                text = _(
                    "Done: I will write SMS in Latin letters, so they cost less. "
                    "To go back, send CYRILLIC."
                )
            else:
                text = _("Done: I will write in the usual letters again.")
            return self._with_menu(state, text)
        if kind == "no-such-number":
            _ = self._gettext(state)
            text = _(
                "There is no such number in the list. Send a number from 1 to {last}, "
                "or write your question."
            ).format(last=sum(data != "back" for _, data in state.options))
            options = tuple(Option(label, data) for label, data in state.options)
            return Outcome(state, [self._reply(state, text, options)])
        if kind == "unknown-command":
            _ = self._gettext(state)
            return self._home(state, _("I do not know this command."))
        # A button from an old message that no longer means anything.
        _ = self._gettext(state)
        return self._home(state, _("That button is out of date. Here is the main menu."))

    def _start(self, state: State) -> Outcome:
        if state.language is None:
            return self._pick_language(state)
        if state.country is None and not state.country_asked:
            return self._pick_country(state)
        return self._home(state)

    def _after_language(self, state: State) -> Outcome:
        if state.country is None and not state.country_asked:
            return self._pick_country(state)
        return self._return_to(state)

    def _return_to(self, state: State) -> Outcome:
        """After a picker: back to the node the person was reading, or the menu."""
        if state.node and state.node in self.tree.nodes:
            return self._open(state, state.node, remember=False)
        return self._home(state)

    def _pick_language(self, state: State) -> Outcome:
        state.picking = "language"
        options = tuple(
            Option(language_name(code), f"language:{code}") for code in self.catalogs.languages
        )
        # Shown in every language on offer, since we do not know which one the person reads.
        prompts = dict.fromkeys(
            self.gettext(code)(CHOOSE_LANGUAGE) for code in self.catalogs.languages
        )
        return Outcome(state, [self._reply(state, "\n".join(prompts), options)])

    def _pick_country(self, state: State) -> Outcome:
        _ = self._gettext(state)
        state.picking = "country"
        language = self._language(state)
        options = [
            Option(country_name(code, language), f"country:{code}") for code in self.tree.countries
        ]
        options.append(Option(_("Another country / skip"), "country:-"))
        text = _(
            "Which country are you in now? We use it only to show the right phone numbers "
            "and rules."
        )
        return Outcome(state, [self._reply(state, text, tuple(options))])

    def _home(self, state: State, note: str | None = None) -> Outcome:
        _ = self._gettext(state)
        state.node, state.trail, state.picking = None, [], None
        text = _("Main menu. Choose a topic, or write your question in your own words.")
        if note:
            text = f"{note}\n\n{text}"
        return self._with_menu(state, text)

    def _help(self, state: State) -> Outcome:
        _ = self._gettext(state)
        text = _(
            "I answer questions about work, documents, safety, asylum and return, and I can "
            "connect you with a person.\n"
            "Write your question in your own words, or choose a topic.\n"
            "Commands: /menu main menu, /language language, /country country, "
            "/operator talk to a person, /stop no news from us, /forget erase my data."
        )
        text += "\n" + _(
            "/subscribe news by topic, /remind a reminder before a date (a patent, a "
            "registration), /reminders my reminders, /discreet nothing unasked on this phone."
        )
        return self._with_menu(state, text)

    def _back(self, state: State) -> Outcome:
        if state.trail:
            previous = state.trail.pop()
            if previous in self.tree.nodes:
                return self._open(state, previous, remember=False)
        return self._home(state)

    def _unreadable(self, state: State) -> Outcome:
        _ = self._gettext(state)
        text = _(
            "I could not read a question in this message. Write in words what happened or "
            "what you want to know, or choose a topic."
        )
        return self._with_menu(state, text)

    def _attachment(self, state: State, kind: str) -> Outcome:
        _ = self._gettext(state)
        if kind == "contact":
            # A number is personal data we did not ask for: it is neither used nor kept.
            text = _(
                "Thank you, but the hotline does not need your phone number, and it was not "
                'kept. To talk to a person, choose "Talk to a person" in the menu.'
            )
        elif kind in ("voice", "audio", "video_note"):
            text = _(
                "I cannot listen to voice messages. Please write your question in words, "
                "or choose a topic."
            )
        else:
            text = _(
                "I can read only text messages and buttons. Please write your question in "
                "words, or choose a topic."
            )
        return self._with_menu(state, text)

    def _stop(self, state: State, *, silent: bool) -> Outcome:
        """Everything the hotline would start itself ends: subscriptions and reminders."""
        _ = self._gettext(state)
        state.topics, state.reminders, state.picking = [], [], None
        ended = {"opt_out": True, "subscriptions": (), "reminders": ()}
        if silent:
            text = _(
                "Done: you will get no more messages from the hotline. To start again, send START."
            )
            return Outcome(state, [self._reply(state, text)], **ended)  # type: ignore[arg-type]
        text = _(
            "Done: the hotline will not send you news or reminders. It still answers "
            "whenever you write to it."
        )
        text += "\n" + stopped_note(_)
        return replace(self._with_menu(state, text), **ended)  # type: ignore[arg-type]

    def _forget(self, state: State, *, confirmed: bool) -> Outcome:
        _ = self._gettext(state)
        if not confirmed:
            text = _(
                "This erases everything the hotline keeps about you: your language, country, "
                "place in the menu and requests to operators. Erase it?"
            )
            options = (Option(_("Yes, erase"), "forget:yes"), Option(_("No, keep it"), "home"))
            return Outcome(state, [self._reply(state, text, options)])
        text = _(
            "Done: everything about you is erased. To start again, write any message. "
            "You can also delete this chat on your phone."
        )
        return Outcome(State(language=state.language), [self._reply(State(), text)], erase=True)

    # -- language of what people write ---------------------------------------------------------

    def read(self, text: str) -> tuple[Guess | None, str]:
        """The language of a free text, and the text as triage and matching read it: Uzbek is
        read in its official Latin letters, whichever script it came in."""
        guess = self.detector.guess(text)
        if guess and guess.language == "uz" and uzbek.has_cyrillic(text):
            return guess, uzbek.to_latin(text)
        return guess, text

    def is_urgent(self, text: str, guess: Guess | None) -> bool:
        """Triage with the danger phrases of the languages the text may be in, and of Russian
        wherever there is Cyrillic, since people mix Russian words into every language here.
        (Russian typed in Latin letters is detected as Russian, so it is a candidate then.)"""
        if guess is None:
            return self.triage.check(text) is not None
        languages = set(guess.candidates)
        if _CYRILLIC.search(text):
            languages.add("ru")
        return self.triage.check(text, frozenset(languages)) is not None

    def _follow_language(self, state: State, guess: Guess | None) -> str | None:
        """Take the language a person writes in, unless they chose one; returns a language to
        offer them instead (asked once), or None."""
        if guess is None or not guess.confident or guess.language == state.language:
            return None
        if guess.language not in self.catalogs.languages:
            return None
        if state.language_from in (None, "hint"):
            state.language, state.language_from = guess.language, "text"
            return None
        if guess.language in state.offered:
            return None  # asked once already: never again, never flip-flopping
        return guess.language

    def _offer_language(self, state: State, language: str) -> Reply:
        """ "Answer in Kyrgyz?", asked in Kyrgyz, with a way to keep the current language."""
        theirs = self.gettext(language)
        ours = self._gettext(state)
        text = theirs("Shall I answer in {language}?").format(language=language_name(language))
        options = (
            Option(theirs("Yes, in {language}").format(language=language_name(language)),
                   f"language:{language}"),
            Option(ours("No, keep {language}").format(
                language=language_name(self._language(state))), "keep-language"),
        )  # fmt: skip
        return Reply(text=text, options=options, node=state.node, language=language)

    # -- free text ---------------------------------------------------------------------------

    def _answer(
        self, state: State, text: str, reading: str | None = None, guess: Guess | None = None
    ) -> Outcome:
        """Answer free text; `reading` is the text as matched, when it differs (Uzbek
        Cyrillic read as Latin). The person's own words are what an operator sees."""
        state.picking = None
        reading = reading or text
        if self.is_urgent(reading, guess):
            return self._open(state, URGENT_NODE, escalate_text=text)
        matches = self.index.match(reading, limit=3)
        if not matches:
            return self._no_match(state, text)
        outcome = self._open(state, matches[0].node)
        alternatives = [m.node for m in matches[1:]]
        if alternatives:
            _ = self._gettext(state)
            reply = outcome.replies[-1]
            extra = tuple(
                Option(_("Also: {title}").format(title=self._title(state, node)), f"open:{node}")
                for node in alternatives
                if all(o.data != f"open:{node}" for o in reply.options)
            )
            outcome.replies[-1] = replace(reply, options=extra + reply.options)
        if not state.language:
            outcome.replies.append(self._pick_language(state).replies[0])
        return outcome

    def _no_match(self, state: State, text: str) -> Outcome:
        _ = self._gettext(state)
        state.question = text
        message = _(
            "I did not find an answer to this. You can pass your question to a person, "
            "or choose a topic."
        )
        options = (
            Option(_("Pass my question to a person"), "pass"),
            *self._home_options(state),
        )
        return Outcome(state, [self._reply(state, message, options)])

    def _pass_question(self, state: State) -> Outcome:
        question, state.question = state.question, None
        outcome = self._open(state, OPERATOR_NODE)
        escalation = Escalation(reason="unmatched", text=question, node=state.node)
        return replace(outcome, escalation=escalation)

    # -- nodes -------------------------------------------------------------------------------

    def _open(
        self, state: State, node_id: str, *, remember: bool = True, escalate_text: str | None = None
    ) -> Outcome:
        _ = self._gettext(state)
        node = self.tree.nodes[node_id]
        if remember and state.node and state.node != node_id:
            state.trail = [*state.trail, state.node][-MAX_TRAIL:]
        state.node, state.picking = node_id, None
        language = self._language(state)
        found = node.text(language)
        if found is None:  # the validator forbids this; never crash on it
            return self._home(state, _("This page is not available right now."))
        text_language, text = found
        summary = node.summaries.get(text_language)
        parts = [text.title, summary or "", text.for_country(state.country)]
        fallback = text_language != language
        if fallback:
            # Said plainly, in the person's language, with a way to a person who speaks it.
            parts.insert(
                0,
                _(
                    "This page is not in your language yet, so here it is in {language}. "
                    "You can also ask for a person who speaks your language."
                ).format(language=language_name(text_language, language)),
            )

        options: list[Option] = []
        topics = node.hotline_topics
        if node_id == HOTLINES_NODE:
            topics = tuple(t for t in ALL_TOPICS if any(t in h.topics for h in self.tree.hotlines))
        if topics or node_id == URGENT_NODE:
            numbers = self._numbers(state, topics or ("emergency",))
            # In danger, the numbers come right under the title and summary, before the rest.
            parts.insert(2 if node_id == URGENT_NODE else len(parts), numbers)
            if state.country is None:
                options.append(Option(_("Choose my country"), "country"))

        escalation = None
        if node_id == URGENT_NODE:
            escalation = Escalation(reason="urgent", urgent=True, node=node_id, text=escalate_text)
            options.insert(0, Option(_("Talk to a person now"), f"open:{OPERATOR_NODE}"))
        elif node_id == OPERATOR_NODE:
            escalation = Escalation(
                reason="operator", node=state.trail[-1] if state.trail else None
            )
            parts.append(
                _(
                    "Your request is recorded. An operator will write to you here. "
                    "If you are in danger now, call the emergency number."
                )
            )

        if fallback and node_id != OPERATOR_NODE:
            options.insert(0, Option(_("A person who speaks my language"), f"open:{OPERATOR_NODE}"))
        children = self.tree.children(node_id)
        options += self._node_options(
            state, children + [r for r in node.related if r not in children]
        )
        if state.trail or node.parent:
            options.append(Option(_("Back"), "back"))
        options.append(Option(_("Main menu"), "home"))
        seen: set[str] = set()
        unique = tuple(o for o in options if not (o.data in seen or seen.add(o.data)))
        reply = Reply(
            text="\n\n".join(p for p in parts if p),
            options=unique,
            node=node_id,
            language=text_language,
            urgent=node_id == URGENT_NODE,
            summary=summary,
        )
        return Outcome(state, [reply], escalation)

    def _numbers(self, state: State, topics: tuple[str, ...]) -> str:
        _ = self._gettext(state)
        if state.country is None:
            return _("Tell me which country you are in, and I will show the numbers to call there.")
        language = self._language(state)
        lines = referrals(self.tree, state.country, topics, language, self._now)
        if not lines:
            return _(
                "I have no checked phone numbers for this country yet. "
                "Ask for a person, and they will help you find one."
            )
        best, *others = lines
        text = [_("Call first:"), self._number_line(best, language, _)]
        if others:
            text.append(_("Other numbers:"))
            text += [self._number_line(line, language, _) for line in others[:MAX_OTHER_NUMBERS]]
        return "\n".join(text)

    @staticmethod
    def _number_line(line: Line, language: str, _: Gettext) -> str:
        entry = line.entry
        if entry.hours == "24/7":
            details = [_("around the clock")]
        elif entry.hours is None:
            details = [_("opening hours unknown")]
        elif line.open_now is None:
            details = [entry.hours]
        elif line.open_now:
            details = [_("open now")]
            if line.changes_at is not None:
                until = format_time(line.changes_at, "HH:mm", locale=babel_locale(language))
                details = [_("open now, until {time}").format(time=until)]
        else:
            details = [_("closed now")]
            if line.changes_at is not None:
                opens = format_datetime(line.changes_at, "EEE HH:mm", locale=babel_locale(language))
                details = [_("closed now, opens {time}").format(time=opens)]
        if entry.free:
            details.append(_("free"))
        phone = f"\u2066{entry.phone}\u2069" if language in RIGHT_TO_LEFT else entry.phone
        return f"{phone} — {entry.display_name(language)} ({', '.join(details)})"

    def _node_options(self, state: State, node_ids: list[str]) -> tuple[Option, ...]:
        return tuple(
            Option(self._title(state, node_id), f"open:{node_id}")
            for node_id in node_ids
            if node_id in self.tree.nodes
        )

    def _with_menu(self, state: State, text: str) -> Outcome:
        """One reply: the text, with the main menu's topics as its options."""
        return Outcome(state, [self._reply(state, text, self._home_options(state))])

    def _home_options(self, state: State) -> tuple[Option, ...]:
        return self._node_options(state, self.tree.top)

    def _title(self, state: State, node_id: str) -> str:
        found = self.tree.nodes[node_id].text(self._language(state))
        return found[1].title if found else node_id

    # -- language ----------------------------------------------------------------------------

    def _language(self, state: State) -> str:
        return state.language or self.default_language

    def gettext(self, language: str) -> Gettext:
        return self.catalogs.get(language).gettext

    def _gettext(self, state: State) -> Gettext:
        return self.gettext(self._language(state))

    def _reply(self, state: State, text: str, options: tuple[Option, ...] = ()) -> Reply:
        return Reply(text=text, options=options, node=state.node, language=self._language(state))
