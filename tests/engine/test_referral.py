"""One number first: the line that fits this person best now."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.content.model import ContentTree, Hotline
from bot.engine.referral import referrals

NOON = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 12:00 in Almaty
NIGHT = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Saturday 01:00 in Almaty


def entry(id: str, topics: tuple[str, ...], **fields) -> Hotline:
    values = dict(
        country="KZ", name={"ru": id}, phone="112", topics=topics, hours="24/7",
        timezone="Asia/Almaty", verified=True, source="https://example.org",
    )  # fmt: skip
    return Hotline(id=id, **(values | fields))


def best(tree: ContentTree, topics: tuple[str, ...], language: str = "ru", at=NOON) -> list[str]:
    return [line.entry.id for line in referrals(tree, "KZ", topics, language, at)]


def test_the_pages_first_topic_comes_first_and_a_general_line_before_a_special_one():
    tree = ContentTree(
        nodes={},
        hotlines=[
            entry("fire", ("fire", "emergency")),
            entry("police", ("police", "emergency")),
            entry("general", ("emergency",)),
            entry("trafficking", ("trafficking",)),
        ],
    )
    assert best(tree, ("trafficking", "emergency")) == ["trafficking", "general", "fire", "police"]
    assert best(tree, ("emergency", "trafficking"))[0] == "general"


def test_a_closed_line_goes_after_open_ones_and_unknown_hours_in_between():
    office = entry("office", ("trafficking",), hours="Mo-Fr 09:00-18:00")
    unknown = entry("unknown", ("trafficking",), hours=None)
    police = entry("police", ("police",))
    tree = ContentTree(nodes={}, hotlines=[office, unknown, police])
    # A line known to be open beats one whose hours nobody knows.
    assert best(tree, ("trafficking", "police"), at=NOON) == ["office", "police", "unknown"]
    assert best(tree, ("trafficking", "police"), at=NIGHT) == ["police", "unknown", "office"]
    # Without a time nothing is known to be closed: the page's order decides.
    assert best(tree, ("trafficking", "police"), at=None) == ["office", "unknown", "police"]


def test_a_line_in_the_persons_language_and_a_free_one_come_first():
    tree = ContentTree(
        nodes={},
        hotlines=[
            entry("paid-ru", ("migrants",), languages=("ru",), free=False),
            entry("free-ru", ("migrants",), languages=("ru",), free=True),
            entry("kazakh-only", ("migrants",), languages=("kk",), free=True),
            entry("any", ("migrants",)),
        ],
    )
    assert best(tree, ("migrants",), "ru") == ["free-ru", "paid-ru", "any", "kazakh-only"]
    assert best(tree, ("migrants",), "kk")[0] == "kazakh-only"


def test_only_verified_numbers_of_the_country_are_offered():
    tree = ContentTree(
        nodes={},
        hotlines=[
            entry("unverified", ("migrants",), verified=False),
            entry("no-number", ("migrants",), phone=None),
            replace(entry("elsewhere", ("migrants",)), country="KG"),
        ],
    )
    assert best(tree, ("migrants",)) == []


def test_a_consulate_is_not_recommended_first_unless_the_page_is_about_consulates():
    tree = ContentTree(
        nodes={},
        hotlines=[
            entry("embassy", ("consulate", "migrants")),
            entry("unhcr", ("legal-aid",)),
        ],
    )
    assert best(tree, ("migrants", "legal-aid")) == ["unhcr", "embassy"]
    assert best(tree, ("consulate", "legal-aid")) == ["embassy", "unhcr"]
