"""Scoring predicted entity spans against gold JSONL (strict and overlap P/R/F1)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

CORE_LABELS = ("PER", "LOC", "ORG")

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Score:
    """Counts and P/R/F1 for one label (or the micro average)."""

    tp: int
    fp: int
    fn: int
    # overlap scoring: gold spans found can differ from predictions that hit
    tp_gold: int | None = None

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        found = self.tp if self.tp_gold is None else self.tp_gold
        return found / (found + self.fn) if found + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"p": self.precision, "r": self.recall, "f": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _overlap_matches(gold: list[Span], pred: list[Span]) -> tuple[Counter, Counter]:
    """Per label: gold spans overlapped by a same-label prediction, and predictions that hit."""
    found, hit = Counter(), Counter()
    for start, end, label in gold:
        if any(p[2] == label and p[0] < end and start < p[1] for p in pred):
            found[label] += 1
    for start, end, label in pred:
        if any(g[2] == label and g[0] < end and start < g[1] for g in gold):
            hit[label] += 1
    return found, hit


def score_spans(
    pairs: Iterable[tuple[Iterable[Span], Iterable[Span]]],
    labels: Iterable[str] = CORE_LABELS,
    overlap: bool = False,
) -> dict[str, Score]:
    """Score (gold, predicted) span lists per document; keys are the labels and "micro".

    Strict: a prediction counts when start, end and label all match a gold span.
    Overlap: a gold span is found when a same-label prediction overlaps it, and a
    prediction is right when it overlaps a same-label gold span.
    """
    labels = tuple(labels)
    tp, fp, fn, tp_gold = Counter(), Counter(), Counter(), Counter()
    for gold_spans, pred_spans in pairs:
        gold = [s for s in set(gold_spans) if s[2] in labels]
        pred = [s for s in set(pred_spans) if s[2] in labels]
        if overlap:
            found, hit = _overlap_matches(gold, pred)
            for label in labels:
                n_gold = sum(1 for s in gold if s[2] == label)
                n_pred = sum(1 for s in pred if s[2] == label)
                # precision from predictions that hit, recall from gold spans found
                tp[label] += hit[label]
                tp_gold[label] += found[label]
                fp[label] += n_pred - hit[label]
                fn[label] += n_gold - found[label]
        else:
            common = set(gold) & set(pred)
            for s in common:
                tp[s[2]] += 1
                tp_gold[s[2]] += 1
            for s in set(pred) - common:
                fp[s[2]] += 1
            for s in set(gold) - common:
                fn[s[2]] += 1
    scores = {
        label: Score(tp[label], fp[label], fn[label], tp_gold[label]) for label in labels
    }
    scores["micro"] = Score(
        sum(tp.values()), sum(fp.values()), sum(fn.values()), sum(tp_gold.values())
    )
    return scores
