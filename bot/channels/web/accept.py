"""The browser's Accept-Language, as the language to greet a person in: a hint, as Telegram's
language_code is; what the person chooses or writes wins."""

from __future__ import annotations

from collections.abc import Iterable

# Persian as the browser names it is the Dari we speak (Telegram's codes are read the same way).
_ALIASES = {"prs": "fa"}
_MAX_TAGS = 20


def preferred(header: str, available: Iterable[str]) -> str | None:
    """The first of `available` (our codes: "ru", "fa-AF") the header asks for, by weight."""
    exact: dict[str, str] = {}
    by_primary: dict[str, str] = {}
    for code in available:
        exact[code.lower()] = code
        by_primary.setdefault(code.split("-")[0].lower(), code)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:_MAX_TAGS]):
        tag, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and tag != "*" and weight > 0:
            ranked.append((-weight, index, tag.lower()))
    for _, _, tag in sorted(ranked):
        if tag in exact:
            return exact[tag]
        primary = tag.split("-")[0]
        primary = _ALIASES.get(primary, primary)
        if primary in by_primary:
            return by_primary[primary]
    return None
