"""The Python API: what the commands run, for use from Python (README, "Python API").

    from ner_cli import Extractor, PipelineOptions

    extractor = Extractor(PipelineOptions(jobs=2), labels=["PER", "ORG"])
    record = extractor.extract("Vladimir Poutine a reçu Kim Jong Un à Vostotchny.")
    for record in extractor.extract_many(texts):
        ...

Records follow the output contract (README, "Output contract"). Nothing here prints or
exits: problems are raised as ``ner_cli.errors`` exceptions, and a document that cannot be
read or processed becomes a record with an ``error``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ner_cli.document import Document
from ner_cli.options import PipelineOptions, RecordOptions
from ner_cli.processing import Processed
from ner_cli.readers import InputFormat, InputOptions, Source, discover, format_of

if TYPE_CHECKING:
    from spacy.language import Language

    from ner_cli.corpus import CorpusCounter, Window

# The source of texts given as strings (not read from a file).
TEXT_SOURCE = "<text>"
# Enough of a JSONL file to see its first records (an extract record starts with its keys).
HEAD_BYTES = 65536


class Extractor:
    """ner-cli's extraction: a pipeline (loaded on first use, once per process) and the
    record options.

    ``labels`` keeps only those labels in the records (one the pipeline does not predict
    raises UnknownLabels); ``include_text`` adds each document's text (which the offsets
    refer to).
    """

    def __init__(self, options: PipelineOptions = PipelineOptions(), *,
                 labels: Iterable[str] | None = None, include_text: bool = False) -> None:
        from ner_cli.pipeline import check_labels, read_patterns

        self.options = options
        self.record_options = RecordOptions(tuple(labels) if labels else None, include_text)
        # a bad patterns file or label fails now, before the model loads, not in a worker
        if options.patterns is not None:
            read_patterns(options.patterns)
        check_labels(self.record_options.labels, options)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline (loaded once per process, then cached)."""
        from ner_cli.pipeline import load_pipeline

        return load_pipeline(self.options)

    def pipeline_version(self) -> dict[str, str | None]:
        """What makes the records what they are (``ner_cli.pipeline.pipeline_version``)."""
        from ner_cli.pipeline import pipeline_version

        return pipeline_version(self.options)

    def extract(self, text: str, id: str | None = None) -> dict:
        """The record of one text, in this process."""
        from ner_cli.processing import process

        document = Document("1" if id is None else id, TEXT_SOURCE, text)
        [processed] = process(self.nlp, [document], self.options.batch_size,
                              self.record_options)  # a generator: unpacking runs it
        return processed.record

    def extract_many(self, texts: Iterable[str | tuple[str, str]],
                     jobs: int | None = None) -> Iterator[dict]:
        """Records of many texts, streamed in input order, with ``jobs`` processes (default:
        the options'). An item is a text (its id is its position, "1", "2"…) or an
        ``(id, text)`` pair."""
        documents = (_document(item, number) for number, item in enumerate(texts, start=1))
        for processed in self.process(documents, jobs):
            yield processed.record

    def extract_paths(self, paths: Iterable[str], inputs: InputOptions = InputOptions(),
                      jobs: int | None = None,
                      on_skip: Callable[[str], None] | None = None) -> Iterator[dict]:
        """Records of every document behind ``paths`` (files, folders, ``-``), in order;
        ``on_skip(path)`` hears of files a folder walk leaves out."""
        from ner_cli.readers import read_documents

        for processed in self.process(
            read_documents(paths, inputs, on_skip, self.options.cluster_reads), jobs):
            yield processed.record

    def process(self, documents: Iterable[Document],
                jobs: int | None = None) -> Iterator[Processed]:
        """Records of Documents with their word counts (what the commands count)."""
        from ner_cli.run import run_records

        options = self.options if jobs is None else replace(self.options, jobs=jobs)
        return run_records(documents, options, self.record_options)


def _document(item: str | tuple[str, str], number: int) -> Document:
    if isinstance(item, str):
        return Document(str(number), TEXT_SOURCE, item)
    doc_id, text = item
    return Document(str(doc_id), TEXT_SOURCE, text)


# --- the corpus view: stats and graph -----------------------------------------------------


