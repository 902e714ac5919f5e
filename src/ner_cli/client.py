"""Documents through a running `ner-cli serve` (``extract --server``), with the standard
library only: the base install needs no HTTP package, and spaCy is never imported.

Documents are read here, as ``extract`` reads them; their texts go to the service in NDJSON
batches over one keep-alive connection, and each record comes back into the output
contract with this run's ids, sources and encodings, so the records are those a local run
writes.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode, urlsplit

from ner_cli.document import Document
from ner_cli.errors import ServiceError, UnknownLabels, UsageError, os_reason
from ner_cli.extract import document_record
from ner_cli.options import RecordOptions
from ner_cli.processing import Processed, batched, batched_by_weight, word_count

# Documents per request: enough to keep the service's workers busy between round trips.
BATCH = 64
# Bytes a batch keeps under the service's --max-body, for the request line and headers.
HEADROOM = 4096
# How long a busy service (503) is waited for before the run gives up.
BUSY_WAIT = 60.0
# The service's answer when documents took over its --timeout.
TIMED_OUT = 504


class Service:
    """A running ``ner-cli serve`` at ``url``; ``token``: its bearer token."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 300.0) -> None:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--server {url}: not an http:// URL")
        self.url = url
        self.base = parts.path.rstrip("/")
        connection = (http.client.HTTPSConnection if parts.scheme == "https"
                      else http.client.HTTPConnection)
        try:
            self._connection = connection(parts.hostname, parts.port, timeout=timeout)
        except ValueError as error:  # a bad port
            raise UsageError(f"--server {url}: {error}") from None
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._info: dict | None = None

    def info(self) -> dict:
        """GET /v1/info (asked once): versions, pipeline, labels and limits."""
        if self._info is None:
            response = self._request("GET", "/v1/info")
            self._info = json.loads(response.read())
        return self._info

    def pipeline_version(self) -> dict[str, str | None]:
        """The service's pipeline as a corpus database records it (``pipeline_version``)."""
        info = self.info()
        return {key: info.get(key) for key in ("model", "weights", "patterns")}

    def check_labels(self, labels: tuple[str, ...] | None) -> None:
        """Raise UnknownLabels when ``labels`` asks for one the service's pipeline lacks."""
        known = self.info().get("labels") or []
        unknown = [label for label in labels or () if known and label not in known]
        if unknown:
            raise UnknownLabels(unknown, known)

    def process(self, documents: Iterable[Document], labels: tuple[str, ...] | None = None,
                include_text: bool = False) -> Iterator[Processed]:
        """Records of ``documents`` in order, with their word counts (as ``run_records``)."""
        limit = self.info()["max_body"] - HEADROOM
        query = f"?{urlencode({'labels': ','.join(labels)})}" if labels else ""
        for batch in batched(documents, BATCH):
            yield from self._batch(batch, limit, query, include_text)

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def _batch(self, documents: list[Document], limit: int, query: str,
               include_text: bool) -> Iterator[Processed]:
        # The documents that can go, in requests under the limit; the others get their
        # record here, in their place.
        lines: list[bytes | None] = []
        for document in documents:
            line = None
            if document.error is None:
                line = (json.dumps({"id": document.id, "text": document.text},
                                   ensure_ascii=False) + "\n").encode("utf-8")
            lines.append(line)
        found = iter(self._send([line for line in lines if line is not None], limit, query))
        for document, line in zip(documents, lines, strict=True):
            if line is None:
                record = document_record(document)
            elif len(line) > limit:
                record = document_record(document, error=f"over the service's --max-body "
                                         f"({limit + HEADROOM:,} bytes)")
            else:
                sent = next(found, None)
                if sent is None:
                    raise ServiceError(f"the service at {self.url} sent fewer records than "
                                       "documents")
                record = document_record(document, sent, include_text, sent.get("error"))
            yield Processed(record, word_count(document) if "error" not in record else 0)
        # read the answer to its end, so that the connection can take the next request
        if next(found, None) is not None:
            raise ServiceError(f"the service at {self.url} sent more records than documents")

    def _send(self, lines: list[bytes], limit: int, query: str) -> Iterator[dict]:
        """The service's records for ``lines`` (oversized ones left out), in order."""
        fitting = (line for line in lines if len(line) <= limit)
        for body in batched_by_weight(fitting, limit, len):
            yield from self._extract(b"".join(body), query)

    def _extract(self, body: bytes, query: str) -> Iterator[dict]:
        response = self._request("POST", f"/v1/extract{query}", body,
                                 {"Content-Type": "application/x-ndjson"}, TIMED_OUT)
        if response.status == TIMED_OUT:  # these documents failed; the run goes on
            error = f"the service timed out: {_detail(response.read())}"
            yield from ({"error": error} for _ in range(body.count(b"\n")))
            return
        try:
            for line in response:
                if line.strip():
                    yield json.loads(line)
        except (OSError, http.client.HTTPException, ValueError) as error:
            self._connection.close()
            raise ServiceError(f"the service at {self.url} broke off its answer: "
                               f"{_reason(error)}") from None

    def _request(self, method: str, path: str, body: bytes | None = None,
                 headers: dict | None = None,
                 also: int | None = None) -> http.client.HTTPResponse:
        """The response to a request, status 200 (or ``also``); waits out a busy service
        (503)."""
        waited = 0.0
        while True:
            response = self._attempt(method, path, body, headers)
            if response.status != 503 or waited >= BUSY_WAIT:
                break
            response.read()
            pause = _retry_after(response.getheader("Retry-After"))
            time.sleep(pause)
            waited += pause
        if response.status in (200, also):
            return response
        detail = _detail(response.read())
        if response.status == 401:
            raise UsageError(f"--token: the service at {self.url} refused it ({detail}); give "
                             "--token TOKEN or set NER_CLI_TOKEN")
        raise ServiceError(f"the service at {self.url} answered {response.status} "
                           f"{response.reason}: {detail}")

    def _attempt(self, method: str, path: str, body: bytes | None,
                 headers: dict | None) -> http.client.HTTPResponse:
        # One retry on a fresh connection: the service may have closed an idle keep-alive one.
        for attempt in (1, 2):
            try:
                self._connection.request(method, self.base + path, body,
                                         {**self._headers, **(headers or {})})
                return self._connection.getresponse()
            except (OSError, http.client.HTTPException) as error:
                self._connection.close()
                fresh = isinstance(error, (http.client.RemoteDisconnected,
                                           ConnectionResetError, BrokenPipeError))
                if attempt == 2 or not fresh:
                    raise ServiceError(f"cannot reach the service at {self.url}: "
                                       f"{_reason(error)}") from None
        raise AssertionError("unreachable")


class RemoteExtractor:
    """``Extractor``'s part that ``extract`` uses (``process``, ``record_options``,
    ``pipeline_version``), run by a service: ``extract --server``."""

    def __init__(self, service: Service, *, labels: Iterable[str] | None = None,
                 include_text: bool = False) -> None:
        self.service = service
        self.record_options = RecordOptions(tuple(labels) if labels else None, include_text)
        service.check_labels(self.record_options.labels)  # and the service answers

    def process(self, documents: Iterable[Document]) -> Iterator[Processed]:
        """Records of Documents with their word counts, in order."""
        options = self.record_options
        return self.service.process(documents, options.labels, options.include_text)

    def pipeline_version(self) -> dict[str, str | None]:
        """The service's pipeline, as a corpus database records it."""
        return self.service.pipeline_version()


def _retry_after(value: str | None) -> float:
    try:
        return min(max(float(value or 1), 0.1), 10.0)
    except ValueError:
        return 1.0


def _detail(body: bytes) -> str:
    try:
        return str(json.loads(body)["detail"])
    except (ValueError, KeyError, TypeError):
        return body[:200].decode("utf-8", "replace").strip() or "no detail"


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return os_reason(error)
    return str(error) or type(error).__name__
