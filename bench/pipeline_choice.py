"""Which components should ner-cli load? Speed and strict F1 of pipeline variants on gold.

Usage: python bench/pipeline_choice.py [--gold-dir ../shared/data/gold] [--repeat 3]
Reads the shared gold sets when present and skips with a message when not.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import spacy

from ner_cli.evaluate import score_spans
from ner_cli.pipeline import DEFAULT_MODEL, LINE_BREAKS, NOT_NEEDED_FOR_NER, load_pipeline

SETS = ("sequoia_other", "hipe2020_dev", "newseye_dev", "letemps_dev")


def variants():
    """Name -> loaded pipeline, for each choice we compare."""
    load_pipeline()  # registers the line-break component
    plain = spacy.load(DEFAULT_MODEL, exclude=list(NOT_NEEDED_FOR_NER))
    sentencizer = spacy.load(DEFAULT_MODEL, exclude=list(NOT_NEEDED_FOR_NER))
    sentencizer.add_pipe("sentencizer", before="ner")
    sentencizer.add_pipe(LINE_BREAKS, before="ner")
    senter = spacy.load(DEFAULT_MODEL, exclude=list(NOT_NEEDED_FOR_NER))
    senter.enable_pipe("senter")
    return {
        "full pipeline": spacy.load(DEFAULT_MODEL),
        "ner only": plain,
        "ner + sentencizer": sentencizer,
        "ner + senter": senter,
        "ner-cli default": load_pipeline(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold-dir", type=Path, default=Path("../shared/data/gold"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.gold_dir.is_dir():
        print(f"skipped: no gold data at {args.gold_dir}", file=sys.stderr)
        return 0
    docs = {
        name: [json.loads(line) for line in (args.gold_dir / f"{name}.jsonl").open()]
        for name in SETS
    }
    words = sum(len(d["text"].split()) for ds in docs.values() for d in ds)
    print(f"# {date.today()} on {platform.node()} ({platform.processor() or platform.machine()}),"
          f" spaCy {spacy.__version__}, {words} words")
    print("| pipeline | words/s (median) | " + " | ".join(SETS) + " |")
    print("|---|---:|" + "---:|" * len(SETS))
    for label, nlp in variants().items():
        timings, f1s = [], {}
        for _ in range(args.repeat):
            start = time.perf_counter()
            preds = {
                name: [list(doc.ents) for doc in nlp.pipe((d["text"] for d in ds), batch_size=32)]
                for name, ds in docs.items()
            }
            timings.append(time.perf_counter() - start)
        for name, ds in docs.items():
            pairs = (
                ([(e["start"], e["end"], e["label"]) for e in d["entities"]],
                 [(e.start_char, e.end_char, e.label_) for e in ents])
                for d, ents in zip(ds, preds[name], strict=True)
            )
            f1s[name] = score_spans(pairs)["micro"].f1 * 100
        speed = words / statistics.median(timings)
        print(f"| {label} | {speed:,.0f} | " + " | ".join(f"{f1s[n]:.2f}" for n in SETS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
