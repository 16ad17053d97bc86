"""Validate the content tree: errors stop a release, warnings tell editors what to look at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import available_timezones

import phonenumbers
from phonenumbers import shortnumberinfo

from bot.content.contract import CONTRACT_NODES, SAFETY_CORE
from bot.content.hours import hours_problem
from bot.content.loader import LANGUAGES
from bot.content.model import HOTLINE_TOPICS, ContentTree, Node
from bot.engine.messages import MAX_OPTION_DATA_BYTES
from bot.engine.triage import URGENT_NODE

# Telegram's limit for one message: https://core.telegram.org/bots/api#sendmessage
MAX_MESSAGE_CHARS = 4096
REVIEW_MAX_AGE = timedelta(days=180)
MAX_SUMMARY_CHARS = 130
# "1. " or "2) " opening a line numbers a step; it is not a figure.
_STEP_NUMBER = re.compile(r"(?m)^[ \t]*\d{1,2}[.)][ \t]")
_DIGITS = re.compile(r"\d+(?:[ .,:/-]\d+)*")
_DIGIT_RUN = re.compile(r"\d+")
_TOPIC_LIST = ", ".join(sorted(HOTLINE_TOPICS))
# Real countries and territories with their own numbering (not EU, ZZ, QO).
_COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Expected gaps, for the record (translations still to come): never a reason to act now.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def phone_problem(phone: str, country: str) -> str | None:
    """Why a directory number is not a valid number of its country, or None if it is."""
    if not phone.isascii():
        return "must be written with the digits 0-9"
    if phone.startswith("+"):
        try:
            number = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException as exc:
            return f"cannot be read as a phone number: {exc}"
        if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != phone:
            return "is not written in E.164 (+ country code and digits, no spaces)"
        if not phonenumbers.is_valid_number(number):
            return "is not a valid phone number"
        if phonenumbers.region_code_for_number(number) != country:
            return f"belongs to {phonenumbers.region_code_for_number(number)}, not {country}"
        return None
    # Short numbers (112, 103) only work inside their country.
    if not phone.isdigit():
        return "must be E.164 (+...) or a short number of digits"
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException as exc:
        return f"cannot be read as a phone number: {exc}"
    if not shortnumberinfo.is_valid_short_number_for_region(number, country):
        return f"is not a valid short number in {country}"
    return None


def _longest_text(node: Node) -> int:
    longest = 0
    for text in node.texts.values():
        base = len(text.title) + 2 + len(text.body)
        extra = max((len(t) + 2 for t in text.by_country.values()), default=0)
        longest = max(longest, base + extra)
    return longest


def _texts_of(node: Node) -> dict[str, str]:
    """Every piece of a node's wording a person can read, by where it lives."""
    pieces: dict[str, str] = {}
    for language, text in node.texts.items():
        pieces[f"{language}.md"] = "\n".join([text.title, text.body, *text.by_country.values()])
    for language, summary in node.summaries.items():
        pieces[f"summary {language}"] = summary
    return pieces


def undeclared_figures(wording: str, declared: list[str]) -> list[str]:
    """Numbers in the wording that no declared figure covers (step numbers aside)."""
    rest = _STEP_NUMBER.sub(" ", wording)
    for figure in sorted(declared, key=len, reverse=True):
        rest = rest.replace(figure, " ")
    return [match.group() for match in _DIGITS.finditer(rest)]


def _language_of(where: str) -> str:
    """The language of a piece named by _texts_of ("kk.md", "summary kk")."""
    return where.removesuffix(".md").removeprefix("summary ")


