"""Writers: one streaming function per output format, ``write_x(records, out)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import TextIO

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


WRITERS: dict[Format, Callable[[Iterable[dict], TextIO], None]] = {
    Format.table: write_table,
    Format.json: write_json,
    Format.jsonl: write_jsonl,
    Format.csv: write_csv,
    Format.tsv: write_tsv,
    Format.html: write_html,
}

__all__ = ["WRITERS", "Format", "write_csv", "write_html", "write_json", "write_jsonl",
           "write_table", "write_tsv"]
