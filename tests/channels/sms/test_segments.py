"""SMS segments counted exactly: GSM-7 160/153 with the extension table counting double,
UCS-2 70/67, two-place characters never split across parts."""

from __future__ import annotations

import pytest

from bot.channels.sms.segments import encoding, segments, units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # 160 septets: the extension table counts double
        ("€" * 81, 2),
        ("а" * 70, 1),  # Cyrillic: UCS-2
        ("а" * 71, 2),
        ("а" * 134, 2),
        ("а" * 135, 3),
    ],
)
def test_segments(text: str, expected: int):
    assert segments(text) == expected


def test_an_escape_pair_is_never_split_between_parts():
    # 152 septets, then "€" (2 septets) does not fit the first part's last place.
    text = "a" * 152 + "€" + "a" * 152
    assert units(text) == 306 and segments(text) == 3


def test_a_character_outside_the_basic_plane_takes_two_places_and_stays_whole():
    assert encoding("ок 🙂") == "ucs2" and units("🙂") == 2
    assert segments("а" * 66 + "🙂" + "а" * 66) == 3


def test_one_cyrillic_letter_makes_the_whole_text_ucs2():
    assert encoding("Patent " * 20) == "gsm7"
    assert encoding("Patent " * 20 + "ж") == "ucs2"
    assert segments("Patent " * 20 + "ж") == 3  # 141 characters in UCS-2
