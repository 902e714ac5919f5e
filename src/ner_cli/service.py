"""`ner-cli serve`: the pipeline as a warm HTTP service (README, "Service: `ner-cli serve`").

An ASGI app (Starlette, with its OpenAPI document in ``ner_cli.openapi``) over
``Workers``: N spawned processes running ``ner_cli.run``'s worker, each holding the
pipeline, or this process on one thread for ``-j 1``. Records are the output contract's,
as ``extract`` writes them.

Starlette, not FastAPI: the request bodies are checked by the readers' own code (the same
error wording as ``extract``), one path takes JSON or NDJSON by content type, and the
responses are the output contract's plain dicts, so pydantic models would only restate
them; the OpenAPI document (``ner_cli.openapi``) is the one description, and the
schemathesis tests hold the app to it.

Importing this module imports Starlette; only ``serve`` and the tests do.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import multiprocessing
import queue
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ner_cli import __version__
from ner_cli.api import TEXT_SOURCE
from ner_cli.document import Document
from ner_cli.errors import ServiceError, UnknownLabels
from ner_cli.openapi import JSON, NDJSON, openapi_document
from ner_cli.options import PipelineOptions, RecordOptions
from ner_cli.processing import Processed, process, resolve_jobs
from ner_cli.run import TASK_SIZE, _init_worker, _work
from ner_cli.writers.json import jsonl_line

MEGABYTE = 1024 * 1024
# Seconds the workers have to load the pipeline (a second or two on a quiet machine).
LOAD_TIMEOUT = 300


@dataclass(frozen=True)
class Limits:
    """What the service takes on: the largest request body (bytes), the batches of documents
    waiting or running beyond which a request gets 503, and the seconds a batch may take."""

    max_body: int = 5 * MEGABYTE
    queue: int = 64
    timeout: float = 30.0


class Workers:
    """Where the documents go: ``jobs`` spawned processes (``ner_cli.run``'s worker, which
    loads the pipeline once), or, for one job, this process on one thread (``processes``
    says otherwise; bench/serve_load.py --compare-j1 measures both)."""

    def __init__(self, options: PipelineOptions, jobs: int | None = None,
                 processes: bool | None = None) -> None:
        self.options = options
        self.jobs = resolve_jobs(options.jobs if jobs is None else jobs)
        self.processes = self.jobs > 1 if processes is None else processes
        self.pending = 0  # batches submitted and not finished (the bounded queue)
        self._lock = threading.Lock()
        self._closed = False  # close() was called: a restart in progress stops its workers
        self._pool = None
        self._thread = None
        self._nlp = None

    def start(self) -> None:
        """Load the pipeline in every worker; returns when all of them hold it, raises the
        error of a pipeline that cannot load."""
        from ner_cli.pipeline import load_pipeline

        try:
            if not self.processes:
                from concurrent.futures import ThreadPoolExecutor

                self._nlp = load_pipeline(self.options)
                self._thread = ThreadPoolExecutor(1, thread_name_prefix="ner-cli-pipeline")
                return
            self._pool = self._spawn()
        except BaseException:
            self.close()
            raise

    def _spawn(self):
        """A ProcessPoolExecutor of ``jobs`` workers that all hold the pipeline.

        Not multiprocessing.Pool: a Pool worker killed mid-task (out of memory, kill -9) is
        replaced but its task never ends, so its request times out and its place in the
        queue is never given back; an executor fails every task in flight instead
        (BrokenProcessPool), and the service starts new workers (``_restart``).
        """
        from concurrent.futures import ProcessPoolExecutor

        # spawn, as run.py: the parent runs threads (the event loop's, the pool's)
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker,
                                   initargs=(self.options, RecordOptions(), ready))
        try:
            # one task each starts every worker (spawned on demand, one per waiting task)
            loaded = [pool.submit(_work, []) for _ in range(self.jobs)]
            for _ in range(self.jobs):
                try:
                    # a worker that dies before it can say must not leave the service
                    # waiting without a word
                    ready.get(timeout=LOAD_TIMEOUT)
                except queue.Empty:
                    raise ServiceError(f"the workers did not load the pipeline within "
                                       f"{LOAD_TIMEOUT} s") from None
            for task in loaded:
                task.result()  # raises a worker's loading error, if any
        except BaseException:
            _stop(pool)
            raise
        return pool

    def _restart(self, broken) -> None:
        """A worker died: ``broken`` failed its tasks; start new workers in the background
        (requests meanwhile get 503) and drop the old ones."""
        with self._lock:
            if self._pool is not broken:
                return  # already being restarted
            self._pool = None

        def respawn() -> None:
            _stop(broken)
            try:
                pool = self._spawn()
            except BaseException:  # noqa: BLE001 - the service then answers 503 to all
                return
            with self._lock:
                closed = self._closed
                if not closed:
                    self._pool = pool
            if closed:  # the service stopped while these workers were loading
                _stop(pool)

        threading.Thread(target=respawn, name="ner-cli-respawn", daemon=True).start()

    def close(self) -> None:
        """Stop the workers (work in progress is dropped)."""
        with self._lock:
            self._closed = True
        if self._pool is not None:
            _stop(self._pool)
            self._pool = None
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)
            self._thread = None

    def submit(self, documents: list[Document], record: RecordOptions) -> asyncio.Future:
        """The Processed list of ``documents``, as a future of the running event loop.

        A batch counts in ``pending`` until a worker is done with it, even when its request
        gave up waiting (a timeout): the queue is the work the workers really have.
        """
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self.pending += 1

        def settle(result: list[Processed] | None, error: BaseException | None) -> None:
            if future.done():  # its request timed out or went away
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        def report(result: list[Processed] | None = None,
                   error: BaseException | None = None) -> None:  # in a pool's thread
            with self._lock:
                self.pending -= 1
            try:
                loop.call_soon_threadsafe(settle, result, error)
            except RuntimeError:  # that loop is closed: nobody waits for this any more
                pass

        if not self.processes:
            task = self._thread.submit(_process_all, self._nlp, documents,
                                       self.options.batch_size, record)
            task.add_done_callback(lambda done: _report_done(done, report))
            return future
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool
        try:
            if pool is None:
                raise BrokenProcessPool("restarting")
            task = pool.submit(_work, documents, record)
        except (BrokenProcessPool, RuntimeError):  # restarting, or stopped
            report(error=_workers_lost())
            return future

        def done(task) -> None:
            if not task.cancelled() and isinstance(task.exception(), BrokenProcessPool):
                self._restart(pool)
                report(error=_workers_lost())
            else:
                _report_done(task, report)

        task.add_done_callback(done)
        return future


def _workers_lost() -> HTTPException:
    """A worker process died (killed, out of memory): the documents it and the others held
    are not analysed; new workers are starting."""
    return HTTPException(503, "a worker process stopped (killed or out of memory?); new ones "
                         "are starting: try again shortly", headers={"Retry-After": "5"})


def _stop(pool) -> None:
    """Stop an executor's workers now, work in progress dropped (``shutdown`` alone would
    wait for it; Python 3.14's ``terminate_workers`` does this)."""
    for worker in list((getattr(pool, "_processes", None) or {}).values()):
        worker.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _report_done(task, report) -> None:
    if task.cancelled():  # the service is stopping
        return
    error = task.exception()
    report(error=error) if error is not None else report(task.result())