def _check_figures(node: Node, today: date, error: Any, warn: Any) -> None:
    pieces = _texts_of(node)
    for where, wording in pieces.items():
        language = _language_of(where)
        declared = [w for f in node.figures if (w := f.written_in(language))]
        for number in undeclared_figures(wording, declared):
            error(
                f"{node.id} ({where}): the figure {number!r} has no entry under figures: "
                "in node.yaml (its text, what it is, the date checked and a public source); "
                "a figure that cannot be checked is left out and the text says to ask"
            )
    for figure in node.figures:
        for language in ("ru", *figure.wording):
            written = figure.written_in(language) or ""
            own = [w for where, w in pieces.items() if _language_of(where) == language]
            if not any(written in wording for wording in own):
                error(
                    f"{node.id}: figure {written!r} is declared but appears in no {language} text"
                )
            if _DIGIT_RUN.findall(written) != _DIGIT_RUN.findall(figure.text):
                error(
                    f"{node.id}: figure {written!r} ({language}) has other digits than the "
                    f"Russian {figure.text!r}"
                )
        if not figure.source.startswith(("https://", "http://")):
            error(f"{node.id}: figure {figure.text!r} needs a public source (a web address)")
        if today - figure.checked > REVIEW_MAX_AGE:
            warn(
                f"{node.id}: figure {figure.text!r} checked {figure.checked}, over "
                f"{REVIEW_MAX_AGE.days} days ago"
            )


def _check_translations(node: Node, error: Any) -> None:
    where = node.id
    for language in node.texts:
        if language != "ru" and language not in node.translations:
            error(
                f"{where}: {language}.md has no status: add `translations: {language}: "
                "{status: draft, date: YYYY-MM-DD}` (reviewed once a native speaker read it)"
            )
        if language != "ru" and node.id in CONTRACT_NODES and language not in node.summaries:
            error(f"{where}: {language}.md has no {language} summary (summary: {language}:)")
    for language in node.translations:
        if language not in node.texts:
            error(f"{where}: translations names {language}, but there is no {language}.md")
    if node.id in SAFETY_CORE:
        missing = [language for language in LANGUAGES if language not in node.texts]
        if missing:
            error(f"{where}: safety core node without {', '.join(missing)} text")


