"""Corpus files holding many documents: JSON Lines and CSV/TSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from ner_cli.document import Document
from ner_cli.errors import InputError


def jsonl_documents(path: str, text: str, text_key: str, id_key: str) -> Iterator[Document]:
    """One Document per non-empty line; a bad line becomes an error Document."""
    # JSON Lines are separated by "\n" only: str.splitlines would also cut at U+2028, U+0085…
    # which JSON strings may hold raw.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Document(where, where, error=f"malformed JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            yield Document(where, where, error="line is not a JSON object")
            continue
        yield _document(where, record.get(id_key), record.get(text_key), text_key)


def csv_documents(
    path: str, text: str, delimiter: str, text_column: str, id_column: str
) -> Iterator[Document]:
    """One Document per row; quoted newlines are fine, a row without text is an error."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.fieldnames is None or text_column not in reader.fieldnames:
        columns = ", ".join(reader.fieldnames or []) or "none"
        raise InputError(f"no column {text_column!r} (columns: {columns})")
    for number, row in enumerate(reader, start=1):
        where = f"{path}:{number}"
        yield _document(where, row.get(id_column), row.get(text_column), text_column)


def _document(where: str, raw_id: object, text: object, key: str) -> Document:
    doc_id = where if raw_id is None or raw_id == "" else str(raw_id)
    if text is None:
        return Document(doc_id, where, error=f"no {key!r} field")
    if not isinstance(text, str):
        return Document(doc_id, where, error=f"{key!r} is not a string")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return Document(doc_id, where, error=f"{key!r} holds a lone surrogate")
    return Document(doc_id, where, text=text)
