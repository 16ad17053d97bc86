"""Organisations an admin adds by hand (`hotline org add`): checked before they are stored, so
routing never meets hours it cannot read or a number nobody can call."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.content.hours import hours_problem
from bot.content.model import HOTLINE_TOPICS
from bot.storage.models import Organisation, utcnow

organisations = Organisation.__table__
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")


class OrganisationProblem(ValueError):
    """Why the organisation cannot be added, in words for the admin."""


@dataclass(frozen=True)
class NewOrganisation:
    id: str
    name: str
    countries: list[str]
    topics: list[str]
    languages: list[str]
    hours: str | None
    timezone: str | None
    phone: str | None
    urgent_minutes: int
    normal_minutes: int


def _items(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def checked(
    *,
    id: str,
    name: str,
    countries: str | None = None,
    topics: str | None = None,
    languages: str | None = None,
    hours: str | None = None,
    timezone: str | None = None,
    phone: str | None = None,
    urgent_minutes: int = 10,
    normal_minutes: int = 120,
) -> NewOrganisation:
    """The organisation as it will be stored; raises OrganisationProblem."""
    if not _ID.fullmatch(id):
        raise OrganisationProblem(
            "The id has 1 to 64 lower-case letters, digits, _ or - (for example ngo-bishkek)."
        )
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise OrganisationProblem("The name has 1 to 200 characters.")
    country_list = [c.upper() for c in _items(countries)]
    for country in country_list:
        if not _COUNTRY.fullmatch(country):
            raise OrganisationProblem(f"{country!r} is not a two-letter country code (KG, KZ).")
    topic_list = _items(topics)
    for topic in topic_list:
        if topic not in HOTLINE_TOPICS:
            raise OrganisationProblem(
                f"Unknown topic {topic!r}. Topics: {', '.join(sorted(HOTLINE_TOPICS))}."
            )
    language_list = _items(languages)
    for language in language_list:
        if not _LANGUAGE.fullmatch(language):
            raise OrganisationProblem(f"{language!r} is not a language code (ru, ky, fa-AF).")
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise OrganisationProblem(f"Unknown time zone {timezone!r} (Asia/Bishkek).") from exc
    if hours and (trouble := hours_problem(hours, timezone)):
        raise OrganisationProblem(trouble[0].upper() + trouble[1:] + ".")
    number = None
    if phone:
        try:
            parsed = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException as exc:
            raise OrganisationProblem(
                f"{phone!r} is not a phone number in international form (+996...)."
            ) from exc
        if not phonenumbers.is_valid_number(parsed):
            raise OrganisationProblem(f"{phone!r} is not a valid phone number.")
        number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    for label, minutes in (("urgent", urgent_minutes), ("normal", normal_minutes)):
        if not 1 <= minutes <= 7 * 24 * 60:
            raise OrganisationProblem(f"The {label} time limit is 1 to 10080 minutes.")
    return NewOrganisation(
        id=id,
        name=name,
        countries=country_list,
        topics=topic_list,
        languages=language_list,
        hours=hours or None,
        timezone=timezone or None,
        phone=number,
        urgent_minutes=urgent_minutes,
        normal_minutes=normal_minutes,
    )


def add(connection: Connection, organisation: NewOrganisation) -> None:
    taken = connection.execute(
        sa.select(organisations.c.id).where(organisations.c.id == organisation.id)
    ).first()
    if taken is not None:
        raise OrganisationProblem(f"There is already an organisation {organisation.id!r}.")
    connection.execute(
        organisations.insert().values(
            id=organisation.id,
            name=organisation.name,
            countries=organisation.countries,
            topics=organisation.topics,
            languages=organisation.languages,
            hours=organisation.hours,
            timezone=organisation.timezone,
            phone=organisation.phone,
            urgent_minutes=organisation.urgent_minutes,
            normal_minutes=organisation.normal_minutes,
            fallback=False,
            from_content=False,
            active=True,
            created_at=utcnow(),
        )
    )


def listing(connection: Connection) -> list[sa.Row]:
    return list(connection.execute(sa.select(organisations).order_by(organisations.c.id)))
