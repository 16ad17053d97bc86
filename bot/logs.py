"""Log lines with key=value context. Callers pass only pseudonymous ids in `extra`, never an
address or a message text; the formatter prints only the keys listed here."""

from __future__ import annotations

import logging

CONTEXT_KEYS = ("person", "escalation", "channel", "outbox_id", "retryable", "status")


class ContextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(
            f"{key}={getattr(record, key)}"
            for key in CONTEXT_KEYS
            if getattr(record, key, None) is not None
        )
        return f"{line} {context}" if context else line


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(ContextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic narrates every schema check at INFO; only its problems matter while serving.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # aiogram logs every update ("Update id=... is handled"): noise at this volume.
    logging.getLogger("aiogram.event").setLevel(max(logging.WARNING, root.level))
