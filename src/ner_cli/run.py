"""Running the pipeline over a stream of documents, in one process or several.

Workers load the pipeline once and send back plain records (dicts), not spaCy Docs:
that is what lets `-j 2` scale close to 2x (README, "Speed").
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ner_cli.document import Document
from ner_cli.pipeline import DEFAULT_MODEL

# Documents per task sent to a worker, and tasks in flight per worker: enough to keep
# every core busy, few enough that memory stays flat whatever the corpus size.
TASK_SIZE = 16
TASKS_IN_FLIGHT = 3
# Documents per call of process() in one process: a failing document is isolated within one.
# No spaCy memory zone: processing inside nlp.memory_zone() measured ~8% slower here, and
# memory stays flat without it (README, "Speed"): records are plain dicts, Docs are dropped,
# only the StringStore grows, with the vocabulary.
CHUNK_SIZE = 256


@dataclass(frozen=True)
class RunOptions:
    """How to build the pipeline and the records; hashable and picklable for workers."""

    model: str = DEFAULT_MODEL
    pipeline: tuple[tuple[str, object], ...] = ()  # extra keywords for load_pipeline
    labels: tuple[str, ...] | None = None
    batch_size: int = 64
    record: tuple[tuple[str, object], ...] = ()  # extra keywords for to_record


@dataclass(frozen=True)
class Processed:
    """One output record and the number of words its document had."""

    record: dict = field(hash=False)
    words: int


def load(options: RunOptions):
    """The pipeline ``options`` ask for (cached per process)."""
    from ner_cli.pipeline import load_pipeline

    return load_pipeline(options.model, **dict(options.pipeline))


def process(nlp, documents: list[Document], options: RunOptions) -> list[Processed]:
    """Records for ``documents``; a document that makes the pipeline fail gets an error record."""
    from ner_cli.extract import extract, to_record

    record_options = dict(options.record)
    try:
        results = list(extract(nlp, documents, options.labels, options.batch_size))
    except Exception:  # noqa: BLE001 - isolate the one document that fails
        if len(documents) == 1:
            raise
        return [p for doc in documents for p in _process_alone(nlp, doc, options)]
    return [Processed(to_record(r, **record_options), _words(r.document)) for r in results]


def _process_alone(nlp, document: Document, options: RunOptions) -> list[Processed]:
    try:
        return process(nlp, [document], options)
    except Exception as error:  # noqa: BLE001 - becomes this document's error record
        failed = Document(document.id, document.source,
                          error=f"internal error: {type(error).__name__}: {error}")
        return process(nlp, [failed], options)


def _words(document: Document) -> int:
    return len(document.text.split()) if document.error is None else 0


def run_records(
    documents: Iterable[Document], options: RunOptions, jobs: int = 1
) -> Iterator[Processed]:
    """Process ``documents`` in order, with ``jobs`` worker processes (1: this process)."""
    if jobs <= 1:
        nlp = load(options)
        for chunk in _batched(documents, CHUNK_SIZE):
            yield from process(nlp, chunk, options)
        return
    yield from _run_parallel(documents, options, jobs)


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


_WORKER: dict = {}


def _init_worker(options: RunOptions) -> None:
    # The parent handles Ctrl-C and stops the workers; they must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    _WORKER["options"] = options
    try:
        _WORKER["nlp"] = load(options)
    except Exception as error:  # noqa: BLE001 - raised again by the first task, in the parent
        # An initializer that raises makes Pool start a new worker, forever.
        _WORKER["error"] = error


def _work(documents: list[Document]) -> list[Processed]:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return process(_WORKER["nlp"], documents, _WORKER["options"])


def _run_parallel(
    documents: Iterable[Document], options: RunOptions, jobs: int
) -> Iterator[Processed]:
    # spawn, not fork: the parent may run threads (progress bar) that fork would copy.
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(jobs, initializer=_init_worker, initargs=(options,))
    pending: deque = deque()
    try:
        for chunk in _batched(documents, TASK_SIZE):
            pending.append(pool.apply_async(_work, (chunk,)))
            while len(pending) >= jobs * TASKS_IN_FLIGHT:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def resolve_jobs(jobs: int) -> int:
    """``-j 0`` means every core this process may use."""
    if jobs > 0:
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