def check(tree: ContentTree, today: date | None = None) -> Report:
    today = today or date.today()
    report = Report()
    error, warn = report.errors.append, report.warnings.append
    for path, problem in tree.problems:
        error(f"{path}: {problem}")

    for node_id in CONTRACT_NODES:
        if node_id not in tree.nodes:
            error(f"{node_id}: contract node is missing")
    known_topics = {t for h in tree.hotlines for t in h.topics}

    for node in tree.nodes.values():
        where = node.id
        if node.parent and node.parent not in tree.nodes:
            error(f"{where}: its parent {node.parent} has no node.yaml")
        if len(f"open:{node.id}".encode()) > MAX_OPTION_DATA_BYTES:
            error(f"{where}: id too long for button data ({MAX_OPTION_DATA_BYTES} bytes)")
        if node.id in CONTRACT_NODES and not node.summaries.get("ru"):
            error(f"{where}: no Russian summary (summary: ru:), the one thing to know or do")
        for language, summary in node.summaries.items():
            if len(summary) > MAX_SUMMARY_CHARS:
                error(
                    f"{where}: {language} summary is {len(summary)} characters, over "
                    f"{MAX_SUMMARY_CHARS} (two UCS-2 SMS segments with a page marker)"
                )
        if "ru" not in node.texts:
            error(f"{where}: Russian text (ru.md) is missing")
        elif not node.texts["ru"].body and node.kind == "article":
            error(f"{where}: Russian text has a title but no text")
        if not node.keywords.get("ru") and node.id != URGENT_NODE:
            warn(f"{where}: no Russian keywords, free text will rarely find it")
        if (length := _longest_text(node)) > MAX_MESSAGE_CHARS:
            error(
                f"{where}: text is {length} characters, over a Telegram message "
                f"({MAX_MESSAGE_CHARS})"
            )
        for related in node.related:
            if related not in tree.nodes:
                error(f"{where}: related node {related} does not exist")
            elif related == node.id:
                error(f"{where}: lists itself as related")
        if len(set(node.related)) != len(node.related):
            error(f"{where}: a related node is listed twice")
        for topic in node.hotline_topics:
            if topic not in HOTLINE_TOPICS:
                error(f"{where}: unknown hotline topic {topic!r}; known: {_TOPIC_LIST}")
            elif topic not in known_topics:
                warn(f"{where}: no directory entry has the topic {topic!r} yet")
        for language, text in node.texts.items():
            for country in text.by_country:
                if country not in _COUNTRIES:
                    error(f"{where}/{language}.md: country section for unknown code {country}")
        for country in node.countries:
            if country not in _COUNTRIES:
                error(f"{where}: unknown country code {country}")
        _check_figures(node, today, error, warn)
        _check_translations(node, error)
        if node.reviewed is None:
            warn(f"{where}: no review date")
        elif today - node.reviewed > REVIEW_MAX_AGE:
            warn(f"{where}: last reviewed {node.reviewed}, over {REVIEW_MAX_AGE.days} days ago")

    urgent = tree.nodes.get(URGENT_NODE)
    if urgent is not None and not urgent.triggers.get("ru"):
        error(f"{URGENT_NODE}: no Russian danger phrases (triggers), triage cannot work")
    for node in tree.nodes.values():
        if node.id != URGENT_NODE and (node.triggers or node.cues):
            error(f"{node.id}: triggers and cues belong in the {URGENT_NODE} node only")
        for language, cues in node.cues.items():
            for phrase, weight in cues.items():
                if not -1 < weight < 1 or weight == 0:
                    error(
                        f"{node.id}: cue {phrase!r} ({language}) weighs {weight}; cues weigh "
                        "between -1 and 1 (a phrase enough alone is a trigger)"
                    )

    for text, node_id in tree.questions:
        if node_id not in tree.nodes:
            error(f"matching: example question {text[:40]!r} names unknown node {node_id}")

    for country in tree.served:
        if country not in _COUNTRIES:
            error(f"countries.yaml: unknown country code {country}")

    seen_ids: set[str] = set()
    zones = available_timezones()
    for entry in tree.hotlines:
        where = f"hotlines.yaml: {entry.id}"
        if entry.id in seen_ids:
            error(f"{where}: duplicate id")
        seen_ids.add(entry.id)
        if entry.country not in _COUNTRIES:
            error(f"{where}: unknown country code {entry.country}")
        if entry.timezone and entry.timezone not in zones:
            error(f"{where}: unknown time zone {entry.timezone}")
        elif entry.hours is not None and (problem := hours_problem(entry.hours, entry.timezone)):
            error(f"{where}: {problem}")
        if "ru" not in entry.name:
            error(f"{where}: no Russian name")
        for topic in entry.topics:
            if topic not in HOTLINE_TOPICS:
                error(f"{where}: unknown topic {topic!r}; known: {_TOPIC_LIST}")
        if entry.unlisted_short_number:
            # libphonenumber lacks some countries' short numbers (Uzbekistan's 101-103, say):
            # then the public source alone vouches for the number, so it must be verified.
            if not (entry.phone and entry.phone.isascii() and entry.phone.isdigit()
                    and 2 <= len(entry.phone) <= 6):  # fmt: skip
                error(f"{where}: an unlisted short number must be 2 to 6 digits")
            elif not (entry.verified and entry.source and entry.checked):
                error(f"{where}: an unlisted short number needs verified: true, a source and "
                      "the date checked")  # fmt: skip
            elif not phone_problem(entry.phone, entry.country):
                warn(f"{where}: {entry.phone} is listed for {entry.country} now; drop "
                     "unlisted_short_number")  # fmt: skip
        elif entry.phone is not None and (problem := phone_problem(entry.phone, entry.country)):
            error(f"{where}: phone {entry.phone} {problem}")
        if entry.partner is not None:
            for code in entry.partner.countries:
                if code not in _COUNTRIES:
                    error(f"{where}: partner: unknown country code {code}")
            for topic in entry.partner.topics:
                if topic not in HOTLINE_TOPICS:
                    error(f"{where}: partner: unknown topic {topic!r}; known: {_TOPIC_LIST}")
            for language in entry.partner.languages:
                if language not in LANGUAGES:
                    error(f"{where}: partner: unknown language {language!r}")
        if entry.verified and not (entry.source and entry.checked):
            error(f"{where}: verified, but without a public source and a date checked")
        if entry.verified and not entry.phone:
            error(f"{where}: verified, but without a phone number")
        if entry.checked and today - entry.checked > REVIEW_MAX_AGE:
            warn(f"{where}: checked {entry.checked}, over {REVIEW_MAX_AGE.days} days ago")

    for language in LANGUAGES:
        missing = [n for n in tree.nodes if language not in tree.nodes[n].texts]
        if missing and language != "ru":
            report.notes.append(
                f"{len(missing)} of {len(tree.nodes)} nodes have no {language} text "
                "(they fall back to Russian)"
            )
    return report


