"""Canned answers operators can start a reply from (content/canned.yaml, reviewed in git like
the rest of the content): a title for the operator and the text per language."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)
FALLBACK = ("ru", "en")


class CannedAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=120)
    text: dict[str, str] = Field(min_length=1)


@cache
def _load(path: Path) -> tuple[CannedAnswer, ...]:
    if not path.exists():
        return ()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return tuple(CannedAnswer.model_validate(item) for item in raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError, TypeError) as exc:
        # A broken file must not take the console down: no canned answers until it is fixed.
        log.error("canned answers unreadable: %s: %s", path, str(exc).splitlines()[0])
        return ()


def canned_answers(content_dir: Path, language: str | None) -> list[tuple[str, str]]:
    """(title, text) in the case's language, falling back to Russian, then English."""
    found = []
    for answer in _load(Path(content_dir) / "canned.yaml"):
        for candidate in (language, *FALLBACK):
            if candidate and candidate in answer.text:
                found.append((answer.title, answer.text[candidate].strip()))
                break
    return found
