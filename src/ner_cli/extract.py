"""From documents to mentions: runs the pipeline and keeps offsets exact."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ner_cli.document import Document, Mention

if TYPE_CHECKING:
    from spacy.language import Language

    from ner_cli.rules import Span

# Separators tried in order when a text must be split, best first: an entity never
# crosses a paragraph or a line, and rarely a sentence end.
SPLIT_AT = ("\n\n", "\n", ". ", " ")


@dataclass(frozen=True)
class Result:
    """A document and the mentions found in it."""

    document: Document
    mentions: tuple[Mention, ...] = ()


def split_text(text: str, limit: int) -> list[tuple[int, int]]:
    """Cut ``text`` into consecutive ``(start, end)`` pieces of at most ``limit`` characters.

    Cuts fall just after the best separator available in each window, so the pieces
    cover the text exactly and no paragraph is cut while a shorter cut exists.
    """
    pieces, start = [], 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = -1
        for separator in SPLIT_AT:
            found = text.rfind(separator, start + 1, window_end)
            if found > start:
                cut = found + len(separator)
                break
        if cut <= start:
            cut = window_end
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


def document_mentions(text: str, spans: list[Span],
                      labels: frozenset[str] | None = None) -> list[Mention]:
    """A whole document's refined spans through the document rules
    (``ner_cli.document_rules``), then the ``labels`` filter, as mentions: a rule may drop,
    relabel or add a mention before the filter sees it."""
    from ner_cli.document_rules import apply_rules

    return to_mentions(text, apply_rules(text, spans) if spans else [], labels)


def refined_spans(text: str, ents: Iterable) -> list[Span]:
    """The model's entities (``start_char``, ``end_char``, ``label_``) through the span
    convention and the post-model fixes; the ones a fix drops are left out."""
    from ner_cli.rules import refine

    spans = (refine(text, ent.start_char, ent.end_char, ent.label_) for ent in ents)
    return [span for span in spans if span is not None]


def to_mentions(text: str, spans: Iterable[Span],
                labels: frozenset[str] | None = None) -> list[Mention]:
    """Refined spans of ``text`` as mentions, keeping only ``labels`` (None: all)."""
    from ner_cli.entities import clean_name

    mentions = []
    for span in spans:
        if labels is not None and span.label not in labels:
            continue
        title_text = text[span.title[0]:span.title[1]] if span.title else None
        surface = text[span.start:span.end]
        mentions.append(Mention(surface, span.label, span.start, span.end,
                                name=clean_name(surface), title=span.title,
                                title_text=title_text))
    return mentions


def _shifted_span(span: Span, offset: int) -> Span:
    if not offset:
        return span
    title = (span.title[0] + offset, span.title[1] + offset) if span.title else None
    return replace(span, start=span.start + offset, end=span.end + offset, title=title)


def _pieces(documents: Iterable[Document], limit: int) -> Iterator[tuple[str, tuple]]:
    for document in documents:
        if document.error is not None:
            yield "", (document, 0, True)
            continue
        spans = split_text(document.text, limit)
        for index, (start, end) in enumerate(spans):
            yield document.text[start:end], (document, start, index == len(spans) - 1)


def extract(
    nlp: Language,
    documents: Iterable[Document],
    labels: Iterable[str] | None = None,
    batch_size: int = 64,
) -> Iterator[Result]:
    """Run ``nlp`` over ``documents`` and yield one Result per document, in input order.

    Documents longer than ``nlp.max_length`` go through in pieces; their mention offsets
    are mapped back onto the whole text, and the document rules then run on the whole
    document. ``labels`` filters last, so a rule may relabel before. Documents with an
    ``error`` yield no mentions.
    """
    wanted = frozenset(labels) if labels else None
    found: list[Span] = []
    stream = nlp.pipe(_pieces(documents, nlp.max_length), as_tuples=True, batch_size=batch_size)
    for doc, (document, offset, last) in stream:
        found.extend(_shifted_span(span, offset) for span in refined_spans(doc.text, doc.ents))
        if last:
            yield Result(document, tuple(document_mentions(document.text, found, wanted)))
            found = []


def to_record(result: Result, include_text: bool = False) -> dict:
    """The output contract: one JSON-ready dict per document (README, "Output contract").

    ``include_text`` adds the document's text, which the offsets refer to.
    """
    document = result.document
    if document.error is not None:
        return document_record(document)
    from ner_cli.entities import entity_order, group_mentions

    mentions, entities = group_mentions(document.text, result.mentions)
    # most mentioned first, then in order of appearance: the order of every entity list
    grouped = [entity.as_dict() for entity in sorted(entities, key=entity_order)]
    found = {"entities": [mention.as_dict() for mention in mentions], "entities_grouped": grouped}
    return document_record(document, found, include_text)


def document_record(document: Document, found: dict | None = None,
                    include_text: bool = False, error: str | None = None) -> dict:
    """The record of ``document`` in the output contract's key order: its error (the
    document's, else ``error``), or ``found`` (its ``entities`` and ``entities_grouped``),
    computed here or by a service (``extract --server``)."""
    record = {"id": document.id, "source": document.source}
    error = document.error if document.error is not None else error
    if error is not None:
        record["error"] = error
        return record
    if "encoding" in document.meta:
        record["encoding"] = document.meta["encoding"]
    record["entities"] = found["entities"]
    record["entities_grouped"] = found["entities_grouped"]
    if include_text:
        record["text"] = document.text
    return record