def _process_all(nlp, documents: list[Document], batch_size: int,
                 record: RecordOptions) -> list[Processed]:
    return list(process(nlp, documents, batch_size, record))


def info(options: PipelineOptions, workers: Workers, limits: Limits) -> dict:
    """What GET /v1/info says: versions, the pipeline (as a corpus database records it) and
    its labels, the workers and the limits."""
    from ner_cli.pipeline import ner_labels, pipeline_version

    return {"ner_cli": __version__, **pipeline_version(options),
            "labels": ner_labels(options) or [], "jobs": workers.jobs,
            "max_body": limits.max_body, "queue": limits.queue, "timeout": limits.timeout}


def create_app(workers: Workers, limits: Limits = Limits(), token: str | None = None) -> Starlette:
    """The ASGI app over started ``workers``; ``token``: the bearer token every request but
    GET /healthz must carry (None: no check)."""
    about = info(workers.options, workers, limits)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def show_info(request: Request) -> Response:
        return JSONResponse(about)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(about["labels"], token is not None))

    async def extract(request: Request) -> Response:
        kind = _body_kind(request.headers.get("content-type"))
        record = _record_options(request.query_params.get("labels"), workers.options)
        if workers.pending >= limits.queue:
            raise HTTPException(503, f"busy: {workers.pending} batches of documents waiting "
                                "or running; try again shortly", headers={"Retry-After": "1"})
        body = await _read_body(request, limits.max_body)
        if kind == JSON:
            document = _json_document(body)
            [processed] = await _waited(workers.submit([document], record), limits.timeout)
            # the bytes of its line in `extract -f jsonl`, as in the NDJSON responses
            return Response(jsonl_line(processed.record), media_type=JSON)
        from ner_cli.readers.records import jsonl_documents

        documents = list(jsonl_documents(TEXT_SOURCE, body, "text", "id", numbered=True))
        return await _streamed(documents, record, workers, limits)

    routes = [Route("/healthz", healthz, methods=["GET"]),
              Route("/v1/info", show_info, methods=["GET"]),
              Route("/v1/extract", extract, methods=["POST"]),
              Route("/openapi.json", openapi, methods=["GET"])]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _refused})
    if token is not None:
        app.add_middleware(BearerToken, token=token)
    return app


