"""Writers: one streaming function per output format, ``write_x(records, out)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TextIO

from ner_cli.output import choose_format
from ner_cli.writers.delimited import write_csv, write_tsv
from ner_cli.writers.html import write_html
from ner_cli.writers.json import write_json, write_jsonl
from ner_cli.writers.table import write_table


class Format(str, Enum):
    """Output formats of ``extract``."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    html = "html"
    sqlite = "sqlite"
    parquet = "parquet"


# Formats written into a named file (a database, Parquet), not streamed to a text handle.
FILE_FORMATS = frozenset({Format.sqlite, Format.parquet})
WRITERS: dict[Format, Callable[[Iterable[dict], TextIO], None]] = {
    Format.table: write_table,
    Format.json: write_json,
    Format.jsonl: write_jsonl,
    Format.csv: write_csv,
    Format.tsv: write_tsv,
    Format.html: write_html,
}
SUFFIXES = {".json": Format.json, ".jsonl": Format.jsonl, ".ndjson": Format.jsonl,
            ".csv": Format.csv, ".tsv": Format.tsv, ".txt": Format.table,
            ".html": Format.html, ".htm": Format.html,
            ".db": Format.sqlite, ".sqlite": Format.sqlite, ".sqlite3": Format.sqlite,
            ".parquet": Format.parquet}
# Formats that can write one row per entity instead of one per mention.
GROUPABLE = frozenset({Format.table, Format.csv, Format.tsv})


def records_format(explicit: Format | None, output: Path | None,
                   stdout_is_terminal: bool) -> Format:
    """``extract``'s format: explicit, else by ``-o`` extension (JSONL for an unknown one),
    else a table on a terminal and JSONL when piped."""
    return choose_format(explicit, output, stdout_is_terminal, by_suffix=SUFFIXES,
                         terminal=Format.table, piped=Format.jsonl,
                         unknown_suffix=Format.jsonl)


def writer_for(fmt: Format, group: bool = False) -> Callable[[Iterable[dict], TextIO], None]:
    """The writer for ``fmt``; with ``group``, table/CSV/TSV write one row per entity."""
    if group and fmt in GROUPABLE:
        return partial(WRITERS[fmt], group=True)
    return WRITERS[fmt]


__all__ = ["FILE_FORMATS", "GROUPABLE", "SUFFIXES", "WRITERS", "Format", "records_format",
           "write_csv", "write_html", "write_json", "write_jsonl", "write_table", "write_tsv",
           "writer_for"]
