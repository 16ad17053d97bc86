"""The console's campaign form, both ways: posted fields to the body of a campaign file
(content/campaigns/<id>.yaml's shape, checked afterwards by the same rules as the files), and
a stored body back to the fields, for editing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale

from bot.campaigns.content import CHANNELS, DEFAULT_HOURS
from bot.campaigns.hours import COUNTRY_ZONES, DEFAULT_ZONE
from bot.content.loader import LANGUAGES

# The zones a schedule is written in: the served countries' and UTC.
ZONES = ("UTC", *dict.fromkeys(COUNTRY_ZONES.values()))
# Channels a campaign can reach (the terminal is for trying the bot out, not an audience).
CAMPAIGN_CHANNELS = tuple(channel for channel in CHANNELS if channel != "cli")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
_CLOCK = re.compile(r"^([01]\d|2[0-4]):[0-5]\d$")
MAX_SOURCES = 10


def language_name(code: str) -> str:
    """The language's English name (Dari for fa-AF), for the console's English pages."""
    locale = Locale.parse(code.replace("-", "_"))
    return Locale("en").languages.get(str(locale)) or locale.get_display_name("en") or code


@dataclass
class CampaignForm:
    """What the form shows: empty for a new campaign, a stored one's values, or what was
    posted (kept when it has problems, so nothing typed is lost)."""

    id: str = ""
    title: str = ""
    messages: dict[str, str] = field(default_factory=dict)
    node: str = ""
    sources: str = ""  # a line per source: its address, a space, its title
    topics: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    kind: str = "once"  # or "cron"
    once: str = ""  # local wall-clock time in `zone`, as <input type="datetime-local"> sends it
    cron: str = ""
    zone: str = DEFAULT_ZONE
    hours_from: str = DEFAULT_HOURS[:5]
    hours_to: str = DEFAULT_HOURS[6:]
    enabled: bool = True
    version: int = 0


def _many(pairs: list[tuple[str, str]], name: str, allowed: tuple[str, ...]) -> list[str]:
    chosen = {value for key, value in pairs if key == name}
    return [item for item in allowed if item in chosen]  # unknown values are dropped


def from_fields(
    pairs: list[tuple[str, str]], *, topics: tuple[str, ...], countries: tuple[str, ...]
) -> CampaignForm:
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value)

    def one(name: str, limit: int = 200) -> str:
        return first.get(name, "").strip()[: limit + 1]  # too long stays too long for the check

    version = one("version", 12)
    return CampaignForm(
        id=one("id", 60).lower(),
        title=one("title"),
        messages={
            language: text
            for language in LANGUAGES
            if (text := first.get(f"message_{language}", "").strip().replace("\r\n", "\n"))
        },
        node=one("node", 100),
        sources=first.get("sources", "").strip()[:10_000],
        topics=_many(pairs, "topic", topics),
        countries=_many(pairs, "country", countries),
        languages=_many(pairs, "language", LANGUAGES),
        channels=_many(pairs, "channel", CAMPAIGN_CHANNELS),
        kind="cron" if first.get("kind") == "cron" else "once",
        once=one("once", 19),
        cron=one("cron", 100),
        zone=one("zone", 64),
        hours_from=one("hours_from", 5),
        hours_to=one("hours_to", 5),
        enabled=first.get("enabled") == "on",
        version=int(version) if version.isdigit() and len(version) < 10 else 0,
    )


def to_body(form: CampaignForm) -> tuple[dict[str, Any], list[str]]:
    """The campaign file's shape, and the problems only the form can have (the rest are
    found by the campaign checks)."""
    problems: list[str] = []
    sources: list[dict[str, str]] = []
    for number, line in enumerate(form.sources.splitlines(), 1):
        if not line.strip():
            continue
        url, _, title = line.strip().partition(" ")
        if not url.startswith(("https://", "http://")) or not title.strip():
            problems.append(f"Source line {number}: write the address, a space, then its title.")
            continue
        sources.append({"title": title.strip(), "url": url})
    if len(sources) > MAX_SOURCES:
        problems.append(f"At most {MAX_SOURCES} sources.")
    if form.zone not in ZONES:
        problems.append("Choose the time zone from the list.")
    schedule: dict[str, Any] = {"timezone": form.zone}
    if form.kind == "cron":
        if not form.cron:
            problems.append("Write the cron schedule, e.g. 0 10 1 * * (10:00 on the 1st).")
        schedule["cron"] = form.cron
    else:
        moment = local_to_aware(form.once, form.zone)
        if moment is None:
            problems.append("Give the date and time it goes out.")
        else:
            schedule["once"] = moment.isoformat()
    for name, clock in (("start", form.hours_from), ("end", form.hours_to)):
        if not _CLOCK.match(clock):
            problems.append(f"Allowed hours: the {name} must be a time such as 09:00.")
    audience: dict[str, Any] = {"topics": form.topics}
    for name in ("countries", "languages", "channels"):
        if values := getattr(form, name):
            audience[name] = values
    body: dict[str, Any] = {
        "title": form.title,
        "message": dict(form.messages),
        "audience": audience,
        "schedule": schedule,
        "hours": f"{form.hours_from}-{form.hours_to}",
        "enabled": form.enabled,
    }
    if form.node:
        body["node"] = form.node
    if sources:
        body["sources"] = sources
    return body, problems


def local_to_aware(text: str, zone: str) -> datetime | None:
    if not _LOCAL.match(text):
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))
    except (ValueError, ZoneInfoNotFoundError):
        return None


def from_body(campaign_id: str, body: dict[str, Any], version: int) -> CampaignForm:
    schedule = body.get("schedule", {})
    audience = body.get("audience", {})
    zone = schedule.get("timezone", "UTC")
    once = ""
    if schedule.get("once"):
        try:
            moment = datetime.fromisoformat(str(schedule["once"]))
            once = moment.astimezone(ZoneInfo(zone) if moment.tzinfo else UTC).strftime(
                "%Y-%m-%dT%H:%M"
            )
        except (ValueError, ZoneInfoNotFoundError):
            once = ""
    hours_from, _, hours_to = str(body.get("hours", DEFAULT_HOURS)).partition("-")
    return CampaignForm(
        id=campaign_id,
        title=body.get("title", ""),
        messages=dict(body.get("message", {})),
        node=body.get("node") or "",
        sources="\n".join(f"{s['url']} {s['title']}" for s in body.get("sources", [])),
        topics=list(audience.get("topics", [])),
        countries=list(audience.get("countries", [])),
        languages=list(audience.get("languages", [])),
        channels=list(audience.get("channels", [])),
        kind="cron" if schedule.get("cron") else "once",
        once=once,
        cron=schedule.get("cron") or "",
        zone=zone,
        hours_from=hours_from,
        hours_to=hours_to,
        enabled=bool(body.get("enabled", True)),
        version=version,
    )