async def _refused(request: Request, exc: HTTPException) -> Response:
    return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)


class BearerToken:
    """ASGI middleware: every request but GET /healthz carries ``Authorization: Bearer
    TOKEN``, else 401 (compared in constant time)."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.token = token.encode("utf-8")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] != "/healthz":
            header = dict(scope["headers"]).get(b"authorization", b"")
            scheme, _, given = header.partition(b" ")
            # compare_digest even for a wrong scheme: the time says nothing either way
            matches = hmac.compare_digest(given.strip(), self.token)
            if not (matches and scheme.lower() == b"bearer"):
                response = JSONResponse({"detail": "missing or wrong bearer token"}, 401,
                                        headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _body_kind(content_type: str | None) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in (JSON, NDJSON):
        raise HTTPException(415, f"Content-Type must be {JSON} (one document) or {NDJSON} "
                            f"(one document per line), not {kind or 'none'}")
    return kind


def _record_options(labels: str | None, options: PipelineOptions) -> RecordOptions:
    from ner_cli.pipeline import check_labels

    wanted = () if labels is None else tuple(labels.split(","))  # as documented: exact
    if "" in wanted:
        raise HTTPException(422, "labels: an empty label (want e.g. PER,ORG, or no labels "
                            "parameter for all)")
    try:
        check_labels(wanted or None, options)
    except UnknownLabels as error:
        raise HTTPException(422, f"labels: {error}") from None
    return RecordOptions(wanted or None)


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = HTTPException(413, f"the body is over the service's limit of {limit:,} bytes "
                              "(--max-body); send fewer documents per request")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _json_document(body: bytes) -> Document:
    """The document of a JSON body, or 422 saying what is wrong with it."""
    from ner_cli.readers.records import text_document

    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise HTTPException(422, f"the body is not JSON: {getattr(error, 'msg', error)}") from None
    if not isinstance(value, dict):
        raise HTTPException(422, 'the body is not a JSON object (want {"text": ..., "id": ...})')
    if value.get("id") is not None and not isinstance(value["id"], str):
        raise HTTPException(422, "'id' is not a string")
    document = text_document("1", value.get("id"), value.get("text"), "text", TEXT_SOURCE)
    if document.error is not None:
        raise HTTPException(422, document.error)
    return document


async def _waited(future: asyncio.Future, timeout: float) -> list[Processed]:
    try:
        return await asyncio.wait_for(future, timeout)
    except asyncio.TimeoutError:
        raise HTTPException(504, f"the documents took over {timeout:g} s (--timeout)") from None


async def _streamed(documents: list[Document], record: RecordOptions, workers: Workers,
                    limits: Limits) -> Response:
    """NDJSON records in input order, each batch as it is done. A few batches are in flight
    at a time, so the requests of others take turns with a long one. The first batch is
    awaited before the response starts: its timeout is a 504; a later batch's makes error
    records."""
    from ner_cli.extract import document_record

    batches = deque(documents[i:i + TASK_SIZE] for i in range(0, len(documents), TASK_SIZE))
    in_flight: deque = deque()

    def fill() -> None:
        while batches and len(in_flight) <= workers.jobs:
            batch = batches.popleft()
            in_flight.append((batch, workers.submit(batch, record)))

    fill()
    first = await _waited(in_flight.popleft()[1], limits.timeout) if in_flight else []

    async def lines() -> AsyncIterator[str]:
        yield "".join(jsonl_line(p.record) for p in first)
        while in_flight:
            fill()
            batch, future = in_flight.popleft()
            try:
                done = [p.record for p in await asyncio.wait_for(future, limits.timeout)]
            except asyncio.TimeoutError:
                reason = f"took over {limits.timeout:g} s (the service's --timeout)"
                done = [document_record(d, error=reason) for d in batch]
            except HTTPException as error:  # the workers were lost mid-stream
                done = [document_record(d, error=f"the service: {error.detail}")
                        for d in batch]
            yield "".join(jsonl_line(r) for r in done)

    return StreamingResponse(lines(), media_type=NDJSON)
