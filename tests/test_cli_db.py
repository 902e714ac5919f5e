"""`ner-cli extract … -o news.db`: the corpus database end to end, with the real model.

The database must hold what the JSONL of the same run holds; a rerun processes only what
is new or changed; a run killed with SIGKILL leaves a consistent file that the next run
completes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from ner_cli.writers.sqlite import read_records
from tests.conftest import ROOT, SAMPLES, ner_cli_executable
from tests.test_writers_sqlite import rows

# Enough documents that a run is killed after its first batch (64) and well before its end.
DOCUMENTS = 160
SUMMARY = re.compile(r"ner-cli: (\d+) documents?: (.*?); ")


def changes(stderr: str) -> str:
    """The "4 documents: 1 new, …" part of the summary line."""
    match = SUMMARY.search(stderr)
    assert match, stderr
    return f"{match.group(1)} documents: {match.group(2)}"


@pytest.fixture
def feed(tmp_path):
    """A copy of the samples: a folder to add to, change and delete from."""
    folder = tmp_path / "feed"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_the_database_holds_what_the_jsonl_holds(cli, tmp_path):
    jsonl, db = tmp_path / "out.jsonl", tmp_path / "news.db"
    assert cli("extract", SAMPLES, "--include-text", "-q", "-o", jsonl).exit_code == 0
    result = cli("extract", SAMPLES, "--include-text", "-o", db)
    assert (result.exit_code, result.stdout) == (0, "")
    assert changes(result.stderr) == "4 documents: 4 new, 0 changed, 0 unchanged"
    expected = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [record for record, _ in read_records(db)] == expected
    assert rows(db, "SELECT count(*) FROM mentions") == [
        (sum(len(r["entities"]) for r in expected),)]
    assert rows(db, "SELECT count(*) FROM entities") == [
        (sum(len(r["entities_grouped"]) for r in expected),)]
    assert rows(db, 'SELECT count(*) FROM mentions JOIN documents USING (doc) '
                'WHERE substr(documents.text, start + 1, "end" - start) != mentions.text') == [(0,)]
    assert rows(db, "SELECT sum(words) FROM documents") == [
        (sum(len(r["text"].split()) for r in expected),)]


def test_format_sqlite_and_the_sqlite_extension(cli, tmp_path):
    sample = SAMPLES / "sport-tour-de-france.txt"
    for args in (["-o", tmp_path / "a.sqlite"], ["-f", "sqlite", "-o", tmp_path / "b.out"]):
        assert cli("extract", sample, "-q", *args).exit_code == 0
    assert rows(tmp_path / "a.sqlite", "SELECT id FROM documents") == [(str(sample),)]
    assert rows(tmp_path / "b.out", "SELECT id FROM documents") == [(str(sample),)]


def test_a_rerun_processes_only_new_and_changed_documents(cli, feed, tmp_path):
    db = tmp_path / "news.db"
    cli("extract", feed, "-o", db)
    snapshot = "SELECT doc, id, sha256, processed_at FROM documents ORDER BY doc"
    before = rows(db, snapshot)

    result = cli("extract", feed, "-o", db)
    assert changes(result.stderr) == "4 documents: 0 new, 0 changed, 4 unchanged"
    assert "0 mentions" in result.stderr
    assert rows(db, snapshot) == before

    (feed / "sport-tour-de-france.txt").unlink()
    changed = feed / "rpdc-russie-vostotchny.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nAngela Merkel à Berlin.\n",
                       encoding="utf-8")
    (feed / "nouveau.txt").write_text("Emmanuel Macron est à Lyon.", encoding="utf-8")
    result = cli("extract", feed, "-o", db)
    assert result.exit_code == 0
    assert changes(result.stderr) == "4 documents: 1 new, 1 changed, 2 unchanged"
    after = {row[1]: row for row in rows(db, snapshot)}
    for row in before:  # untouched: same rowid, hash and time; the deleted one is still there
        if row[1] != "rpdc-russie-vostotchny.txt":
            assert after[row[1]] == row
    assert after["rpdc-russie-vostotchny.txt"][0] == before[2][0]  # replaced in place
    assert after["rpdc-russie-vostotchny.txt"][2:] != before[2][2:]
    assert rows(db, "SELECT name FROM entities JOIN documents USING (doc) WHERE id = ? AND "
                "name IN ('Angela Merkel', 'Berlin') ORDER BY name", changed.name) == [
        ("Angela Merkel",), ("Berlin",)]
    assert "nouveau.txt" in after

    result = cli("extract", feed, "-o", db, "--prune")
    assert changes(result.stderr) == "4 documents: 0 new, 0 changed, 4 unchanged, 1 pruned"
    assert "sport-tour-de-france.txt" not in {row[1] for row in rows(db, snapshot)}
    assert rows(db, "SELECT count(*) FROM mentions WHERE doc NOT IN "
                "(SELECT doc FROM documents)") == [(0,)]


def test_prune_is_skipped_when_a_folder_has_no_matching_files(cli, feed, tmp_path):
    db = tmp_path / "news.db"
    cli("extract", feed, "-o", db, "-q")
    for path in feed.iterdir():
        path.rename(path.with_suffix(".bak"))  # as if the folder were empty
    result = cli("extract", feed, "-o", db, "--prune")
    assert result.exit_code == 1
    assert "ner-cli: --prune skipped: a folder had no matching files" in result.stderr.splitlines()
    assert rows(db, "SELECT count(*) FROM documents WHERE error IS NULL") == [(4,)]


def test_other_weights_or_labels_redo_the_documents(cli, feed, tmp_path):
    db = tmp_path / "news.db"
    cli("extract", feed, "-o", db)
    result = cli("extract", feed, "-o", db, "--labels", "PER")
    assert changes(result.stderr) == ("4 documents: 0 new, 0 changed, "
                                      "4 redone (other pipeline), 0 unchanged")
    assert rows(db, "SELECT DISTINCT label, labels FROM mentions JOIN documents USING (doc)"
                ) == [("PER", "PER")]


def test_a_rerun_with_nothing_to_do_does_not_load_the_model(cli, feed, tmp_path, monkeypatch):
    db = tmp_path / "news.db"
    cli("extract", feed, "-o", db)
    import ner_cli.run

    def no_model(options):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(ner_cli.run, "load_pipeline", no_model)
    result = cli("extract", feed, "-o", db)
    assert result.exit_code == 0, result.stderr
    assert changes(result.stderr) == "4 documents: 0 new, 0 changed, 4 unchanged"


@pytest.mark.parametrize("args, status, message", [
    (["--prune", "-o", "{tmp}/out.jsonl"], 2,
     "ner-cli: error: --prune goes with a database output (-o FILE.db)"),
    (["-f", "sqlite"], 2,
     "ner-cli: error: --format sqlite writes a database file: give -o FILE.db"),
    (["-f", "parquet"], 2,
     "ner-cli: error: --format parquet writes a file: give -o FILE.parquet"),
    (["-o", "{tmp}/missing/news.db"], 2,
     "ner-cli: error: cannot write {tmp}/missing/news.db: no such file or directory"),
    (["-o", "{tmp}/text.db"], 2,
     "ner-cli: error: {tmp}/text.db: not an SQLite database (file is not a database)"),
])
def test_database_usage_errors(quick, tmp_path, args, status, message):
    (tmp_path / "text.db").write_text("Paris est belle.\n" * 100, encoding="utf-8")
    args = [a.format(tmp=tmp_path) for a in args]
    result = quick("extract", SAMPLES, *args)
    assert (result.exit_code, result.stdout) == (status, "")
    assert result.stderr.strip() == message.format(tmp=tmp_path)


def test_a_second_writer_fails_with_one_line(quick, tmp_path, monkeypatch):
    import ner_cli.writers.sqlite as sqlite_writer

    monkeypatch.setattr(sqlite_writer, "LOCK_WAIT", 0.3)
    db = tmp_path / "news.db"
    with sqlite_writer.CorpusStore(db, {"model": "m", "weights": "w"}):
        result = quick("extract", SAMPLES, "-o", db)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.strip() == (f"ner-cli: error: {db}: another ner-cli run is writing "
                                     "this database (waited 0.3 s); try again when it is done")


def test_readme_sql_questions_give_readme_answers(cli, tmp_path):
    """Each ```sql block of README's "Query your corpus", run with plain sqlite3 on the
    samples' database, prints the block that follows it (rows as `sqlite3` prints them)."""
    db = tmp_path / "news.db"
    assert cli("extract", SAMPLES, "-q", "--include-text", "-o", db).exit_code == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Query your corpus"):]
    section = section[:section.index("\n## ", 1)]
    pairs = re.findall(r"```sql\n(.*?)```\n\n```\n(.*?)```", section, re.S)
    assert len(pairs) >= 3
    for sql, shown in pairs:
        printed = "".join("|".join("" if v is None else str(v) for v in row) + "\n"
                          for row in rows(db, sql))
        assert printed == shown, sql


def _wait_for_rows(db, at_least: int, process, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be killed"
        try:
            if rows(db, "SELECT count(*) FROM documents")[0][0] >= at_least:
                return
        except sqlite3.OperationalError:
            pass  # the schema is not there yet
        time.sleep(0.05)
    raise AssertionError("no batch was committed in time")


@pytest.mark.slow
def test_sigkill_leaves_a_consistent_database_that_a_rerun_completes(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    text = (SAMPLES / "rpdc-russie-vostotchny.txt").read_text(encoding="utf-8")
    for number in range(DOCUMENTS):
        (folder / f"{number:04}.txt").write_text(f"Dépêche {number}.\n{text}", encoding="utf-8")
    db = tmp_path / "news.db"
    command = [ner_cli_executable(), "extract", str(folder), "-o", str(db), "-q"]
    env = {k: v for k, v in os.environ.items() if k != "NER_CLI_DEBUG"}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    try:
        _wait_for_rows(db, 1, process)
        time.sleep(0.3)  # into the next batch
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    stored = rows(db, "SELECT count(*) FROM documents")[0][0]
    assert 0 < stored < DOCUMENTS
    # every stored document has all its mentions: as many as its entities count
    expected = sum(len(r["entities"]) for r, _ in read_records(db, ids=["0000.txt"]))
    assert expected > 0
    assert rows(db, "SELECT count(*) FROM documents WHERE (SELECT count(*) FROM mentions m "
                "WHERE m.doc = documents.doc) != ?", expected) == [(0,)]
    assert rows(db, "SELECT count(*) FROM documents WHERE (SELECT sum(count) FROM entities e "
                "WHERE e.doc = documents.doc) != ?", expected) == [(0,)]

    finished = subprocess.run(command[:-1], env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    assert changes(finished.stderr) == (f"{DOCUMENTS} documents: {DOCUMENTS - stored} new, "
                                        f"0 changed, {stored} unchanged")
    assert rows(db, "SELECT count(*) FROM documents") == [(DOCUMENTS,)]
    assert rows(db, "SELECT count(*) FROM mentions") == [(DOCUMENTS * expected,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.fixture
def same_run(cli, tmp_path):
    """The samples written by one run as JSONL and as a database (texts included)."""
    jsonl, db = tmp_path / "out.jsonl", tmp_path / "news.db"
    assert cli("extract", SAMPLES, "--include-text", "-q", "-o", jsonl).exit_code == 0
    assert cli("extract", SAMPLES, "--include-text", "-q", "-o", db).exit_code == 0
    return jsonl, db


@pytest.mark.parametrize("args", [
    ["stats", "-f", "json"],
    ["stats", "-f", "csv", "--labels", "PER,LOC", "--top", "5"],
    ["graph", "-o", "{tmp}/g.csv"],
    ["graph", "-o", "{tmp}/g.csv", "--window", "sentence", "--labels", "PER,LOC"],
    ["show", "--no-pager"],
    ["show", "--no-pager", "--id", "rpdc-russie-vostotchny.txt"],
])
def test_stats_graph_show_read_the_database_as_the_jsonl(cli, quick, same_run, tmp_path, args,
                                                         monkeypatch):
    """stats and graph give on the database what they give on the JSONL of the same run;
    show, what it shows on the texts. None loads the model to read the database."""
    import ner_cli.run

    args = [a.format(tmp=tmp_path) for a in args]
    jsonl, db = same_run

    def output(path, invoke) -> str:
        quiet = [] if args[0] == "show" else ["-q"]
        result = invoke(args[0], path, *args[1:], *quiet)
        assert result.exit_code == 0, result.stderr
        graph = tmp_path / "g.csv"
        return graph.read_text(encoding="utf-8") if args[0] == "graph" else result.stdout

    expected = output(SAMPLES if args[0] == "show" else jsonl, cli)

    def no_model(options):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(ner_cli.run, "load_pipeline", no_model)
    assert output(db, quick) == expected
    assert expected.strip()


def test_show_without_stored_text_or_with_an_unknown_id(cli, quick, tmp_path):
    db = tmp_path / "news.db"
    cli("extract", SAMPLES, "-q", "-o", db)
    result = quick("show", db, "--id", "sport-tour-de-france.txt", "--id", "nope.txt")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"ner-cli: {SAMPLES / 'sport-tour-de-france.txt'}: no text stored for this document; "
        "write the database with `ner-cli extract --include-text`",
        f"ner-cli: {db}: no document with this id in the database",
    ]
