"""Parquet output (ner_cli.writers.parquet) on hand-made records, and without pyarrow."""

from __future__ import annotations

import csv
import io
import sys

import pytest

from ner_cli.writers import write_csv
from ner_cli.writers.parquet import ParquetUnavailable, require_pyarrow, write_parquet
from tests.conftest import SAMPLES
from tests.test_writers import RECORDS

pq = pytest.importorskip("pyarrow.parquet")


def csv_rows(group: bool) -> list[dict]:
    out = io.StringIO()
    write_csv(RECORDS, out, group=group)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_mentions_table_holds_the_csv_rows_and_titles(tmp_path):
    path = tmp_path / "mentions.parquet"
    write_parquet(RECORDS, path)
    rows = pq.read_table(path).to_pylist()
    assert [{k: str(v) if k in ("start", "end") else v for k, v in row.items()
             if k in csv_rows(False)[0]} for row in rows] == csv_rows(False)
    assert [(r["name"], r["title"], r["title_start"], r["title_end"]) for r in rows
            if r["title"]] == [("Emmanuel Macron", "président", 3, 12), ("Merkel", "Mme", 13, 16)]


def test_entities_table_with_group(tmp_path):
    path = tmp_path / "entities.parquet"
    write_parquet(RECORDS, path, group=True)
    rows = pq.read_table(path).to_pylist()
    assert len(rows) == len(csv_rows(True)) == 7
    assert rows[0]["variants"] == ["Emmanuel Macron", "Macron"]  # a list, not a joined string
    assert [r["name"] for r in rows] == [r["name"] for r in csv_rows(True)]


def test_no_records_give_an_empty_table_with_its_columns(tmp_path):
    path = tmp_path / "none.parquet"
    write_parquet([], path)
    table = pq.read_table(path)
    assert table.num_rows == 0
    assert table.schema.names[:4] == ["id", "source", "label", "text"]


def test_without_pyarrow_one_line_names_the_install_command(quick, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ParquetUnavailable):
        require_pyarrow()
    result = quick("extract", SAMPLES, "-o", tmp_path / "mentions.parquet")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("ner-cli: error: Parquet output needs pyarrow: "
                             "pip install 'ner-cli[parquet]'\n")
    assert not (tmp_path / "mentions.parquet").exists()


def test_extract_writes_parquet_by_extension(cli, tmp_path):
    path = tmp_path / "mentions.parquet"
    result = cli("extract", SAMPLES, "-q", "-o", path)
    assert (result.exit_code, result.stdout) == (0, "")
    jsonl = cli("extract", SAMPLES, "-q", "-f", "csv").stdout
    assert pq.read_table(path).num_rows == len(jsonl.splitlines()) - 1
