"""Corpus files holding many documents: JSON Lines and CSV/TSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ner_cli.document import Document
from ner_cli.errors import InputError
from ner_cli.jsonl import read_jsonl


def jsonl_documents(path: str, text: str, text_key: str, id_key: str) -> Iterator[Document]:
    """One Document per non-empty line; a bad line becomes an error Document."""
    for line in read_jsonl(text):
        where = f"{path}:{line.number}"
        if line.error is not None:
            yield Document(where, where, error=line.error)
        elif not isinstance(line.value, dict):
            yield Document(where, where, error="line is not a JSON object")
        else:
            yield _document(where, line.value.get(id_key), line.value.get(text_key), text_key)


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
