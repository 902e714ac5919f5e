"""Scoring predicted entity spans against gold JSONL (strict and overlap P/R/F1).

Gold format (one document per line): ``{"id", "text", "entities": [{"start", "end",
"label"}]}`` with Python character offsets, end exclusive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ner_cli.errors import BadGold, PathNotFound, os_reason
from ner_cli.options import PipelineOptions, RecordOptions

CORE_LABELS = ("PER", "LOC", "ORG")
ALL_LABELS = ("PER", "LOC", "ORG", "MISC")

# (start, end, label): a gold or predicted entity, as scored.
LabelledSpan = tuple[int, int, str]


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


def _overlap_matches(gold: list[LabelledSpan], pred: list[LabelledSpan]) -> tuple[Counter, Counter]:
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
    pairs: Iterable[tuple[Iterable[LabelledSpan], Iterable[LabelledSpan]]],
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
    """One gold document: its text and its (start, end, label) spans.

    ``id_given``: the gold file gave the id (else it is the line number).
    """

    id: str
    text: str
    spans: tuple[LabelledSpan, ...]
    id_given: bool = True


def read_gold(path: str | Path) -> list[GoldDocument]:
    """Read gold JSONL; a missing file raises PathNotFound, a malformed line BadGold."""
    from ner_cli.jsonl import read_jsonl

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PathNotFound(str(path), os_reason(error), role="gold") from error
    except UnicodeDecodeError as error:
        raise BadGold(f"{path}: not UTF-8: {error}") from error
    documents = []
    for line in read_jsonl(text):
        where = f"{path}:{line.number}"
        if line.error is not None:
            raise BadGold(f"{where}: not a gold record ({line.error})")
        try:
            record = line.value
            spans = tuple((int(e["start"]), int(e["end"]), str(e["label"]))
                          for e in record.get("entities", ()))
            text_ = record["text"]
            if not isinstance(text_, str):
                raise TypeError("'text' is not a string")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BadGold(f"{where}: not a gold record ({error})") from error
        if any(not 0 <= a < b <= len(text_) for a, b, _ in spans):
            raise BadGold(f"{where}: an entity lies outside the text")
        documents.append(GoldDocument(str(record.get("id", line.number)), text_, spans,
                                      id_given="id" in record))
    return documents


def predicted_spans(
    documents: Sequence[GoldDocument],
    options: PipelineOptions = PipelineOptions(),
    *,
    raw: bool = False,
    titles: bool = False,
) -> Iterator[list[LabelledSpan]]:
    """ner-cli's spans for each gold document, in order (the records ``extract`` writes).

    ``raw``: the pipeline's own ``doc.ents``, with no convention, fix, grouping or
    patterns (one process). ``titles``: a PER mention's title is put back inside its span (HIPE's
    convention).
    """
    if raw:
        from ner_cli.pipeline import load_pipeline

        nlp = load_pipeline(replace(options, patterns=None))
        for doc in nlp.pipe((d.text for d in documents), batch_size=options.batch_size):
            yield [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        return
    from ner_cli.document import Document
    from ner_cli.run import run_records

    inputs = (Document(d.id, d.id, d.text) for d in documents)
    for processed in run_records(inputs, options, RecordOptions()):
        spans = []
        for mention in processed.record.get("entities", ()):
            start = mention["start"]
            if titles and mention["label"] == "PER" and mention["title"]:
                start = mention["title"]["start"]
            spans.append((start, mention["end"], mention["label"]))
        yield spans


def evaluate_file(
    gold: str | Path,
    options: PipelineOptions = PipelineOptions(),
    *,
    raw: bool = False,
    titles: bool = False,
) -> dict:
    """Read ``gold``, run the pipeline over its texts and score; a JSON-ready report.

    ``seen_in_training``: how many gold documents the ner weights were trained on (by id or
    text, ``ner_cli.training_set``), ``{"documents": N, "of": M}``; None when the weights
    record no training set (the model's own ner).
    """
    documents = read_gold(gold)
    report = evaluate(documents, predicted_spans(documents, options, raw=raw, titles=titles))
    return {"gold": str(gold), "model": options.model, "weights": options.describe_weights(),
            "patterns": None if options.patterns is None else str(options.patterns),
            "raw": raw, "titles": "include" if titles else "exclude",
            "seen_in_training": seen_in_training(documents, options), **report}


def seen_in_training(documents: Sequence[GoldDocument],
                     options: PipelineOptions = PipelineOptions()) -> dict | None:
    """``{"documents": N, "of": M}``: N of the M ``documents`` were in the training set of
    the ner weights ``options`` run; None when the weights record no training set."""
    from ner_cli.training_set import weights_training_set

    training_set = weights_training_set(options)
    if training_set is None:
        return None
    return {"documents": training_set.seen(documents), "of": len(documents)}


def evaluate(
    documents: Sequence[GoldDocument], predictions: Iterable[list[LabelledSpan]]
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
