"""JSON Lines (one record per line) and JSON (one array of records)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO


def write_jsonl(records: Iterable[dict], out: TextIO) -> None:
    """One compact JSON object per line; accents stay readable."""
    for record in records:
        out.write(jsonl_line(record))
        out.flush()


def jsonl_line(record: dict) -> str:
    """One record as a JSONL line (with its "\\n"): what ``extract -f jsonl`` and the
    service's NDJSON responses write."""
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_json(records: Iterable[dict], out: TextIO) -> None:
    """One JSON document: an indented array of the records, written as they come (not held
    in memory), so ``json.load`` and ``pandas.read_json`` read it whatever the count."""
    out.write("[")
    separator = "\n"
    for record in records:
        body = json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(f"{separator}  {body}")
        out.flush()
        separator = ",\n"
    out.write("\n]\n" if separator == ",\n" else "]\n")
