"""`ner-cli extract --server`: the records a local run writes, from a service (uvicorn in a
thread of this process, the session's pipeline on one thread), and `ner-cli serve` itself
as a real subprocess (slow)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed")

from ner_cli.service import Limits, create_app  # noqa: E402
from tests.conftest import SAMPLES, SEED_SAMPLE, ner_cli_executable  # noqa: E402


@contextmanager
def serving(workers, limits: Limits | None = None, token: str | None = None):
    """A real HTTP service on a free loopback port, in a thread; yields its URL."""
    import uvicorn

    from ner_cli.cli.serve import listen, url_of

    listening = listen("127.0.0.1", 0)
    config = uvicorn.Config(create_app(workers, limits or Limits(), token), log_config=None,
                            log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield url_of(listening)
    finally:
        server.should_exit = True
        thread.join(10)
        listening.close()


@pytest.fixture(scope="module")
def url(workers):
    with serving(workers) as served:
        yield served


@pytest.fixture
def corpus(tmp_path):
    """Texts, a JSONL corpus with bad lines, a binary file and a cp1252 file."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for sample in sorted(SAMPLES.glob("*.txt")):
        (folder / sample.name).write_bytes(sample.read_bytes())
    lines = [json.dumps({"id": "j1", "text": "Angela Merkel est à Berlin."}), "{oops", "",
             json.dumps({"text": 5}), json.dumps({"text": "Le Kremlin a parlé."})]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\x00\x00")
    (folder / "vieux.txt").write_bytes("Le président de la République à l'Élysée.".encode(
        "cp1252"))
    return folder


@pytest.mark.parametrize("extra", [[], ["--labels", "per,loc", "--include-text"],
                                   ["--format", "csv", "--group"]])
def test_extract_server_writes_what_a_local_run_writes(cli, url, corpus, extra):
    local = cli("extract", corpus, "-f", "jsonl", "-q", *extra)
    remote = cli("extract", corpus, "-f", "jsonl", "-q", "--server", url, *extra)
    assert remote.exit_code == local.exit_code == 1  # the binary file and the bad lines
    assert remote.stdout == local.stdout
    assert remote.stderr == local.stderr
    assert "Merkel" in remote.stdout


def test_many_batches_over_one_connection(cli, url, corpus, monkeypatch):
    monkeypatch.setattr("ner_cli.client.BATCH", 3)  # 10 documents: 4 requests
    local = cli("extract", corpus, "-f", "jsonl", "-q")
    remote = cli("extract", corpus, "-f", "jsonl", "-q", "--server", url)
    assert (remote.exit_code, remote.stdout, remote.stderr) == (
        local.exit_code, local.stdout, local.stderr)


def test_extract_server_fills_a_database_a_local_run_finds_current(cli, url, corpus, tmp_path):
    database = tmp_path / "news.db"
    remote = cli("extract", corpus, "--server", url, "-o", database)
    assert remote.exit_code == 1
    assert ": 10 new, 0 changed, 0 unchanged;" in remote.stderr
    local = cli("extract", corpus, "-o", database)
    # the same pipeline version: nothing redone; the 3 failures are tried again, as always
    assert ": 0 new, 3 changed, 7 unchanged;" in local.stderr
    assert "redone" not in local.stderr


def test_a_service_that_cannot_be_reached_is_one_line_and_exit_1(quick, corpus):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = quick("extract", corpus, "--server", f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"ner-cli: error: cannot reach the service at "
                             f"http://127.0.0.1:{port}: connection refused\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--server", "ftp://host/"], "--server ftp://host/: not an http:// URL"),
    (["--server", "http://127.0.0.1:99999"], "--server http://127.0.0.1:99999: Port out of "
     "range 0-65535"),
    (["--server", "http://127.0.0.1:1", "--model", "other"],
     "--server runs the service's pipeline: give --model, --base-ner, --ner-weights or "
     "--patterns to `ner-cli serve`"),
    (["--server", "http://127.0.0.1:1", "--cluster", "local:2"],
     "--server and --cluster exclude each other: the service runs the pipeline"),
])
def test_extract_server_usage_errors(quick, corpus, args, message):
    result = quick("extract", corpus, *args)
    assert (result.exit_code, result.stderr) == (2, f"ner-cli: error: {message}\n")


def test_an_unknown_label_is_the_services_to_say(quick, url, corpus):
    result = quick("extract", corpus, "--server", url, "--labels", "PER,FOO")
    assert result.exit_code == 2
    assert result.stderr == ("ner-cli: error: --labels: unknown label FOO (this pipeline's "
                             "labels: LOC, MISC, ORG, PER)\n")


