"""The writers (ner_cli.writers) on hand-made records: golden files per format, no model.

RECORDS follow README's "Output contract" and hold what each format must get right: an error
record, a name with a comma and double quotes (CSV/TSV quoting), accents, a tab in a document
id (TSV quoting), a PER with a title, an entity named by two variants. The golden files in
tests/data/writers/ were written from them and read by a person; NER_CLI_UPDATE_GOLDEN=1
rewrites one that differs and fails the test until the diff is reviewed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import partial

import pytest

from ner_cli.writers import FILE_FORMATS, WRITERS, Format, write_csv, write_table, write_tsv
from ner_cli.writers.files import output_path
from tests.conftest import DATA, check_golden

GOLDEN = DATA / "writers"


def mention(text: str, surface: str, label: str, entity: str, *, after: int = 0,
            title: str | None = None, name: str | None = None) -> dict:
    """The mention of ``surface`` found in ``text`` from ``after``; its title just before it."""
    start = text.index(surface, after)
    found = None
    if title is not None:
        title_start = text.rindex(title, 0, start)
        found = {"text": title, "start": title_start, "end": title_start + len(title)}
    return {"text": surface, "label": label, "start": start, "end": start + len(surface),
            "name": name or surface, "title": found, "entity": entity}


ELYSEE = ('Le président Emmanuel Macron a reçu « Dupont, "Fils" & Cie » à l\'Élysée. '
          "Macron a salué l'ONU.")
MERKEL = "Selon l'AFP, Mme Merkel est à Berlin."
RECORDS = [
    {
        "id": "dépêches/élysée.txt", "source": "in/dépêches/élysée.txt", "encoding": "utf-8",
        "entities": [
            mention(ELYSEE, "Emmanuel Macron", "PER", "E1", title="président"),
            mention(ELYSEE, 'Dupont, "Fils" & Cie', "ORG", "E2"),
            mention(ELYSEE, "Élysée", "LOC", "E3"),
            mention(ELYSEE, "Macron", "PER", "E1", after=40),
            mention(ELYSEE, "ONU", "ORG", "E4"),
        ],
        "entities_grouped": [
            {"id": "E1", "name": "Emmanuel Macron", "label": "PER", "count": 2,
             "variants": ["Emmanuel Macron", "Macron"], "first_start": 13},
            {"id": "E2", "name": 'Dupont, "Fils" & Cie', "label": "ORG", "count": 1,
             "variants": ['Dupont, "Fils" & Cie'], "first_start": 38},
            {"id": "E3", "name": "Élysée", "label": "LOC", "count": 1, "variants": ["Élysée"],
             "first_start": 65},
            {"id": "E4", "name": "ONU", "label": "ORG", "count": 1, "variants": ["ONU"],
             "first_start": 90},
        ],
        "text": ELYSEE,
    },
    {"id": "binaire.png", "source": "in/binaire.png", "error": "binary file (NUL bytes), skipped"},
    {
        "id": "revue\tpresse.txt", "source": "in/revue\tpresse.txt", "encoding": "cp1252",
        "entities": [
            mention(MERKEL, "AFP", "ORG", "E1"),
            mention(MERKEL, "Merkel", "PER", "E2", title="Mme"),
            mention(MERKEL, "Berlin", "LOC", "E3"),
        ],
        "entities_grouped": [
            {"id": "E1", "name": "AFP", "label": "ORG", "count": 1, "variants": ["AFP"],
             "first_start": 8},
            {"id": "E2", "name": "Merkel", "label": "PER", "count": 1, "variants": ["Merkel"],
             "first_start": 17},
            {"id": "E3", "name": "Berlin", "label": "LOC", "count": 1, "variants": ["Berlin"],
             "first_start": 30},
        ],
        "text": MERKEL,
    },
]

# name -> (writer, golden file)
CASES = {
    "table": (WRITERS[Format.table], "records.table.txt"),
    "table-grouped": (partial(write_table, group=True), "records.grouped.table.txt"),
    "json": (WRITERS[Format.json], "records.json"),
    "jsonl": (WRITERS[Format.jsonl], "records.jsonl"),
    "csv": (WRITERS[Format.csv], "records.csv"),
    "csv-grouped": (partial(write_csv, group=True), "records.grouped.csv"),
    "tsv": (WRITERS[Format.tsv], "records.tsv"),
    "tsv-grouped": (partial(write_tsv, group=True), "records.grouped.tsv"),
    "html": (WRITERS[Format.html], "records.html"),
}
STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch):
    """rich's tables: 100 columns and no colour, whatever the terminal running the tests."""
    monkeypatch.setenv("COLUMNS", "100")
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "LINES"):
        monkeypatch.delenv(name, raising=False)


def written(writer, records=RECORDS) -> str:
    out = io.StringIO()
    writer(records, out)
    return out.getvalue()


def without_css(html: str) -> str:
    """The report without its stylesheet and version: the CSS, or a release, may change
    without touching the golden."""
    from ner_cli import __version__

    assert len(STYLE.findall(html)) == 1
    assert f"ner-cli {__version__}" in html
    return STYLE.sub("<style></style>", html).replace(f"ner-cli {__version__}", "ner-cli VERSION")


