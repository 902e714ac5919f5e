"""Scoring predicted entity spans against gold JSONL (strict and overlap P/R/F1).

Gold format (one document per line): ``{"id", "text", "entities": [{"start", "end",
"label"}]}`` with Python character offsets, end exclusive.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ner_cli.errors import InputError

if TYPE_CHECKING:
    from spacy.language import Language

CORE_LABELS = ("PER", "LOC", "ORG")
ALL_LABELS = ("PER", "LOC", "ORG", "MISC")

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


@dataclass(frozen=True)
class GoldDocument:
    """One gold document: its text and its (start, end, label) spans."""

    id: str
    text: str
    spans: tuple[Span, ...]


def read_gold(path: str | Path) -> list[GoldDocument]:
    """Read gold JSONL; a missing file or a malformed line raises InputError."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8: {error}") from error
    documents = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            spans = tuple((int(e["start"]), int(e["end"]), str(e["label"]))
                          for e in record.get("entities", ()))
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(f"{path}:{number}: not a gold record ({error})") from error
        if any(not 0 <= a < b <= len(text) for a, b, _ in spans):
            raise InputError(f"{path}:{number}: an entity lies outside the text")
        documents.append(GoldDocument(str(record.get("id", number)), text, spans))
    return documents


def predicted_spans(
    nlp: Language,
    documents: Sequence[GoldDocument],
    *,
    raw: bool = False,
    titles: bool = False,
    batch_size: int = 64,
) -> Iterator[list[Span]]:
    """ner-cli's spans for each gold document, in order (the records ``extract`` writes).

    ``raw``: the pipeline's own ``doc.ents``, with no convention, fix or grouping.
    ``titles``: a PER mention's title is put back inside its span (HIPE's convention).
    """
    if raw:
        for doc in nlp.pipe((d.text for d in documents), batch_size=batch_size):
            yield [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        return
    from ner_cli.document import Document
    from ner_cli.extract import extract, to_record

    inputs = (Document(d.id, d.id, d.text) for d in documents)
    for result in extract(nlp, inputs, batch_size=batch_size):
        spans = []
        for mention in to_record(result)["entities"]:
            start = mention["start"]
            if titles and mention["label"] == "PER" and mention["title"]:
                start = mention["title"]["start"]
            spans.append((start, mention["end"], mention["label"]))
        yield spans


def evaluate(
    documents: Sequence[GoldDocument], predictions: Iterable[list[Span]]
) -> dict:
    """Strict and overlap P/R/F1 per label and micro, for PER/LOC/ORG and, when the gold
    has MISC, for all four labels. Returns a JSON-ready report."""
    pairs = [(d.spans, p) for d, p in zip(documents, predictions, strict=True)]
    has_misc = any(label == "MISC" for d in documents for _, _, label in d.spans)
    label_sets = {"PER/LOC/ORG": CORE_LABELS}
    if has_misc:
        label_sets["PER/LOC/ORG/MISC"] = ALL_LABELS
    report: dict = {"documents": len(documents),
                    "gold_entities": sum(len(d.spans) for d in documents), "scores": {}}
    for name, labels in label_sets.items():
        report["scores"][name] = {
            mode: {label: score.as_dict()
                   for label, score in score_spans(pairs, labels, overlap=mode == "overlap")
                   .items()}
            for mode in ("strict", "overlap")
        }
    return report
