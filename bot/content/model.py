"""The content tree as the engine sees it: nodes with texts per language, and the directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# The person's language first, then Russian (the base), then English.
FALLBACK = ("ru", "en")
# What a directory entry helps with; nodes name the topics whose numbers they show.
HOTLINE_TOPICS = frozenset(
    {
        "emergency", "police", "ambulance", "fire", "trafficking", "migrants", "asylum",
        "refugees", "stateless", "legal-aid", "shelter", "children", "women", "consulate",
        "health", "labour", "return",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Figure:
    """A legal figure (fee, deadline, days of stay) as written in a text, with its evidence."""

    text: str  # as written in Russian
    about: str
    checked: date
    source: str
    wording: dict[str, str] = field(default_factory=dict)  # as written in each translation

    def written_in(self, language: str) -> str | None:
        return self.text if language == "ru" else self.wording.get(language)


@dataclass(frozen=True)
class Translation:
    """Where a translation of a node stands: a draft (machine-assisted, or not yet read by a
    native speaker) or reviewed, and since when."""

    status: str  # draft, reviewed
    date: date
    by: str | None = None


@dataclass(frozen=True)
class Text:
    """One language's text of a node: a general part and optional parts per country."""

    title: str
    body: str
    by_country: dict[str, str] = field(default_factory=dict)

    def for_country(self, country: str | None) -> str:
        extra = self.by_country.get(country or "")
        return f"{self.body}\n\n{extra}".strip() if extra else self.body


@dataclass(frozen=True)
class Node:
    id: str
    order: int = 0
    kind: str = "article"  # section: a menu of its children; article: a leaf
    texts: dict[str, Text] = field(default_factory=dict)
    # The one thing to know or do, per language: SMS sends it first, chats lead with it.
    summaries: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    triggers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cues: dict[str, dict[str, float]] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    hotline_topics: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    reviewed: date | None = None
    sources: tuple[Source, ...] = ()
    figures: tuple[Figure, ...] = ()
    translations: dict[str, Translation] = field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        return self.id.rpartition("/")[0] or None

    def text(self, language: str) -> tuple[str, Text] | None:
        """The text in the language, or the first fallback that exists, with its language."""
        for candidate in (language, *FALLBACK):
            if candidate in self.texts:
                return candidate, self.texts[candidate]
        return None


@dataclass(frozen=True)
class Partner:
    """A directory entry whose operators take cases in this deployment's console."""

    countries: tuple[str, ...]
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    urgent_minutes: int = 10
    normal_minutes: int = 120


@dataclass(frozen=True)
class Hotline:
    """One entry of the directory: who to call, when, in which languages."""

    id: str
    country: str
    name: dict[str, str]
    phone: str | None
    topics: tuple[str, ...]
    # "24/7", OpenStreetMap-style "Mo-Fr 09:00-18:00", or None when no source gives them.
    hours: str | None = None
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    free: bool | None = None
    verified: bool = False
    source: str | None = None
    checked: date | None = None
    unlisted_short_number: bool = False
    partner: Partner | None = None

    def display_name(self, language: str) -> str:
        for candidate in (language, *FALLBACK):
            if candidate in self.name:
                return self.name[candidate]
        return next(iter(self.name.values()), self.id)


@dataclass
class ContentTree:
    nodes: dict[str, Node]
    hotlines: list[Hotline]
    # Problems found while loading: (path, message). A broken file never stops the service.
    problems: list[tuple[str, str]] = field(default_factory=list)
    # The countries the hotline serves (content/countries.yaml).
    served: list[str] = field(default_factory=list)
    # Labelled messages the danger model learns from (content/triage/*.yaml).
    examples: list[tuple[str, bool]] = field(default_factory=list)
    # Example questions and the node that answers each (content/matching/*.yaml).
    questions: list[tuple[str, str]] = field(default_factory=list)
    # Both of those, as (text, language): how people write in each language.
    written: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._children: dict[str | None, list[str]] = {}
        for node in sorted(self.nodes.values(), key=lambda n: (n.order, n.id)):
            self._children.setdefault(node.parent, []).append(node.id)

    @property
    def top(self) -> list[str]:
        return self._children.get(None, [])

    def children(self, node_id: str) -> list[str]:
        return self._children.get(node_id, [])

    def hotlines_for(self, country: str | None, topics: tuple[str, ...]) -> list[Hotline]:
        """Verified entries for the country and any of the topics, in directory order."""
        return [
            h
            for h in self.hotlines
            if h.verified and h.phone and h.country == country and set(h.topics) & set(topics)
        ]

    @property
    def countries(self) -> list[str]:
        """Served countries, or, without a list, those the directory has numbers for."""
        return self.served or sorted({h.country for h in self.hotlines})
