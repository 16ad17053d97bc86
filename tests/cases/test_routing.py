from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.cases.routing import covers, is_open, opens_at, route

# A Tuesday, 05:00 UTC: 11:00 in Bishkek, 08:00 in Moscow.
TUESDAY = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@dataclass
class Org:
    id: str
    countries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    hours: str | None = None
    timezone: str | None = None
    fallback: bool = False
    active: bool = True


FALLBACK = Org("hotline", fallback=True)


def test_the_narrowest_open_organisation_that_covers_the_case_takes_it():
    regional = Org("regional", countries=["KG", "KZ", "TJ"], languages=["ru", "ky", "kk"])
    national = Org("kg-line", countries=["KG"], topics=["trafficking"], languages=["ky", "ru"])
    chosen = route(
        [FALLBACK, regional, national], country="KG", topic="trafficking", language="ky", at=TUESDAY
    )
    assert chosen.id == "kg-line"
    # Another topic: the national line does not cover it, the regional one does.
    chosen = route(
        [FALLBACK, regional, national], country="KG", topic="labour", language="ky", at=TUESDAY
    )
    assert chosen.id == "regional"


def test_language_country_or_hours_that_do_not_fit_send_the_case_to_the_fallback():
    kg = Org("kg", countries=["KG"], languages=["ky"], hours="Mo-Fr 09:00-18:00",
             timezone="Asia/Bishkek")  # fmt: skip
    assert route([FALLBACK, kg], country="KG", topic=None, language="ky", at=TUESDAY).id == "kg"
    assert route([FALLBACK, kg], country="KG", topic=None, language="tg", at=TUESDAY).fallback
    assert route([FALLBACK, kg], country="KZ", topic=None, language="ky", at=TUESDAY).fallback
    night = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 02:00 in Bishkek
    assert route([FALLBACK, kg], country="KG", topic=None, language="ky", at=night).fallback
    # Unknown country: only an organisation that takes every country fits.
    assert route([FALLBACK, kg], country=None, topic=None, language="ky", at=TUESDAY).fallback


def test_inactive_and_excluded_organisations_are_skipped_and_a_missing_fallback_is_an_error():
    kg = Org("kg", countries=["KG"])
    off = Org("off", countries=["KG"], active=False)
    assert route([FALLBACK, off], country="KG", topic=None, language="ru", at=TUESDAY).fallback
    assert route([FALLBACK, kg], country="KG", topic=None, language="ru", at=TUESDAY,
                 exclude="kg").fallback  # fmt: skip
    with pytest.raises(LookupError):
        route([off], country="KG", topic=None, language="ru", at=TUESDAY)


def test_opening_hours_in_the_organisations_own_time_zone():
    moscow = Org("ru", hours="Mo-Fr 09:00-18:00", timezone="Europe/Moscow")
    assert not is_open(moscow, TUESDAY)  # 08:00 in Moscow
    assert opens_at(moscow, TUESDAY).hour == 9
    assert is_open(moscow, TUESDAY.replace(hour=6))
    assert is_open(Org("always"), TUESDAY) and opens_at(Org("always"), TUESDAY) is None
    # Hours nobody can read count as closed, never as a guess.
    assert not is_open(Org("bad", hours="when we can", timezone="Asia/Almaty"), TUESDAY)


def test_empty_lists_cover_everything():
    assert covers(Org("all"), "TM", "asylum", "tk")
    assert not covers(Org("kz", countries=["KZ"]), None, None, None)
