"""Subscribing to topics, reminders of one's own dates and discreet mode, in the engine."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from bot.campaigns.content import load_campaigns
from bot.engine.conversation import Conversation
from bot.engine.messages import Inbound, Outcome, State
from bot.engine.subscribing import Subscribing
from tests.conftest import CONTENT

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def talk(conversation: Conversation) -> Conversation:
    """The shared conversation with the shipped topics and reminders 7 and 1 days before."""
    with_topics = copy.copy(conversation)
    with_topics.subscribing = Subscribing(with_topics, load_campaigns(CONTENT).topics, (7, 1))
    return with_topics


def say(
    talk: Conversation, state: State, text: str | None = None, option: str | None = None, *,
    channel: str = "telegram",
) -> Outcome:  # fmt: skip
    return talk.respond(
        state, Inbound(channel=channel, address="a", text=text, option=option, received_at=NOW)
    )


def datas(outcome: Outcome) -> list[str]:
    return [o.data for o in outcome.replies[-1].options]


@pytest.fixture
def person() -> State:
    return State(language="en", country="RU", country_asked=True, started=True)


def test_subscribe_shows_topics_with_consent_and_records_the_choice(talk, person):
    shown = say(talk, person, "/subscribe")
    assert shown.subscriptions is None  # showing the list changes nothing
    assert "you agree" in shown.replies[0].text and "/stop" in shown.replies[0].text
    assert "sub:work-russia" in datas(shown) and "sub:safety" in datas(shown)
    chosen = say(talk, shown.state, option="sub:work-russia")
    assert chosen.subscriptions == ("work-russia",)
    assert "✓ Work in Russia" in [o.label for o in chosen.replies[0].options]
    assert "stop" in datas(chosen)
    again = say(talk, chosen.state, option="sub:work-russia")
    assert again.subscriptions == () and again.state.topics == []


def test_on_sms_topics_are_chosen_by_number(talk, person):
    shown = say(talk, person, "подписка", channel="sms")
    number = [d for d in datas(shown) if d != "back"].index("sub:safety") + 1
    chosen = say(talk, shown.state, str(number), channel="sms")
    assert chosen.subscriptions == ("safety",)


@pytest.mark.parametrize("channel", ["telegram", "sms"])
def test_stop_ends_every_subscription_and_reminder(talk, person, channel):
    state = say(talk, person, option="sub:safety").state
    state = say(talk, state, "my patent is paid until 15.01.2027").state
    stopped = say(talk, state, "STOP", channel=channel)
    assert stopped.opt_out and stopped.subscriptions == () and stopped.reminders == ()
    assert stopped.state.topics == [] and stopped.state.reminders == []
    if channel == "telegram":
        assert "/subscribe" in stopped.replies[0].text  # how to come back
    else:
        assert "START" in stopped.replies[0].text


def test_a_date_written_unasked_becomes_a_reminder(talk, person):
    outcome = say(talk, person, "My patent is paid until 15.01.2027")
    assert outcome.reminders == (("patent", "2027-01-15"),)
    assert "15.01.2027" in outcome.replies[0].text and "7, 1" in outcome.replies[0].text


def test_reminder_by_steps_then_listed_and_deleted(talk, person):
    kinds = say(talk, person, "/remind")
    assert "remind:patent" in datas(kinds) and "remind:registration" in datas(kinds)
    asked = say(talk, kinds.state, option="remind:registration")
    assert asked.state.picking == "date:registration"
    past = say(talk, asked.state, "01.11.2026")
    assert past.reminders is None and past.state.picking == "date:registration"
    added = say(talk, past.state, "2027-02-03")
    assert added.reminders == (("registration", "2027-02-03"),)
    listed = say(talk, added.state, "/reminders")
    assert "03.02.2027" in listed.replies[0].text
    assert "rdel:registration:2027-02-03" in datas(listed)
    deleted = say(talk, listed.state, option="rdel:registration:2027-02-03")
    assert deleted.reminders == () and deleted.state.reminders == []


def test_danger_with_a_date_is_danger_first(talk, person):
    outcome = say(talk, person.__class__(language="ru", country="RU", started=True),
                  "помогите меня заперли, патент до 15.01.2027")  # fmt: skip
    assert outcome.reminders is None
    assert outcome.escalation is not None and outcome.escalation.urgent


def test_discreet_mode_goes_on_and_off(talk, person):
    on = say(talk, person, "/discreet")
    assert on.discreet is True and on.state.discreet
    assert "never write to you first" in on.replies[0].text
    off = say(talk, on.state, "/discreet")
    assert off.discreet is False and not off.state.discreet


def test_danger_with_a_date_is_danger_first_while_the_date_question_waits(talk, person):
    asked = say(talk, person, option="remind:patent")
    assert asked.state.picking == "date:patent"
    outcome = say(talk, asked.state, "меня заперли, помогите. патент до 15.01.2027")
    assert outcome.reminders is None
    assert outcome.escalation is not None and outcome.escalation.urgent
    assert outcome.state.picking is None


def test_danger_in_uzbek_cyrillic_with_a_date_is_danger_first(talk, person):
    # Triage reads Uzbek in Latin letters; the date check must read it the same way.
    outcome = say(talk, person, "мени қамаб қўйишди, патент 15.01.2027 гача")
    assert outcome.reminders is None
    assert outcome.escalation is not None and outcome.escalation.urgent


@pytest.mark.parametrize(
    "text",
    [
        "31.02.2027",  # no such day
        "00.00.0000",
        "99/99/99",
        "2027-13-01",
        "15.01.202712",  # digits run on
        "115.01.2027",
        "15.01.2027" * 500,  # long, repeated
        "1" * 4000,
        "15\u200b.01.2027",  # an invisible mark inside
        "１５.０１.２０２７",  # full-width digits: read as a person meant them
        "'; DROP TABLE reminder; -- 15.01.2027",
    ],
)
def test_hostile_dates_never_break_the_reminder_question(talk, person, text):
    asked = say(talk, person, option="remind:patent")
    outcome = say(talk, asked.state, text)
    assert outcome.replies  # always an answer
    for kind, day in outcome.reminders or ():
        assert kind == "patent" and day > "2026-12-01"


def test_a_far_away_date_is_not_taken(talk, person):
    asked = say(talk, person, option="remind:patent")
    outcome = say(talk, asked.state, "15.01.9999")
    assert outcome.reminders is None


@pytest.mark.parametrize("channel", ["web", "cli"])
def test_where_the_hotline_only_answers_no_news_is_promised(talk, person, channel):
    for asked in ({"text": "/subscribe"}, {"text": "/remind"}, {"option": "sub:safety"}):
        outcome = say(talk, person, channel=channel, **asked)
        assert outcome.subscriptions is None and outcome.reminders is None
        assert "Telegram or SMS" in outcome.replies[0].text
    # A date in a question is part of the question there, not a reminder.
    question = say(talk, person, "my patent is paid until 15.01.2027, can I change jobs?",
                   channel=channel)  # fmt: skip
    assert question.reminders is None and "Telegram or SMS" not in question.replies[0].text
    assert say(talk, person, "/discreet", channel=channel).discreet is True
