"""Campaigns and subscription topics as content: read from content/campaigns/, checked like
the rest of the tree (every problem recorded, none fatal).

content/campaigns/topics.yaml    the topics people can subscribe to, named per language
content/campaigns/<id>.yaml      one campaign: message per language, node, audience, schedule
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.content.loader import LANGUAGES
from bot.content.model import FALLBACK, ContentTree

CHANNELS = ("telegram", "sms", "cli")
# Campaign and topic ids: file names, button data and URLs.
CAMPAIGN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
DEFAULT_HOURS = "09:00-20:00"
# A campaign message is short: two Telegram screens at most, a few SMS pages.
MAX_MESSAGE = 1000
# A repeating campaign's occurrences are a day apart at least: more is not news, it is noise.
MIN_GAP = timedelta(days=1)


class _TopicFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=CAMPAIGN_ID.pattern)
    name: dict[str, str]

    @field_validator("name")
    @classmethod
    def _has_russian(cls, value: dict[str, str]) -> dict[str, str]:
        if "ru" not in value:
            raise ValueError("needs a Russian name (ru)")
        if unknown := set(value) - set(LANGUAGES):
            raise ValueError(f"unknown languages: {sorted(unknown)}")
        return value


class _AudienceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: list[str] = Field(min_length=1)
    countries: list[str] = []
    languages: list[str] = []
    channels: list[str] = []


class _ScheduleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    once: datetime | None = None
    cron: str | None = Field(default=None, max_length=100)
    timezone: str = Field(default="UTC", max_length=64)  # the zone the cron expression is read in


class _SourceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    url: str = Field(pattern=r"^https?://[^\s]{4,500}$")


class _CampaignFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    message: dict[str, str]
    node: str | None = None
    audience: _AudienceFile
    schedule: _ScheduleFile
    hours: str = DEFAULT_HOURS
    enabled: bool = True
    # Where the message's facts come from, as in the tree's nodes; with a node, its sources.
    sources: list[_SourceFile] = []
    reviewed: date | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    names: dict[str, str]

    def name(self, language: str) -> str:
        for candidate in (language, *FALLBACK):
            if candidate in self.names:
                return self.names[candidate]
        return self.id


@dataclass(frozen=True)
class Audience:
    topics: tuple[str, ...]
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    messages: dict[str, str]
    audience: Audience
    node: str | None = None
    once: datetime | None = None  # aware, UTC
    cron: str | None = None
    cron_timezone: str = "UTC"
    start: time = time(9)  # allowed local hours
    end: time = time(20)
    enabled: bool = True
    origin: str = "file"  # "file": content/campaigns/<id>.yaml; "console": written there
    version: int = 0  # a console campaign's edit count, to see what changed

    def message(self, language: str | None) -> tuple[str, str]:
        """The text in the person's language, or the first fallback there is, and its language."""
        for candidate in (language or "ru", *FALLBACK):
            if candidate in self.messages:
                return candidate, self.messages[candidate]
        first = next(iter(self.messages))
        return first, self.messages[first]

    def trigger(self) -> CronTrigger | None:
        if not self.cron:
            return None
        return CronTrigger.from_crontab(self.cron, timezone=self.cron_timezone)


@dataclass
class Campaigns:
    topics: dict[str, Topic] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _hours(text: str) -> tuple[time, time]:
    found = _HOURS.match(text)
    if not found:
        raise ValueError(f"allowed hours must look like 09:00-20:00, not {text!r}")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    start, end = time(h1, m1), time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise ValueError("allowed hours must end after they start")
    return start, end


