"""Running the pipeline on a Dask cluster (``--cluster``): the records of ``-j``, in order.

The client reads the inputs (or, with ``cluster_reads``, only lists them) and sends batches
of documents sized by characters, a few per worker thread in flight; each worker process
loads the pipeline once (``PipelinePlugin``) and sends back the plain records of
``processing.process``. Only texts (or paths) and the pipeline options go to the cluster.

Dask is imported inside functions only: a run without ``--cluster`` never loads it. Faults:
a worker that dies has its tasks run again elsewhere by the scheduler (up to Dask's
``distributed.scheduler.allowed-failures``); the client keeps one result per task, so every
document gives exactly one record. A scheduler that cannot be reached, or is lost, raises
ClusterError.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ner_cli.document import Document
from ner_cli.errors import NerCliError, UsageError
from ner_cli.options import PipelineOptions, RecordOptions
from ner_cli.processing import (
    TASKS_IN_FLIGHT,
    Processed,
    batched_by_weight,
    in_order,
    resolve_jobs,
)
from ner_cli.readers import UNREAD

INSTALL = "pip install 'ner-cli[cluster]'"
LOCAL = "local"
SCHEMES = ("tcp", "tls", "ucx", "ws", "wss")
# Seconds to reach the scheduler before giving up (Dask's own default is 30 s).
CONNECT_TIMEOUT = 5
# Seconds to wait for a scheduler with no worker to get one.
WORKERS_TIMEOUT = 60
# Seconds between two asks of the scheduler how many worker threads it has.
CAPACITY_REFRESH = 5
# Dask settings of the workers `--cluster local` starts (README, "Scale-out", says how to
# give remote workers the same): glibc trimming memory at 64 KiB (Dask's default for the
# processes its nannies spawn) costs spaCy ~9% more CPU in system calls, measured; no
# statistical profiler sampling the worker's stack every 10 ms.
LOCAL_WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                       "distributed.worker.profile.enabled": False}
# What a document costs a batch beyond its text, in characters: a corpus of empty or tiny
# documents still makes batches of a reasonable count.
DOCUMENT_CHARACTERS = 100


class ClusterUnavailable(UsageError):
    """--cluster was asked for and Dask's distributed is not installed."""

    def __init__(self) -> None:
        super().__init__(f"--cluster needs Dask's distributed: {INSTALL}")


class ClusterError(NerCliError):
    """The Dask scheduler could not be reached, or went away during the run."""


@dataclass(frozen=True)
class ClusterAddress:
    """Where to run: a scheduler's ``address``, or a local cluster of ``workers``
    processes (None: one per core)."""

    address: str | None = None
    workers: int | None = None

    @property
    def is_local(self) -> bool:
        return self.address is None


_LOCAL = re.compile(rf"{LOCAL}(?::(\d+))?")
_ADDRESS = re.compile(rf"(?:({'|'.join(SCHEMES)})://)?(\[[0-9a-fA-F:]+\]|[\w.-]+)(?::(\d+))?")


def parse_address(text: str) -> ClusterAddress:
    """``local``, ``local:N``, or a scheduler address (``tcp://host:8786``, ``tls://…``;
    a bare ``host[:port]`` is tcp, port 8786 by default); anything else raises UsageError."""
    text = text.strip()
    if match := _LOCAL.fullmatch(text):
        workers = int(match[1]) if match[1] is not None else None
        if workers == 0:
            raise UsageError("--cluster local:N: N is a number of worker processes, 1 or more")
        return ClusterAddress(workers=workers)
    match = _ADDRESS.fullmatch(text)
    if match is None or "://" in text and match[1] is None:
        raise UsageError(f"--cluster: {text!r} is not local[:N] nor a scheduler address "
                         f"such as tcp://host:8786 (schemes: {', '.join(SCHEMES)})")
    scheme, host, port = match[1] or "tcp", match[2], match[3] or "8786"
    return ClusterAddress(address=f"{scheme}://{host}:{port}")


def require_distributed() -> None:
    """Raise ClusterUnavailable unless Dask's distributed is installed (without importing
    it: that takes a second)."""
    if importlib.util.find_spec("distributed") is None:
        raise ClusterUnavailable()


def batch_characters(document: Document) -> int:
    """What ``document`` weighs in a batch: its characters, or its file's bytes when it is
    still to be read (``cluster_reads``)."""
    if UNREAD in document.meta:
        try:
            size = os.path.getsize(document.source)
        except OSError:
            size = 0  # the worker says why in the document's error record
    else:
        size = len(document.text)
    return size + DOCUMENT_CHARACTERS


def batches_by_characters(documents: Iterable[Document],
                          characters: int) -> Iterator[list[Document]]:
    """Consecutive documents in batches of at most ``characters`` (``batch_characters``),
    in order; a document bigger than that is a batch of its own."""
    return batched_by_weight(documents, characters, batch_characters)


