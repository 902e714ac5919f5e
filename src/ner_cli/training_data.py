"""Training data for `ner-cli train`: gold converted to the span convention, and examples.

- gold is converted to the project's span convention first (``convention.split_span``):
  titles and leading lowercase articles go outside the span. A span that cannot be
  converted cleanly (no token alignment, nothing left but a title) is marked *missing*
  rather than taught as wrong;
- gold MISC means something else than the model's MISC (Sequoia's drug names, HIPE's
  "prod"), so it is missing too, and the model keeps its own MISC through rehearsal;
- rehearsal: chunks of unlabelled text labelled by the base model itself;
- ~80-token chunks that never cut an entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ner_cli.convention import split_span
from ner_cli.errors import InputError, PathNotFound, os_reason
from ner_cli.evaluate import GoldDocument, LabelledSpan

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.training import Example

# Labels the gold teaches; anything else in gold (MISC) is marked missing.
TRAINED_LABELS = ("PER", "LOC", "ORG")
SENTENCE_END = frozenset({".", "!", "?", "…", ".»", "!»", "?»"})


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


def read_texts(path: Path, limit: int | None = None) -> list[str]:
    """Texts for rehearsal or agreement: JSONL with a "text" field, or one plain-text file."""
    from ner_cli.jsonl import stream_jsonl

    try:
        if path.suffix.lower() not in (".jsonl", ".ndjson"):
            return [path.read_text(encoding="utf-8-sig")]
        texts = []
        with path.open("rb") as handle:
            for line in stream_jsonl(handle):
                if limit is not None and len(texts) >= limit:
                    break
                if line.error is not None:
                    raise ValueError(f"line {line.number}: {line.error}")
                texts.append(line.value["text"])
        return texts
    except FileNotFoundError as exc:
        raise PathNotFound(str(path), os_reason(exc)) from exc
    except OSError as exc:
        raise InputError(f"{path}: {os_reason(exc)}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not JSONL with a 'text' field ({exc})") from exc


def convention_spans(doc: GoldDocument) -> list[LabelledSpan]:
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


def predict_spans(nlp: Language, texts: Iterable[str]) -> list[list[LabelledSpan]]:
    """Each text's entities as (start, end, label)."""
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in nlp.pipe(texts, batch_size=32)]


