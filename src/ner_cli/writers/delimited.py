"""CSV and TSV: one row per mention, with a header."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

COLUMNS = ("id", "source", "label", "text", "start", "end")


def _write_rows(records: Iterable[dict], out: TextIO, delimiter: str) -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        for mention in record.get("entities", ()):
            writer.writerow([record["id"], record["source"], mention["label"], mention["text"],
                             mention["start"], mention["end"]])
        out.flush()


def write_csv(records: Iterable[dict], out: TextIO) -> None:
    """Comma-separated mentions, quoted where needed (RFC 4180)."""
    _write_rows(records, out, ",")


def write_tsv(records: Iterable[dict], out: TextIO) -> None:
    """Tab-separated mentions."""
    _write_rows(records, out, "\t")