def test_the_token_goes_with_every_request(quick, workers, corpus, monkeypatch):
    monkeypatch.delenv("NER_CLI_TOKEN", raising=False)
    with serving(workers, token="s3cret") as served:
        refused = quick("extract", corpus, "--server", served, "--token", "nope")
        assert refused.exit_code == 2
        assert refused.stderr == (f"ner-cli: error: --token: the service at {served} refused "
                                  "it (missing or wrong bearer token); give --token TOKEN or "
                                  "set NER_CLI_TOKEN\n")
        assert quick("extract", corpus, "--server", served).exit_code == 2
        monkeypatch.setenv("NER_CLI_TOKEN", "s3cret")
        accepted = quick("extract", corpus, "--server", served, "-f", "jsonl", "-q")
        assert accepted.exit_code == 1  # the corpus's bad inputs
        assert len(accepted.stdout.splitlines()) == 10


def test_batches_stay_under_the_services_body_limit(cli, workers, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"{i:02d}.txt").write_text(f"Article {i} : Emmanuel Macron à Paris.",
                                             encoding="utf-8")
    (folder / "05.txt").write_text("Paris. " * 1000, encoding="utf-8")  # 7,000 bytes
    local = cli("extract", folder, "-f", "jsonl", "-q")
    with serving(workers, Limits(max_body=4096 + 300)) as served:
        remote = cli("extract", folder, "-f", "jsonl", "-q", "--server", served)
    assert remote.exit_code == 1
    assert remote.stderr == (f"ner-cli: {folder / '05.txt'}: over the service's --max-body "
                             "(4,396 bytes)\n")
    records = [json.loads(line) for line in remote.stdout.splitlines()]
    expected = [json.loads(line) for line in local.stdout.splitlines()]
    assert records[5] == {"id": "05.txt", "source": str(folder / "05.txt"),
                          "error": "over the service's --max-body (4,396 bytes)"}
    assert records[:5] + records[6:] == expected[:5] + expected[6:]


def test_documents_the_service_times_out_get_error_records(cli, workers, corpus):
    with serving(workers, Limits(timeout=0.001)) as served:
        result = cli("extract", corpus, "-f", "jsonl", "--server", served)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 10
    timed_out = [r for r in records if r.get("error", "").startswith("the service timed out")]
    assert timed_out[0]["error"] == ("the service timed out: the documents took over 0.001 s "
                                     "(--timeout)")
    assert len(timed_out) == 7  # the other three failed here: a binary file and two lines
    assert "ner-cli: 10 documents, 0 mentions, 10 failed;" in result.stderr


@pytest.mark.slow
def test_serve_and_extract_server_as_real_processes(cli, run, tmp_path):
    """`ner-cli serve -j 2` (worker processes) on a free loopback port, used by `ner-cli
    extract --server` in another process: the local run's bytes; Ctrl-C stops it (130)."""
    serve = subprocess.Popen([ner_cli_executable(), "serve", "--port", "0", "-j", "2"],
                             stderr=subprocess.PIPE, text=True)
    try:
        ready = serve.stderr.readline()
        assert ready.startswith("ner-cli: serving fr_core_news_md at http://127.0.0.1:")
        assert ready.endswith(" (2 workers); Ctrl-C stops\n")
        served = ready.split(" at ")[1].split()[0]
        remote = run("extract", SAMPLES, "-f", "jsonl", "--server", served, "--labels", "PER,ORG")
        local = cli("extract", SAMPLES, "-f", "jsonl", "--labels", "PER,ORG")
        assert (remote.returncode, local.exit_code) == (0, 0)
        assert remote.stdout.decode("utf-8") == local.stdout
        assert remote.stderr.decode("utf-8").startswith("ner-cli: 4 documents, ")
        serve.send_signal(signal.SIGINT)
        assert serve.wait(30) == 130
        assert serve.stderr.read() == "ner-cli: interrupted\n"
    finally:
        serve.kill()
        serve.wait()


@pytest.mark.slow
def test_sigterm_stops_serve_cleanly():
    """A service manager's stop (SIGTERM): no line, exit 0, the port free again."""
    serve = subprocess.Popen([ner_cli_executable(), "serve", "--port", "0"],
                             stderr=subprocess.PIPE, text=True)
    try:
        ready = serve.stderr.readline()
        assert ready.endswith(" (1 worker); Ctrl-C stops\n")
        port = int(ready.split(" at ")[1].split()[0].rsplit(":", 1)[1])
        serve.terminate()
        assert serve.wait(30) == 0
        assert serve.stderr.read() == ""
        with socket.socket() as again:
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", port))
    finally:
        serve.kill()
        serve.wait()


def test_extract_server_imports_nothing_heavy(url, tmp_path):
    """No spaCy (nor the serve extra) in the process of `extract --server`."""
    from tests.test_startup import probe

    facts = probe("extract", str(SEED_SAMPLE), "--format", "jsonl", "--server", url, "-o",
                  str(tmp_path / "out.jsonl"))
    assert facts == {"imported": [], "token_match": None, "strings": None}
    assert '"Vladimir Poutine"' in (tmp_path / "out.jsonl").read_text(encoding="utf-8")
