"""Running on a Dask cluster (ner_cli.cluster, --cluster): same records as -j 1, faults.

The slow tests share one LocalCluster of two worker processes (the `scheduler` fixture), so
the model loads twice for the module, not per test; one test starts `--cluster local:2`
itself.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ner_cli.cluster import (
    DOCUMENT_CHARACTERS,
    ClusterAddress,
    batches_by_characters,
    parse_address,
)
from ner_cli.document import Document
from ner_cli.errors import UsageError
from ner_cli.options import PipelineOptions
from ner_cli.readers import InputOptions, Source, read_deferred, read_source
from tests.conftest import SAMPLES, ner_cli_executable

PARIS = "Emmanuel Macron a reçu Olaf Scholz à Paris."


@pytest.fixture(autouse=True)
def _logging_back_on():
    """--cluster switches logging off for the process (cli.app.quiet_dask): not for the next
    test module."""
    yield
    logging.disable(logging.NOTSET)


# --- plain functions --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("local", ClusterAddress(workers=None)),
    ("local:3", ClusterAddress(workers=3)),
    ("tcp://10.0.0.5:8786", ClusterAddress("tcp://10.0.0.5:8786")),
    ("tls://scheduler.example.org:8786", ClusterAddress("tls://scheduler.example.org:8786")),
    ("scheduler", ClusterAddress("tcp://scheduler:8786")),
    ("10.0.0.5:9000", ClusterAddress("tcp://10.0.0.5:9000")),
    ("tcp://[::1]:8786", ClusterAddress("tcp://[::1]:8786")),
])
def test_parse_address(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["local:0", "local:x", "http://host:8786", "tcp://", "",
                                  "tcp://host:port", "a b"])
def test_parse_address_refuses(text):
    with pytest.raises(UsageError, match="--cluster"):
        parse_address(text)


def doc(id: str, characters: int) -> Document:
    return Document(id, "<text>", "x" * characters)


def test_batches_by_characters_keep_order_and_size():
    cost = 1000 + DOCUMENT_CHARACTERS
    documents = [doc(str(i), 1000) for i in range(10)]
    batches = list(batches_by_characters(documents, 3 * cost))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert [d for b in batches for d in b] == documents
    assert list(batches_by_characters([], 100)) == []


def test_a_document_bigger_than_a_batch_goes_alone():
    documents = [doc("a", 10), doc("big", 50_000), doc("b", 10), doc("c", 10)]
    batches = list(batches_by_characters(documents, 1000))
    assert [[d.id for d in b] for b in batches] == [["a"], ["big"], ["b", "c"]]


def test_empty_documents_still_make_bounded_batches():
    documents = [doc(str(i), 0) for i in range(1000)]
    batches = list(batches_by_characters(documents, 100 * DOCUMENT_CHARACTERS))
    assert {len(b) for b in batches} == {100}


def test_unread_documents_weigh_their_file(tmp_path):
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text("Paris.", encoding="utf-8")
    large.write_text("Paris. " * 1000, encoding="utf-8")
    unread = [d for p in (small, large, small, tmp_path / "gone.txt")
              for d in read_source(Source(str(p), p.name), InputOptions(), defer=True)]
    assert all(d.text == "" for d in unread)
    batches = list(batches_by_characters(unread, 2000))
    assert [[d.id for d in b] for b in batches] == [["small.txt"], ["large.txt"],
                                                     ["small.txt", "gone.txt"]]


def test_read_deferred_reads_what_read_source_would(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "Paris."}\n{"id": "b", "text": "Lyon."}\n',
                      encoding="utf-8")
    (tmp_path / "one.txt").write_text(PARIS, encoding="utf-8")
    sources = [Source(str(corpus), "corpus.jsonl"), Source(str(tmp_path / "one.txt"), "one"),
               Source(str(tmp_path / "gone.txt"), "gone")]
    unread = [d for s in sources for d in read_source(s, InputOptions(), defer=True)]
    assert [d.id for d in unread] == ["corpus.jsonl", "one", "gone"]
    assert list(read_deferred(unread)) == [d for s in sources for d in read_source(s)]


def test_where_the_pipeline_runs_does_not_change_its_version():
    pytest.importorskip("distributed", reason="the cluster extra is not installed")
    from ner_cli.cluster_worker import plugin_name
    from ner_cli.pipeline import pipeline_version

    here = PipelineOptions()
    there = PipelineOptions(jobs=4, cluster="tcp://h:8786", cluster_reads=True,
                            cluster_batch=10)
    assert pipeline_version(there) == pipeline_version(here)
    assert plugin_name(there) == plugin_name(here)
    assert plugin_name(PipelineOptions(model="other")) != plugin_name(here)


@pytest.mark.parametrize(("args", "message"), [
    (["--cluster", "local", "-j", "2"], "--cluster and -j exclude each other"),
    (["--cluster", "ftp://h:1"], "--cluster: 'ftp://h:1' is not local[:N] nor a scheduler"),
    (["--cluster-reads"], "--cluster-reads goes with --cluster"),
    (["--cluster", "local", "--cluster-batch", "0"], "--cluster-batch: 0 is not a number"),
])
def test_cluster_usage_errors(quick, args, message):
    result = quick("extract", SAMPLES, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ner-cli: error: {message}")
    assert result.stderr.count("\n") == 1


def test_without_the_extra_cluster_says_what_to_install(quick, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # find_spec: not installed
    result = quick("extract", SAMPLES, "--cluster", "local:2")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("ner-cli: error: --cluster needs Dask's distributed: "
                             "pip install 'ner-cli[cluster]'\n")


def test_tls_without_dask_tls_settings_says_which(quick):
    import dask
    import distributed  # noqa: F401 - its defaults in the config first, or set() drops them

    with dask.config.set({"distributed.comm.tls.ca-file": None,
                          "distributed.comm.tls.client.cert": None}):
        result = quick("extract", SAMPLES, "--cluster", "tls://127.0.0.1:1")
    assert result.exit_code == 2
    assert result.stderr.startswith("ner-cli: error: --cluster tls://127.0.0.1:1: no TLS "
                                    "settings for Dask clients; set distributed.comm.tls.")
    assert "DASK_DISTRIBUTED__COMM__TLS__CA_FILE" in result.stderr
    assert result.stderr.count("\n") == 1


# --- on a cluster -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster of two worker processes, for the module's tests."""
    from ner_cli.cluster import start_local_cluster

    cluster = start_local_cluster(2)
    yield cluster.scheduler_address
    cluster.close()


