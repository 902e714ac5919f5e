"""Record in models/ner-news/meta.json which documents the shipped weights were trained on.

Usage: python bench/training_hashes.py [--data ../shared/data] [-o models/ner-news] [--check]

The shipped weights predate ``ner_cli.training_set``, so their meta.json had no fingerprints;
this rebuilds the exact training documents of bench/train_shipped.py (sequoia_other minus
every fifth document, then newseye_dev2), read as ``ner-cli train`` reads them, and writes
their fingerprints under ``ner_cli.training_set`` (ids and texts hashed, no text copied).
The document and word counts must match the model card's, or nothing is written.
``--check`` writes nothing and fails when meta.json differs. Reads ../shared/data; skips
when absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from train_eval import read_jsonl, sequoia_split
from train_shipped import write_jsonl

from ner_cli.evaluate import read_gold
from ner_cli.training_set import META_KEY, META_SECTION, TrainingSet


def training_documents(data: Path) -> list:
    """The gold documents bench/train_shipped.py trains on, in its order, via read_gold."""
    train, _ = sequoia_split(read_jsonl(data / "gold" / "sequoia_other.jsonl"))
    with tempfile.TemporaryDirectory() as work:
        sequoia_train = write_jsonl(Path(work) / "sequoia_other.train.jsonl", train)
        return [doc for path in (sequoia_train, data / "train" / "newseye_dev2.jsonl")
                for doc in read_gold(path)]


def card_count(card: str, name: str) -> int | None:
    """A count from the model card's table ("| train words | 58,862 |")."""
    match = re.search(rf"^\| {re.escape(name)} \| ([\d,]+) \|$", card, re.MULTILINE)
    return None if match is None else int(match.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("-o", "--output", type=Path, default=Path("models/ner-news"))
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when meta.json does not match")
    args = parser.parse_args()
    if not (args.data / "gold").is_dir():
        print(f"skipped: no gold data at {args.data}/gold", file=sys.stderr)
        return 0
    documents = training_documents(args.data)
    words = sum(len(d.text.split()) for d in documents)
    card = (args.output / "MODEL_CARD.md").read_text(encoding="utf-8")
    expected = (card_count(card, "train documents"), card_count(card, "train words"))
    print(f"{len(documents)} documents, {words:,} words (model card: {expected[0]} documents, "
          f"{expected[1]:,} words)", file=sys.stderr)
    if (len(documents), words) != expected:
        print("error: not the model card's training set; nothing written", file=sys.stderr)
        return 1
    training_set = TrainingSet.of(documents).as_meta()
    meta_path = args.output / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    recorded = meta.get(META_SECTION, {}).get(META_KEY)
    if args.check:
        if recorded != training_set:
            print(f"error: {meta_path} does not record this training set", file=sys.stderr)
            return 1
        print(f"{meta_path}: training set matches", file=sys.stderr)
        return 0
    meta.setdefault(META_SECTION, {})[META_KEY] = training_set
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{meta_path}: {len(training_set['ids'])} ids, {len(training_set['texts'])} texts",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
