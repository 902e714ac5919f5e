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

from ner_cli.document import Document
from ner_cli.options import PipelineOptions, RecordOptions
from ner_cli.pipeline import load_pipeline
from ner_cli.processing import (
    TASKS_IN_FLIGHT,
    Processed,
    batched,
    in_order,
    process,
    resolve_jobs,
    single_threaded_math,
)

# Documents per task sent to a worker (TASKS_IN_FLIGHT of them per worker): enough to keep
# every core busy, few enough that memory stays flat whatever the corpus size.
TASK_SIZE = 16
# Documents per call of process() in one process: a failing document is isolated within one;
# records come out as each spaCy batch is done, not per chunk.
# No spaCy memory zone: processing inside nlp.memory_zone() measured ~8% slower here, and
# memory stays flat without it (README, "Speed"): records are plain dicts, Docs are dropped,
# only the StringStore grows, with the vocabulary.
CHUNK_SIZE = 256


def run_records(
    documents: Iterable[Document], options: PipelineOptions, record: RecordOptions
) -> Iterator[Processed]:
    """Process ``documents`` in order, with ``options.jobs`` worker processes (1: this one),
    or on the Dask cluster ``options.cluster`` (``ner_cli.cluster``).

    The model loads when the first document comes: a run with nothing to do (a corpus
    database with every document unchanged) does not load it.
    """
    documents = iter(documents)
    first = next(documents, None)
    if first is None:
        return
    documents = itertools.chain([first], documents)
    if options.cluster is not None:
        from ner_cli.cluster import run_on_cluster

        yield from run_on_cluster(documents, options, record)
        return
    jobs = resolve_jobs(options.jobs)
    if jobs <= 1:
        nlp = load_pipeline(options)
        for chunk in batched(documents, CHUNK_SIZE):
            yield from process(nlp, chunk, options.batch_size, record)
        return
    yield from _run_parallel(documents, options, record, jobs)


_WORKER: dict = {}


def _init_worker(options: PipelineOptions, record: RecordOptions, ready=None) -> None:
    # ``ready``: a queue told when the pipeline is loaded (or failed to), for the service
    # The parent handles Ctrl-C and stops the workers; they must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    single_threaded_math()
    _WORKER["batch_size"], _WORKER["record"] = options.batch_size, record
    try:
        _WORKER["nlp"] = load_pipeline(options)
    except Exception as error:  # noqa: BLE001 - raised again by the first task, in the parent
        # An initializer that raises makes Pool start a new worker, forever.
        _WORKER["error"] = error
    if ready is not None:
        ready.put(os.getpid())


def _work(documents: list[Document], record: RecordOptions | None = None) -> list[Processed]:
    # ``record``: this task's record options, not the pool's (the service's ?labels=)
    if "error" in _WORKER:
        raise _WORKER["error"]
    return list(process(_WORKER["nlp"], documents, _WORKER["batch_size"],
                        _WORKER["record"] if record is None else record))


def _run_parallel(
    documents: Iterable[Document], options: PipelineOptions, record: RecordOptions, jobs: int
) -> Iterator[Processed]:
    # spawn, not fork: the parent may run threads (progress bar) that fork would copy.
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(jobs, initializer=_init_worker, initargs=(options, record))
    try:
        yield from in_order(batched(documents, TASK_SIZE),
                            lambda chunk: pool.apply_async(_work, (chunk,)),
                            lambda task: task.get(), lambda: jobs * TASKS_IN_FLIGHT, deque())
        pool.close()
    finally:
        pool.terminate()
        pool.join()
