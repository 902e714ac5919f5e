"""What runs on a Dask worker for ``--cluster``: the pipeline plugin and the task.

Imported only when a run uses ``--cluster`` (it imports Dask), and importable on every
worker (ner-cli is installed there): Dask pickles the plugin and the task function by
reference, so the pipeline a worker loads stays loaded from one task to the next.
"""

from __future__ import annotations

import hashlib
import signal
import threading
from dataclasses import replace
from pathlib import Path

from distributed import WorkerPlugin, get_worker

from ner_cli.document import Document
from ner_cli.options import PipelineOptions, RecordOptions
from ner_cli.processing import Processed, process, single_threaded_math
from ner_cli.resources import models_dir


def plugin_name(options: PipelineOptions) -> str:
    """The worker plugin's name for the pipeline ``options`` build: runs with other pipelines
    can share a cluster, each with its own plugin."""
    key = repr((options.model, str(options.weights), str(options.patterns)))
    return f"ner-cli-pipeline-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def shipped_file(path: Path | None) -> str | None:
    """``path`` as a file ner-cli ships (``--patterns news``: models/patterns/news.jsonl in
    this install), relative to models/, or None for any other file."""
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(models_dir().resolve()).as_posix()
    except ValueError:
        return None


def on_this_machine(options: PipelineOptions, shipped: str | None) -> PipelineOptions:
    """``options`` with a shipped patterns file (``shipped``, as ``shipped_file`` named it on
    the client) found in this worker's own install, wherever ner-cli is installed here."""
    return options if shipped is None else replace(options, patterns=models_dir() / shipped)


class PipelinePlugin(WorkerPlugin):
    """Each worker process loads the pipeline once, in a thread of its own as soon as it
    gets the plugin (the worker keeps answering the scheduler meanwhile); every task then
    uses it."""

    def __init__(self, options: PipelineOptions) -> None:
        self.options = options
        self.shipped = shipped_file(options.patterns)  # the client's install, not the worker's

    def setup(self, worker) -> None:
        single_threaded_math()
        self._loaded = threading.Event()
        self._nlp = self._error = None
        threading.Thread(target=self._load, name=plugin_name(self.options),
                         daemon=True).start()

    def _load(self) -> None:
        from ner_cli.pipeline import load_pipeline

        try:
            self._nlp = load_pipeline(on_this_machine(self.options, self.shipped))
        except Exception as error:  # noqa: BLE001 - raised again by each task, to the client
            self._error = error
        finally:
            self._loaded.set()

    def pipeline(self):
        """The loaded pipeline (once it is), or the error loading it gave."""
        self._loaded.wait()
        if self._error is not None:
            raise self._error
        return self._nlp


def work(documents: list[Document], options: PipelineOptions,
         record: RecordOptions) -> list[Processed]:
    """One task: the records of ``documents`` (read here first when the client sent
    paths: ``--cluster-reads``)."""
    from ner_cli.readers import read_deferred

    plugin = get_worker().plugins.get(plugin_name(options))
    if plugin is not None:
        nlp = plugin.pipeline()
    else:  # not expected: the scheduler gives the plugin to every worker that joins
        from ner_cli.pipeline import load_pipeline

        nlp = load_pipeline(options)
    return list(process(nlp, list(read_deferred(documents)), options.batch_size, record))


def dask_setup(worker) -> None:
    """Dask preload of the workers of ``--cluster local``: Ctrl-C reaches the whole process
    group, and ner-cli's own process handles it (it cancels the run, closes the cluster)."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to undo
        pass