def test_the_records_are_consistent():
    """The hand-made records keep the contract: offsets, titles and groups agree."""
    for record in RECORDS:
        if "error" in record:
            continue
        text = record["text"]
        for entity in record["entities"]:
            assert text[entity["start"]:entity["end"]] == entity["text"]
            if entity["title"]:
                title = entity["title"]
                assert text[title["start"]:title["end"]] == title["text"]
        for group in record["entities_grouped"]:
            members = [e for e in record["entities"] if e["entity"] == group["id"]]
            assert group["count"] == len(members)
            assert group["variants"] == sorted({e["text"] for e in members})
            assert group["first_start"] == members[0]["start"]


def test_every_format_has_a_golden_case():
    # a database is checked table by table (tests/test_writers_sqlite.py)
    assert {fmt.value for fmt in Format if fmt not in FILE_FORMATS} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_writer_golden(name):
    writer, golden = CASES[name]
    output = written(writer)
    if name == "html":
        output = without_css(output)
    check_golden(GOLDEN / golden, output)


def test_csv_quotes_commas_and_double_quotes():
    output = written(WRITERS[Format.csv])
    # RFC 4180: the field in double quotes, its own double quotes doubled
    assert '"Dupont, ""Fils"" & Cie"' in output.splitlines()[2]
    rows = list(csv.reader(io.StringIO(output)))
    assert rows[2][3] == 'Dupont, "Fils" & Cie'
    assert len(rows) == 1 + 5 + 3  # header, then one row per mention; none for the error
    assert all(len(row) == 8 for row in rows)  # id … end, name, entity


def test_tsv_quotes_a_tab_and_reads_back():
    output = written(WRITERS[Format.tsv])
    assert '"revue\tpresse.txt"\t"in/revue\tpresse.txt"\tORG\tAFP\t8\t11\tAFP\tE1' in output
    rows = list(csv.reader(io.StringIO(output), delimiter="\t"))
    assert all(len(row) == 8 for row in rows)  # id … end, name, entity
    assert [row[0] for row in rows[1:]] == ["dépêches/élysée.txt"] * 5 + ["revue\tpresse.txt"] * 3


def test_grouped_csv_has_one_row_per_entity_and_joins_variants():
    rows = list(csv.DictReader(io.StringIO(written(partial(write_csv, group=True)))))
    assert [(r["id"], r["entity"], r["name"], r["count"]) for r in rows][:2] == [
        ("dépêches/élysée.txt", "E1", "Emmanuel Macron", "2"),
        ("dépêches/élysée.txt", "E2", 'Dupont, "Fils" & Cie', "1")]
    assert rows[0]["variants"] == "Emmanuel Macron | Macron"
    assert len(rows) == 4 + 3


def test_jsonl_and_json_read_back_to_the_records_with_accents_kept():
    jsonl = written(WRITERS[Format.jsonl])
    assert [json.loads(line) for line in jsonl.splitlines()] == RECORDS
    assert "Élysée" in jsonl and "\\u00" not in jsonl
    # JSON is one document: an array, whatever the number of records (json.load, pandas)
    assert json.loads(written(WRITERS[Format.json])) == RECORDS
    assert json.loads(written(WRITERS[Format.json], RECORDS[:1])) == RECORDS[:1]
    assert json.loads(written(WRITERS[Format.json], [])) == []


def test_table_skips_error_records_and_shows_each_document():
    output = written(WRITERS[Format.table])
    assert "binaire.png" not in output and "binary file" not in output
    assert "dépêches/élysée.txt · 5 mentions" in output
    assert "\x1b[" not in output  # no colour into a file


def test_html_golden_ignores_only_the_stylesheet():
    html = written(WRITERS[Format.html])
    stripped = without_css(html)
    assert "Dupont, &quot;Fils&quot; &amp; Cie" in stripped  # escaped, in the golden part
    assert "binary file (NUL bytes), skipped" in stripped


# The stats writers live in ner_cli.writers.corpus; they are imported inside the tests so
# that moving them changes one import. The corpus is the hand-made one of test_cli_stats.py.


def stats_writers():
    from ner_cli.writers.corpus import write_stats_csv, write_stats_json, write_stats_table

    return {"table.txt": write_stats_table, "json": write_stats_json, "csv": write_stats_csv}


@pytest.mark.parametrize("suffix", ["table.txt", "json", "csv"])
def test_stats_writer_golden(suffix):
    from ner_cli.corpus import CorpusCounter
    from tests.test_cli_stats import CORPUS

    counter = CorpusCounter()
    for record in CORPUS:
        counter.add(record)
    out = io.StringIO()
    stats_writers()[suffix](counter, counter.entities(), out)
    check_golden(GOLDEN / f"stats.{suffix}", out.getvalue())


def test_output_path_stays_inside(tmp_path):
    assert output_path(tmp_path, "../../etc/passwd") == tmp_path / "etc" / "passwd.json"
    assert output_path(tmp_path, "/abs/a.txt") == tmp_path / "abs" / "a.txt.json"


def test_check_golden_update_mode_rewrites_then_fails_and_never_passes_a_change(
        tmp_path, monkeypatch):
    import tests.conftest as conftest

    path = tmp_path / "x.txt"
    monkeypatch.setattr(conftest, "ROOT", tmp_path)
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        conftest.check_golden(path, "new\n")
    assert not path.exists()
    monkeypatch.setattr(conftest, "UPDATE_GOLDEN", True)
    with pytest.raises(pytest.fail.Exception, match="rewrote x.txt: review `git diff`"):
        conftest.check_golden(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    conftest.check_golden(path, "new\n")  # unchanged: passes, even in update mode
    monkeypatch.setattr(conftest, "UPDATE_GOLDEN", False)
    with pytest.raises(AssertionError, match="differs from x.txt"):
        conftest.check_golden(path, "newer\n")