def corpus_records(paths: Iterable[str], inputs: InputOptions, extractor: Extractor,
                   on_skip: Callable[[str], None] | None = None,
                   counting: bool = False) -> Iterator[Processed]:
    """Every record of a corpus: JSONL that ``extract`` wrote, or a corpus database, is
    taken as it is, everything else goes through ``extractor`` (same readers, jobs and
    records as ``extract``).

    Files of extract records come first, then the documents still to analyse, each in the
    order given. ``counting``: records from a database carry only what entity counts need
    (``writers.sqlite.read_records``).
    """
    from ner_cli.readers import read_source

    analysed, to_analyse = split_analysed(paths, inputs, on_skip)
    for source in analysed:
        yield from _analysed_records(source, counting)
    if to_analyse:
        yield from extractor.process(
            d for source in to_analyse
            for d in read_source(source, inputs, extractor.options.cluster_reads))


def count_corpus(paths: Iterable[str], inputs: InputOptions = InputOptions(),
                 extractor: Extractor | None = None, labels: Iterable[str] | None = None,
                 window: Window | None = None,
                 watch: Callable[[Iterator[Processed]], Iterable[dict]] | None = None,
                 on_skip: Callable[[str], None] | None = None) -> CorpusCounter:
    """Entity (and, with ``window``, co-occurrence) counts over a corpus.

    ``labels`` filters the entities counted, not the pipeline: grouping sees every mention,
    as it did when ``extract`` wrote a JSONL. ``watch`` turns the processed stream into the
    records to count (the command line shows progress and error lines there); ``on_skip``
    hears of files a folder walk leaves out.
    """
    from ner_cli.corpus import CorpusCounter, Window

    if extractor is None:
        extractor = Extractor(include_text=window is Window.sentence)
    from ner_cli.pipeline import check_labels

    check_labels(tuple(labels) if labels else None, extractor.options)
    counter = CorpusCounter(labels, window)
    # sentence windows need each mention's offset; entity counts need the entities only
    stream = corpus_records(paths, inputs, extractor, on_skip,
                            counting=window is not Window.sentence)
    for record in (watch(stream) if watch else (p.record for p in stream)):
        counter.add(record)
    return counter


def split_analysed(paths: Iterable[str], inputs: InputOptions,
                   on_skip: Callable[[str], None] | None = None,
                   ) -> tuple[list[Source], list[Source]]:
    """(sources holding extract JSONL or a corpus database, sources still to analyse),
    folders expanded."""
    from ner_cli.writers.sqlite import is_database

    analysed, to_analyse = [], []
    for source in discover(paths, inputs.glob, on_skip):
        if source.error is None and is_database(source.path):
            analysed.append(source)
        elif source.error is None and (
            format_of(source, inputs) is InputFormat.jsonl or source.path == "-"
        ) and _is_analysed(source.path, inputs.text_key):
            analysed.append(source)
        else:
            to_analyse.append(source)
    return analysed, to_analyse


def _is_analysed(path: str, text_key: str) -> bool:
    from ner_cli.corpus import looks_analysed

    try:
        if path == "-":
            return looks_analysed(_peek_stdin(), text_key)
        with open(path, "rb") as handle:
            return looks_analysed(handle.read(HEAD_BYTES), text_key)
    except OSError:
        return False  # the reader reports it as the document's error


def _peek_stdin() -> bytes:
    """The start of stdin, left unread for whoever reads it next (empty if it cannot be)."""
    stream = sys.stdin.buffer
    if stream.seekable():
        position = stream.tell()
        head = stream.read(HEAD_BYTES)
        stream.seek(position)
        return head
    peek = getattr(stream, "peek", None)
    return peek(HEAD_BYTES)[:HEAD_BYTES] if peek else b""


def stored_records(path: str, ids: Iterable[str] | None = None,
                   counting: bool = False) -> Iterator[Processed]:
    """The records of a corpus database (``extract -o news.db``), as ``extract`` gave them,
    in the order they were first stored; ``ids`` keeps those documents only, and an id that
    is not there gives an error record. ``counting``: see ``writers.sqlite.read_records``."""
    from ner_cli.writers.sqlite import read_records

    wanted = None if ids is None else list(dict.fromkeys(ids))
    found = set()
    for record, words in read_records(path, ids=wanted, counting=counting and ids is None):
        found.add(record["id"])
        yield Processed(record, words)
    for missing in (wanted or ()):
        if missing not in found:
            yield Processed({"id": missing, "source": str(path),
                             "error": "no document with this id in the database"}, 0)


def _analysed_records(source: Source, counting: bool = False) -> Iterator[Processed]:
    from ner_cli.corpus import read_records
    from ner_cli.writers.sqlite import is_database

    if is_database(source.path):
        yield from stored_records(source.path, counting=counting)
        return

    handle = sys.stdin.buffer if source.path == "-" else open(source.path, "rb")  # noqa: SIM115
    try:
        for record in read_records(handle, source.id):
            text = record.get("text")
            yield Processed(record, len(text.split()) if isinstance(text, str) else 0)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
