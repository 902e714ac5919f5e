"""JSON Lines (one record per line) and indented JSON (one object per document)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO


def write_jsonl(records: Iterable[dict], out: TextIO) -> None:
    """One compact JSON object per line; accents stay readable."""
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def write_json(records: Iterable[dict], out: TextIO) -> None:
    """Indented JSON objects, one per document, one after the other (a stream jq reads)."""
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        out.flush()