def run_on_cluster(documents: Iterable[Document], options: PipelineOptions,
                   record: RecordOptions) -> Iterator[Processed]:
    """The records of ``documents``, in order, computed on the cluster ``options.cluster``
    (see the module's docstring)."""
    require_distributed()
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    from ner_cli.cluster_worker import PipelinePlugin, plugin_name, work

    where = parse_address(options.cluster)
    with _connected(where) as client:
        client.register_plugin(PipelinePlugin(options), name=plugin_name(options))
        pending: deque = deque()
        try:
            yield from in_order(
                batches_by_characters(documents, options.cluster_batch),
                lambda batch: client.submit(work, batch, options, record, pure=False),
                lambda future: future.result(), _capacity(client), pending)
        except KilledWorker as error:
            raise ClusterError(f"a batch killed {error.allowed_failures + 1} workers in a "
                               "row (out of memory?); giving up") from error
        except CancelledError as error:  # Dask cancels the futures of a client it closes
            raise ClusterError(f"lost the Dask scheduler {_describe(where)} during the run"
                               ) from error
        except OSError as error:
            raise ClusterError(f"lost the Dask scheduler {_describe(where)} during the run: "
                               f"{_reason(error)}") from error
        finally:
            if pending:  # stopped early: an error, Ctrl-C, or the reader went away
                _cancel(client, pending)


def _cancel(client, pending: deque) -> None:
    try:
        client.cancel(list(pending), force=True)
    except Exception:  # noqa: BLE001, S110 - the scheduler may be gone already
        pass


def _capacity(client):
    """Tasks in flight: TASKS_IN_FLIGHT per worker thread, asked of the scheduler again
    every CAPACITY_REFRESH seconds (workers come and go)."""
    state = {"asked": 0.0, "capacity": TASKS_IN_FLIGHT}

    def capacity() -> int:
        now = time.monotonic()
        if now - state["asked"] > CAPACITY_REFRESH:
            state["asked"] = now
            try:
                threads = sum(client.nthreads().values())
            except (OSError, TimeoutError):  # a lost scheduler: the next result says it
                return state["capacity"]
            state["capacity"] = max(1, threads) * TASKS_IN_FLIGHT
        return state["capacity"]

    return capacity


def _describe(where: ClusterAddress) -> str:
    return where.address or "(local cluster)"


class _connected:
    """A Client on the scheduler at ``where`` (for ``local``, on a LocalCluster started for
    this run and closed after it)."""

    def __init__(self, where: ClusterAddress) -> None:
        self.where = where
        self.cluster = self.client = None

    def __enter__(self):
        try:
            return self._connect()
        except BaseException:  # Ctrl-C included: a cluster started here is closed
            self.__exit__(None, None, None)
            raise

    def _connect(self):
        from distributed import Client

        try:
            if self.where.is_local:
                self.cluster = start_local_cluster(self.where.workers)
                self.client = Client(self.cluster, set_as_default=False)
            else:
                _check_tls(self.where.address)
                self.client = Client(self.where.address, timeout=CONNECT_TIMEOUT,
                                     set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"cannot reach the Dask scheduler {_describe(self.where)}: "
                               f"{_reason(error)}") from error
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"the Dask scheduler {_describe(self.where)} has no worker "
                               f"(waited {WORKERS_TIMEOUT} s)") from error
        return self.client

    def __exit__(self, *exc) -> None:
        for closing in (self.client, self.cluster):
            if closing is not None:
                try:
                    closing.close(timeout=CONNECT_TIMEOUT)
                except Exception:  # noqa: BLE001, S110 - closing what is already lost
                    pass


def _check_tls(address: str) -> None:
    """A tls:// scheduler needs Dask's TLS settings for clients (else Dask fails with a
    TypeError, and its half-made Client hangs 10 s at exit)."""
    from distributed.security import Security

    if address.startswith("tls://") and Security().get_connection_args(
            "client").get("ssl_context") is None:
        raise UsageError(f"--cluster {address}: no TLS settings for Dask clients; set "
                         "distributed.comm.tls.ca-file, .client.cert and .client.key in Dask's "
                         "configuration, e.g. DASK_DISTRIBUTED__COMM__TLS__CA_FILE=ca.pem, "
                         "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT=cert.pem, "
                         "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY=key.pem")


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def start_local_cluster(workers: int | None = None):
    """A LocalCluster of ``workers`` processes (None: one per core) with one thread each,
    on the loopback interface (its HTTP endpoints on a free port), its logs silenced."""
    import dask
    from distributed import LocalCluster

    # Ctrl-C goes to the whole process group: local workers must leave it to this process,
    # which cancels the run and closes the cluster (else each prints a traceback). Workers
    # started while SIGINT is ignored here ignore it from birth; one the nanny restarts
    # later (after a crash) ignores it once its preload runs (cluster_worker.dask_setup).
    # A Ctrl-C during these seconds of start-up is lost.
    ignored = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with dask.config.set(LOCAL_WORKER_CONFIG):  # read when each nanny is made
            return LocalCluster(n_workers=workers or resolve_jobs(0), threads_per_worker=1,
                                processes=True, host="127.0.0.1", dashboard_address=":0",
                                silence_logs=logging.CRITICAL,
                                preload=["ner_cli.cluster_worker"])
    finally:
        signal.signal(signal.SIGINT, ignored)
