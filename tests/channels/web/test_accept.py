"""The browser's Accept-Language as one of our language codes."""

from __future__ import annotations

import pytest

from bot.channels.web.accept import preferred
from bot.content.loader import LANGUAGES


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("en;q=0.1, ky", "ky"),  # by weight, not by place
        ("fa-IR,fa;q=0.9", "fa-AF"),  # Persian as browsers name it: our Dari
        ("prs", "fa-AF"),
        ("fa-AF", "fa-AF"),
        ("uz-Cyrl-UZ", "uz"),
        ("ps-AF;q=abc, tg", "tg"),  # a weight that is no number counts for nothing
        ("de, fr;q=0.5", None),
        ("*", None),
        ("ru;q=0", None),
        ("", None),
        (",;;=,q=,", None),
        ("x" * 10_000, None),
    ],
)
def test_the_first_language_asked_for_that_we_speak(header: str, expected: str | None):
    assert preferred(header, LANGUAGES) == expected
