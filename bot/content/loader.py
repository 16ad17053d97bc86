"""Read the content tree from plain files; every problem is recorded, none is fatal.

content/tree/<node id>/node.yaml   order, kind, keywords, related, hotlines, sources ...
content/tree/<node id>/<lang>.md   title on the first line, then the text
content/hotlines.yaml              the directory of organisations and public numbers
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.content.model import ContentTree, Figure, Hotline, Node, Partner, Source, Text, Translation

LANGUAGES = ("ru", "kk", "ky", "tg", "uz", "tk", "en", "fa-AF", "ps")
MAX_FILE_BYTES = 256 * 1024
_SECTION_OPEN = re.compile(r"^:::\s*([A-Za-z]{2})\s*$")
_SECTION_CLOSE = re.compile(r"^:::\s*$")
_Entry = TypeVar("_Entry", bound=BaseModel)
# libyaml's safe loader where PyYAML was built with it: the examples load ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SourceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: str


class _FigureFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=200)
    about: str = Field(min_length=1, max_length=300)
    checked: date
    source: str = Field(min_length=1)
    # How the figure is written in each translation (the digits stay the same).
    wording: dict[str, str] = Field(default_factory=dict)


class _TranslationFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["draft", "reviewed"]
    date: date
    by: str | None = Field(default=None, max_length=120)


class _NodeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: int = 0
    kind: Literal["section", "article"] = "article"
    summary: dict[str, str] = Field(default_factory=dict)
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    triggers: dict[str, list[str]] = Field(default_factory=dict)
    cues: dict[str, dict[str, float]] = Field(default_factory=dict)
    related: list[str] = Field(default_factory=list)
    hotlines: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    reviewed: date | None = None
    sources: list[_SourceFile] = Field(default_factory=list)
    figures: list[_FigureFile] = Field(default_factory=list)
    translations: dict[str, _TranslationFile] = Field(default_factory=dict)


class _PartnerFile(BaseModel):
    """An organisation whose operators take cases in this deployment's console."""

    model_config = ConfigDict(extra="forbid")
    # Empty: the entry's own country and topics.
    countries: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    # The languages its operators answer in (required: routing depends on it).
    languages: list[str] = Field(min_length=1)
    urgent_minutes: int = Field(default=10, ge=1, le=24 * 60)
    normal_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60)