def write_folder(folder: Path, count: int) -> list[str]:
    """``count`` short articles (a binary file and an empty one among them); their ids."""
    folder.mkdir()
    towns = ["Lyon", "Nice", "Brest", "Lille"]
    for i in range(count):
        text = f"Article {i}. {PARIS} Puis {towns[i % 4]}.\n" * (1 + i % 5)
        (folder / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    (folder / "005.txt").write_bytes(b"\x00\x00")
    (folder / "007.txt").write_text("", encoding="utf-8")
    return [f"{i:03d}.txt" for i in range(count)]


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow
def test_local_2_gives_the_jsonl_of_one_process(cli):
    one = cli("extract", SAMPLES, "-f", "jsonl", "-j", "1")
    local = cli("extract", SAMPLES, "-f", "jsonl", "--cluster", "local:2")
    assert local.exit_code == one.exit_code == 0
    assert local.stdout == one.stdout  # byte for byte, in order
    assert len(records(local)) == 4
    [line] = local.stderr.splitlines()  # ner-cli's summary, nothing from Dask
    assert line.startswith("ner-cli: 4 documents, 87 mentions, 0 failed; 769 words in ")


@pytest.mark.slow
@pytest.mark.parametrize("reads", [False, True], ids=["texts", "paths"])
def test_a_folder_on_a_scheduler_gives_the_jsonl_of_one_process(cli, scheduler, tmp_path,
                                                                 reads):
    ids = write_folder(tmp_path / "many", 40)
    one = cli("extract", tmp_path / "many", "-f", "jsonl", "-q")
    flags = ["--cluster-reads"] if reads else []
    remote = cli("extract", tmp_path / "many", "-f", "jsonl", "-q", "--cluster", scheduler,
                 "--cluster-batch", "300", *flags)
    assert remote.exit_code == one.exit_code == 1  # the binary file
    assert [r["id"] for r in records(remote)] == ids
    assert remote.stdout == one.stdout
    assert remote.stderr == one.stderr == (
        f"ner-cli: {tmp_path / 'many' / '005.txt'}: binary file (NUL bytes), skipped\n")


@pytest.mark.slow
def test_stats_and_graph_take_cluster(cli, scheduler, tmp_path):
    here = cli("stats", SAMPLES, "-q", "-f", "csv")
    there = cli("stats", SAMPLES, "-q", "-f", "csv", "--cluster", scheduler)
    assert there.exit_code == here.exit_code == 0
    assert there.stdout == here.stdout and here.stdout
    for name, flags in (("here.csv", []), ("there.csv", ["--cluster", scheduler])):
        assert cli("graph", SAMPLES, "-q", "-o", tmp_path / name, *flags).exit_code == 0
    assert (tmp_path / "there.csv").read_text() == (tmp_path / "here.csv").read_text()


@pytest.mark.slow
def test_resume_finishes_an_interrupted_cluster_run(cli, scheduler, tmp_path):
    ids = write_folder(tmp_path / "many", 200)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "NER_CLI_DEBUG"}
    command = [ner_cli_executable(), "extract", str(tmp_path / "many"), "--output-dir",
               str(out), "--cluster", scheduler, "--cluster-batch", "200"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.json"))) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    stdout, stderr = process.communicate(timeout=30)
    assert (process.returncode, stdout) == (130, b"")
    assert stderr.decode() == (f"ner-cli: {tmp_path / 'many' / '005.txt'}: binary file "
                               "(NUL bytes), skipped\nner-cli: interrupted\n")
    written = len(list(out.glob("*.json")))
    assert 10 <= written < len(ids)

    resumed = cli("extract", tmp_path / "many", "--output-dir", out, "--resume",
                  "--cluster", scheduler)
    assert resumed.exit_code == 1  # the binary file, again
    assert f", {written:,} skipped (--resume)" in resumed.stderr
    whole = cli("extract", tmp_path / "many", "--output-dir", tmp_path / "whole", "-q")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in (tmp_path / "whole").iterdir())
    for path in (tmp_path / "whole").iterdir():
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name
    assert whole.exit_code == 1


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line_and_exit_1(run):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    result = run("extract", SAMPLES, "--cluster", f"tcp://127.0.0.1:{port}")
    seconds = time.monotonic() - start
    assert (result.returncode, result.stdout) == (1, b"")
    [line] = result.stderr.decode().splitlines()
    assert line.startswith(f"ner-cli: error: cannot reach the Dask scheduler "
                           f"tcp://127.0.0.1:{port}: ")
    assert seconds < 15