def _read(path: Path, problems: list[tuple[str, str]]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append((str(path), f"unreadable: {exc}"))
        return None


def _explain(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
    )


def parse_campaign(
    campaign_id: str,
    raw: Any,
    topics: dict[str, Topic],
    tree: ContentTree | None,
    *,
    origin: str = "file",
    version: int = 0,
) -> Campaign:
    """One campaign, from a file or from the console (the same shape, the same checks);
    ValueError names every problem found."""
    try:
        entry = _CampaignFile.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(_explain(exc)) from None
    problems: list[str] = []
    if "ru" not in entry.message:
        problems.append("message needs a Russian text (ru)")
    if unknown := set(entry.message) - set(LANGUAGES):
        problems.append(f"message in unknown languages: {sorted(unknown)}")
    for language, text in entry.message.items():
        if not text.strip() or len(text) > MAX_MESSAGE:
            problems.append(f"message.{language} must be 1 to {MAX_MESSAGE} characters")
    if entry.node is None and not entry.sources:
        # Never a fact without a source: the node's sources, or the campaign's own.
        problems.append("give the sources of its facts (sources:) or the node that has them")
    if tree is not None and entry.node is not None and entry.node not in tree.nodes:
        problems.append(f"node {entry.node!r} does not exist")
    if tree is not None and entry.node and len(f"open:{entry.node}".encode()) > 64:
        problems.append("node id too long for button data")
    audience = entry.audience
    if unknown := set(audience.topics) - set(topics):
        problems.append(f"unknown topics: {sorted(unknown)}")
    countries = [c.upper() for c in audience.countries]
    if tree is not None and (unknown := set(countries) - set(tree.countries)):
        problems.append(f"unknown countries: {sorted(unknown)}")
    if unknown := set(audience.languages) - set(LANGUAGES):
        problems.append(f"unknown languages in the audience: {sorted(unknown)}")
    if unknown := set(audience.channels) - set(CHANNELS):
        problems.append(f"unknown channels: {sorted(unknown)}")
    schedule = entry.schedule
    if (schedule.once is None) == (schedule.cron is None):
        problems.append("schedule needs exactly one of once or cron")
    try:
        ZoneInfo(schedule.timezone)
    except (ValueError, ZoneInfoNotFoundError):
        problems.append(f"schedule.timezone {schedule.timezone!r} is not a known time zone")
    once = schedule.once
    if once is not None and once.tzinfo is None:
        problems.append("schedule.once needs a time zone (2027-01-10T09:00:00+05:00 or ...Z)")
    try:
        start, end = _hours(entry.hours)
    except ValueError as exc:
        problems.append(str(exc))
        start, end = time(9), time(20)
    campaign = Campaign(
        id=campaign_id,
        title=entry.title,
        messages=dict(entry.message),
        audience=Audience(
            topics=tuple(audience.topics),
            countries=tuple(countries),
            languages=tuple(audience.languages),
            channels=tuple(audience.channels),
        ),
        node=entry.node,
        once=once.astimezone(UTC) if once is not None and once.tzinfo else None,
        cron=schedule.cron,
        cron_timezone=schedule.timezone,
        start=start,
        end=end,
        enabled=entry.enabled,
        origin=origin,
        version=version,
    )
    if campaign.cron:
        try:
            trigger = campaign.trigger()
        except (ValueError, LookupError) as exc:
            problems.append(f"schedule.cron or timezone: {exc}")
        else:
            if trigger is not None and _too_often(trigger):
                problems.append("schedule.cron fires more than once a day: people would be flooded")
    if problems:
        raise ValueError("; ".join(problems))
    return campaign


def _too_often(trigger: CronTrigger, looked_at: int = 30) -> bool:
    """Whether two of the next occurrences are less than a day apart."""
    previous = None
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    for _ in range(looked_at):
        following = trigger.get_next_fire_time(previous, moment)
        if following is None:
            return False
        if previous is not None and following - previous < MIN_GAP:
            return True
        previous, moment = following, following
    return False


def load_campaigns(content_dir: Path, tree: ContentTree | None = None) -> Campaigns:
    """Topics and campaigns; a file with a problem is left out and the problem recorded."""
    folder = content_dir / "campaigns"
    found = Campaigns()
    if not folder.is_dir():
        return found
    topics_path = folder / "topics.yaml"
    raw_topics = _read(topics_path, found.problems) if topics_path.exists() else []
    if not isinstance(raw_topics, list):
        found.problems.append((str(topics_path), "must be a list of {id, name}"))
        raw_topics = []
    for index, item in enumerate(raw_topics):
        try:
            topic = _TopicFile.model_validate(item)
        except ValidationError as exc:
            found.problems.append((f"{topics_path}[{index}]", _explain(exc)))
            continue
        if len(f"sub:{topic.id}".encode()) > 64:
            found.problems.append((f"{topics_path}[{index}]", "id too long for button data"))
            continue
        found.topics[topic.id] = Topic(topic.id, dict(topic.name))
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "topics.yaml":
            continue
        if not CAMPAIGN_ID.match(path.stem):
            found.problems.append((str(path), "file name must be a campaign id: a-z 0-9 -"))
            continue
        known = len(found.problems)
        raw = _read(path, found.problems)
        if raw is None:
            if len(found.problems) == known:
                found.problems.append((str(path), "the file is empty"))
            continue
        try:
            found.campaigns[path.stem] = parse_campaign(path.stem, raw, found.topics, tree)
        except ValueError as exc:
            found.problems.append((str(path), str(exc)))
    return found