class _HotlineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    country: str
    name: dict[str, str]
    phone: str | None = None
    topics: list[str]
    hours: str | None = None
    timezone: str | None = None
    languages: list[str] = Field(default_factory=list)
    free: bool | None = None
    verified: bool = False
    source: str | None = None
    checked: date | None = None
    # A short number the source states but libphonenumber's data does not list for the country.
    unlisted_short_number: bool = False
    partner: _PartnerFile | None = None

    @field_validator("phone", mode="before")
    @classmethod
    def _phone_is_text(cls, value: Any) -> Any:
        # Unquoted, YAML reads +74951234567 as a number and drops the "+", and 01 as 1:
        # turning it back into text would hide the change.
        if isinstance(value, int | float):
            raise ValueError('write the phone number in quotes, for example "112"')
        return value


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than {MAX_FILE_BYTES} bytes")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte {exc.start})") from exc


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(_read_text(path), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ValueError(f"invalid YAML: {exc}".replace("\n", " ")) from exc


def _explain(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
    )


def parse_text(source: str) -> Text:
    """Title on the first line; the rest is the text, with `::: XX` ... `:::` country parts."""
    lines = source.replace("\r\n", "\n").strip("\n").split("\n")
    title = lines[0].lstrip("#").strip() if lines else ""
    general: list[str] = []
    by_country: dict[str, list[str]] = {}
    current: list[str] = general
    open_country: str | None = None
    for line in lines[1:]:
        if opened := _SECTION_OPEN.match(line):
            if open_country is not None:
                raise ValueError(f"country section {open_country} is not closed before {line!r}")
            open_country = opened.group(1).upper()
            current = by_country.setdefault(open_country, [])
        elif _SECTION_CLOSE.match(line):
            if open_country is None:
                raise ValueError("':::' closes a country section that was never opened")
            open_country, current = None, general
        else:
            current.append(line)
    if open_country is not None:
        raise ValueError(f"country section {open_country} is not closed")
    if not title:
        raise ValueError("the first line (the title) is empty")
    return Text(
        title=title,
        body=_squeeze("\n".join(general)),
        by_country={c: _squeeze("\n".join(body)) for c, body in by_country.items()},
    )


def _squeeze(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _load_node(folder: Path, node_id: str, problems: list[tuple[str, str]]) -> Node | None:
    meta_path = folder / "node.yaml"
    try:
        raw = _read_yaml(meta_path) if meta_path.exists() else None
        if raw is None:
            raise ValueError("node.yaml is missing or empty")
        if not isinstance(raw, dict):
            raise ValueError("node.yaml must be a mapping of fields")
        meta = _NodeFile.model_validate(raw)
    except ValidationError as exc:
        problems.append((str(meta_path), _explain(exc)))
        return None
    except (OSError, ValueError) as exc:
        problems.append((str(meta_path), str(exc)))
        return None

    texts: dict[str, Text] = {}
    for path in sorted(folder.glob("*.md")):
        language = path.stem
        if language not in LANGUAGES:
            problems.append((str(path), f"unknown language {language!r}; known: {LANGUAGES}"))
            continue
        try:
            texts[language] = parse_text(_read_text(path))
        except (OSError, ValueError) as exc:
            problems.append((str(path), str(exc)))

    return Node(
        id=node_id,
        order=meta.order,
        kind=meta.kind,
        texts=texts,
        summaries={k: v.strip() for k, v in meta.summary.items()},
        keywords={k: tuple(v) for k, v in meta.keywords.items()},
        triggers={k: tuple(v) for k, v in meta.triggers.items()},
        cues=meta.cues,
        related=tuple(meta.related),
        hotline_topics=tuple(meta.hotlines),
        countries=tuple(c.upper() for c in meta.countries),
        reviewed=meta.reviewed,
        sources=tuple(Source(title=s.title, url=s.url) for s in meta.sources),
        figures=tuple(
            Figure(
                text=f.text,
                about=f.about,
                checked=f.checked,
                source=f.source,
                wording={k: v.strip() for k, v in f.wording.items()},
            )
            for f in meta.figures
        ),
        translations={
            language: Translation(status=t.status, date=t.date, by=t.by)
            for language, t in meta.translations.items()
        },
    )


def _read_list(path: Path, problems: list[tuple[str, str]], what: str) -> list[Any] | None:
    """A YAML file that must hold a list, or None with the problem recorded."""
    try:
        raw = _read_yaml(path)
    except (OSError, ValueError) as exc:
        problems.append((str(path), str(exc)))
        return None
    if not isinstance(raw, list):
        problems.append((str(path), f"must be a list of {what}"))
        return None
    return raw


def _entries(
    items: list[Any], schema: type[_Entry], path: Path, problems: list[tuple[str, str]]
) -> Iterator[_Entry]:
    """The items that fit the schema; each one that does not is a problem of its own."""
    for index, item in enumerate(items):
        try:
            yield schema.model_validate(item)
        except ValidationError as exc:
            problems.append((f"{path}[{index}]", _explain(exc)))


def _load_hotlines(path: Path, problems: list[tuple[str, str]]) -> list[Hotline]:
    if not path.exists():
        problems.append((str(path), "the hotline directory is missing"))
        return []
    raw = _read_list(path, problems, "entries")
    return [
        Hotline(
            id=entry.id,
            country=entry.country.upper(),
            name=entry.name,
            phone=entry.phone,
            topics=tuple(entry.topics),
            hours=entry.hours,
            timezone=entry.timezone,
            languages=tuple(entry.languages),
            free=entry.free,
            verified=entry.verified,
            source=entry.source,
            checked=entry.checked,
            unlisted_short_number=entry.unlisted_short_number,
            partner=_partner(entry),
        )
        for entry in _entries(raw or [], _HotlineFile, path, problems)
    ]


def _partner(entry: _HotlineFile) -> Partner | None:
    if entry.partner is None:
        return None
    return Partner(
        countries=tuple(c.upper() for c in entry.partner.countries) or (entry.country.upper(),),
        topics=tuple(entry.partner.topics) or tuple(entry.topics),
        languages=tuple(entry.partner.languages),
        urgent_minutes=entry.partner.urgent_minutes,
        normal_minutes=entry.partner.normal_minutes,
    )


def _load_countries(path: Path, problems: list[tuple[str, str]]) -> list[str]:
    if not path.exists():
        return []
    raw = _read_list(path, problems, "country codes such as KZ")
    if raw is None:
        return []
    if not all(isinstance(code, str) for code in raw):
        problems.append((str(path), "must be a list of country codes such as KZ"))
        return []
    return [code.upper() for code in raw]


class _ExampleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)
    urgent: bool


class _QuestionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)
    node: str = Field(min_length=1, max_length=64)


def _load_folder(
    folder: Path,
    schema: type[_Entry],
    what: str,
    problems: list[tuple[str, str]],
    written: list[tuple[str, str]],
) -> list[_Entry]:
    """Every valid entry of every YAML list in a folder (none if the folder is absent). The
    texts are also added to `written` with their file's language: a file named
    `<anything>_<language>.yaml` (questions_kk.yaml) holds that language, any other Russian."""
    entries: list[_Entry] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        found = list(_entries(_read_list(path, problems, what) or [], schema, path, problems))
        language = path.stem.rpartition("_")[2]
        language = language if language in LANGUAGES else "ru"
        written += [(entry.text, language) for entry in found]  # type: ignore[attr-defined]
        entries += found
    return entries


def load_tree(content_dir: Path) -> ContentTree:
    problems: list[tuple[str, str]] = []
    nodes: dict[str, Node] = {}
    tree_dir = content_dir / "tree"
    if not tree_dir.is_dir():
        problems.append((str(tree_dir), "the content tree folder is missing"))
    else:
        for meta_path in sorted(tree_dir.rglob("node.yaml")):
            folder = meta_path.parent
            node_id = folder.relative_to(tree_dir).as_posix()
            node = _load_node(folder, node_id, problems)
            if node is not None:
                nodes[node_id] = node
        for md in sorted(tree_dir.rglob("*.md")):
            if not (md.parent / "node.yaml").exists():
                problems.append((str(md), "text without a node.yaml beside it"))
    written: list[tuple[str, str]] = []
    examples = _load_folder(
        content_dir / "triage", _ExampleFile, "{text, urgent}", problems, written
    )
    questions = _load_folder(
        content_dir / "matching", _QuestionFile, "{text, node}", problems, written
    )
    return ContentTree(
        nodes=nodes,
        hotlines=_load_hotlines(content_dir / "hotlines.yaml", problems),
        problems=problems,
        served=_load_countries(content_dir / "countries.yaml", problems),
        examples=[(e.text, e.urgent) for e in examples],
        questions=[(q.text, q.node) for q in questions],
        written=written,
    )
