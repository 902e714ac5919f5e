"""Processing documents into records, and the ordered, bounded stream of tasks: what every
way of running the pipeline shares (this process, ``-j`` workers, a Dask cluster,
``ner-cli serve``). ``ner_cli.run`` chooses among them.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ner_cli.document import Document
from ner_cli.options import RecordOptions

# Tasks in flight per worker: enough to keep every core busy, few enough that memory stays
# flat whatever the corpus size.
TASKS_IN_FLIGHT = 3


@dataclass(frozen=True)
class Processed:
    """One output record and the number of words its document had."""

    record: dict = field(hash=False)
    words: int


def process(nlp, documents: list[Document], batch_size: int,
            record: RecordOptions) -> Iterator[Processed]:
    """Records for ``documents``, each as soon as the pipeline gives it (so progress moves
    per batch); a document that makes the pipeline fail gets an error record."""
    from ner_cli.extract import extract, to_record

    done = 0
    try:
        for result in extract(nlp, documents, record.labels, batch_size):
            yield Processed(to_record(result, record.include_text), word_count(result.document))
            done += 1
    except Exception as error:  # noqa: BLE001 - isolate the one document that fails
        remaining = documents[done:]
        if len(remaining) == 1:
            failed = Document(remaining[0].id, remaining[0].source,
                              error=f"internal error: {type(error).__name__}: {error}")
            yield from process(nlp, [failed], batch_size, record)
            return
        for document in remaining:
            yield from process(nlp, [document], batch_size, record)


def word_count(document: Document) -> int:
    return len(document.text.split()) if document.error is None else 0


def single_threaded_math() -> None:
    """One thread per worker process for the numeric libraries: the processes share the
    cores already."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


def batched(items: Iterable, size: int) -> Iterator[list]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def batched_by_weight(items: Iterable, limit: int, weight: Callable[..., int]) -> Iterator[list]:
    """Consecutive ``items`` in lists whose ``weight`` adds up to at most ``limit``, in order;
    an item heavier than that is a list of its own."""
    batch: list = []
    total = 0
    for item in items:
        heavy = weight(item)
        if batch and total + heavy > limit:
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += heavy
    if batch:
        yield batch


def in_order(tasks: Iterable, submit: Callable, result: Callable[..., list],
             capacity: Callable[[], int], pending: deque) -> Iterator:
    """The results of ``tasks`` in their order, ``submit(task)`` giving a handle and
    ``result(handle)`` its list of items, with at most ``capacity()`` tasks in flight (asked
    again as tasks are done: a cluster can grow), so memory stays flat. ``pending`` holds the
    handles in flight, for a caller that cancels them when it stops early."""
    for task in tasks:
        pending.append(submit(task))
        while len(pending) >= capacity():
            yield from result(pending.popleft())
    while pending:
        yield from result(pending.popleft())


def resolve_jobs(jobs: int) -> int:
    """``-j 0`` means every core this process may use."""
    if jobs > 0:
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
