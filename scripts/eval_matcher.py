"""Score the matcher and the triage on the evaluation sets under tests/data. Prints JSON:
top-1 and top-3 node accuracy, urgent recall and false-urgent rate, and the misses.

    .venv/bin/python scripts/eval_matcher.py [--misses] [FILE ...]

eval_ru.yaml is the set the suite asserts on; holdout_ru.yaml was written apart from the
keywords and is only measured, never tuned against, to show how the figures generalise.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from bot.content.loader import load_tree
from bot.engine.conversation import Conversation
from bot.language.catalogs import Catalogs
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"


def score(conversation: Conversation, cases: list[dict]) -> dict:
    top1 = top3 = urgent_found = calm_flagged = 0
    misses = []
    urgent = [c for c in cases if c["urgent"]]
    for case in cases:
        flagged = conversation.triage.check(case["text"]) is not None
        if case["urgent"]:
            urgent_found += flagged
            top1 += flagged
            top3 += flagged
            if not flagged:
                misses.append({"text": case["text"], "expected": "urgent", "got": []})
            continue
        calm_flagged += flagged
        found = [m.node for m in conversation.index.match(case["text"], limit=3)]
        top1 += bool(found) and found[0] == case["node"]
        top3 += case["node"] in found
        if case["node"] not in found or flagged:
            misses.append(
                {
                    "text": case["text"],
                    "expected": case["node"],
                    "got": found,
                    "false_urgent": flagged,
                }
            )
    calm = len(cases) - len(urgent)
    return {
        "messages": len(cases),
        "top1": round(top1 / len(cases), 3),
        "top3": round(top3 / len(cases), 3),
        "urgent_recall": round(urgent_found / max(len(urgent), 1), 3),
        "false_urgent": round(calm_flagged / max(calm, 1), 3),
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true", help="list the misses too")
    arguments = parser.parse_args()
    files = arguments.files or sorted(DATA.glob("*_ru.yaml"))
    conversation = Conversation(
        load_tree(PROJECT_ROOT / "content"), Catalogs(PROJECT_ROOT / "locales")
    )
    results = {}
    for path in files:
        result = score(conversation, yaml.safe_load(path.read_text(encoding="utf-8")))
        if not arguments.misses:
            result.pop("misses")
        results[path.name] = result
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