def freshness_table(tree: ContentTree, today: date | None = None) -> str:
    """Node by node: when it was last reviewed, and its legal figures' oldest check; then the
    directory's oldest checks per country. Oldest first, so editors see what to look at."""
    today = today or date.today()

    def age(day: date | None) -> str:
        return "never" if day is None else f"{(today - day).days} days"

    rows = []
    for node in tree.nodes.values():
        oldest_figure = min((f.checked for f in node.figures), default=None)
        rows.append((node.reviewed or date.min, node.id, node.reviewed, len(node.figures),
                     oldest_figure))  # fmt: skip
    width = max((len(n) for n in tree.nodes), default=4)
    lines = [f"{'node'.ljust(width)} reviewed    age        figures  oldest figure"]
    for _, node_id, reviewed, count, oldest in sorted(rows):
        lines.append(
            f"{node_id.ljust(width)} {str(reviewed or '-').ljust(11)} {age(reviewed).ljust(10)} "
            f"{str(count).ljust(8)} {age(oldest) if count else '-'}"
        )
    by_country: dict[str, list[date | None]] = {}
    for entry in tree.hotlines:
        by_country.setdefault(entry.country, []).append(entry.checked)
    lines.append("")
    lines.append("directory   entries  oldest check")
    for country in sorted(by_country):
        checks = by_country[country]
        oldest = None if None in checks else min(c for c in checks if c)
        lines.append(f"{country.ljust(11)} {str(len(checks)).ljust(8)} {age(oldest)}")
    return "\n".join(lines)


def coverage_table(tree: ContentTree) -> str:
    """Node by language: which texts exist, and whether they are reviewed or drafts. Nodes of
    the safety core are marked with a star: they must exist in every language."""
    width = max((len(n) for n in tree.nodes), default=4) + 2
    header = "node".ljust(width) + " " + " ".join(lang.ljust(6) for lang in LANGUAGES)
    lines = [header, "-" * len(header)]
    for node_id in sorted(tree.nodes):
        node = tree.nodes[node_id]
        marks = " ".join(_mark(node, lang).ljust(6) for lang in LANGUAGES)
        name = f"{node_id} *" if node_id in SAFETY_CORE else node_id
        lines.append(name.ljust(width) + " " + marks)
    totals = " ".join(
        str(sum(lang in n.texts for n in tree.nodes.values())).ljust(6) for lang in LANGUAGES
    )
    lines.append("-" * len(header))
    lines.append("total".ljust(width) + " " + totals)
    return "\n".join(lines)


def _mark(node: Node, language: str) -> str:
    if language not in node.texts:
        return "."
    if language == "ru":
        return "yes"
    status = node.translations.get(language)
    return "rev" if status and status.status == "reviewed" else "draft"