@pytest.mark.slow
def test_a_worker_killed_during_the_run_loses_nothing(cli, scheduler, tmp_path, monkeypatch):
    """Last in the module: the nanny restarts the worker, which loads the model again."""
    from distributed import Client

    from ner_cli import cluster

    ids = write_folder(tmp_path / "many", 120)
    one = cli("extract", tmp_path / "many", "-f", "jsonl", "-q")
    with Client(scheduler, set_as_default=False) as client:
        before = client.run(os.getpid)
        victim = next(iter(before.values()))
        killed = []
        real_in_order = cluster.in_order

        def in_order_then_kill(*args):
            for number, item in enumerate(real_in_order(*args)):
                if number == 1:  # after the first batch is back: the others are in flight
                    os.kill(victim, signal.SIGKILL)
                    killed.append(victim)
                yield item

        monkeypatch.setattr(cluster, "in_order", in_order_then_kill)
        remote = cli("extract", tmp_path / "many", "-f", "jsonl", "-q", "--cluster",
                     scheduler, "--cluster-batch", "200")
        client.wait_for_workers(2, timeout=60)
        after = client.run(os.getpid)
    assert killed and victim not in after.values()  # the worker did die, and was replaced
    assert remote.exit_code == one.exit_code == 1
    got = [r["id"] for r in records(remote)]
    assert got == ids and len(set(got)) == len(ids)  # every document once, in order
    assert remote.stdout == one.stdout


@pytest.mark.slow
def test_a_scheduler_lost_during_the_run_is_one_line_and_resume_finishes(cli, tmp_path,
                                                                          monkeypatch):
    """A scheduler of its own, in this process (a thread worker uses the session's model),
    closed once the first batch is back."""
    from distributed import LocalCluster

    from ner_cli import cluster

    ids = write_folder(tmp_path / "many", 60)
    own = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                       host="127.0.0.1", dashboard_address=":0")
    real_in_order = cluster.in_order

    def in_order_then_close(*args):
        for number, item in enumerate(real_in_order(*args)):
            if number == 1:
                own.close()
            yield item

    monkeypatch.setattr(cluster, "in_order", in_order_then_close)
    out = tmp_path / "out"
    lost = cli("extract", tmp_path / "many", "--output-dir", out, "--cluster",
               own.scheduler_address, "--cluster-batch", "200")
    assert lost.exit_code == 1
    assert lost.stderr.splitlines()[-1] == (
        f"ner-cli: error: lost the Dask scheduler {own.scheduler_address} during the run")
    written = len(list(out.glob("*.json")))
    assert 0 < written < len(ids)
    monkeypatch.undo()
    resumed = cli("extract", tmp_path / "many", "--output-dir", out, "--resume", "-j", "1")
    assert f", {written:,} skipped (--resume)" in resumed.stderr
    assert resumed.exit_code == 1  # 005.txt, binary: an error record, no file
    assert sorted(p.name for p in out.iterdir()) == [f"{i}.json" for i in ids if i != "005.txt"]


def test_shipped_patterns_are_found_in_each_workers_own_install(tmp_path):
    """`--patterns news` names models/patterns/news.jsonl in the client's install; a worker
    with ner-cli installed elsewhere loads its own copy (any other file keeps its path)."""
    pytest.importorskip("distributed", reason="the cluster extra is not installed")
    from ner_cli.cluster_worker import on_this_machine, shipped_file
    from ner_cli.pipeline import patterns_path
    from ner_cli.resources import models_dir

    news = patterns_path("news")
    assert shipped_file(news) == "patterns/news.jsonl"
    own = tmp_path / "news.jsonl"
    own.write_text("", encoding="utf-8")
    assert shipped_file(own) is None
    assert shipped_file(None) is None
    client_side = PipelineOptions(patterns=Path("/elsewhere/ner_cli/models/patterns/news.jsonl"))
    here = on_this_machine(client_side, "patterns/news.jsonl")
    assert here.patterns == models_dir() / "patterns/news.jsonl" and here.patterns.is_file()
    assert on_this_machine(PipelineOptions(patterns=own), None).patterns == own
