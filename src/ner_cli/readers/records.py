"""Corpus files holding many documents: JSON Lines and CSV/TSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ner_cli.document import Document
from ner_cli.errors import InputError
from ner_cli.jsonl import read_jsonl


def jsonl_documents(path: str, text: str | bytes, text_key: str, id_key: str,
                    numbered: bool = False) -> Iterator[Document]:
    """One Document per non-empty line; a bad line becomes an error Document.

    A line's id (when it has none) and source are "<path>:<line>"; ``numbered``: its id is
    its line number and its source ``path`` (the service's NDJSON requests).
    """
    for line in read_jsonl(text):
        where = str(line.number) if numbered else f"{path}:{line.number}"
        source = path if numbered else where
        if line.error is not None:
            yield Document(where, source, error=line.error)
        elif not isinstance(line.value, dict):
            yield Document(where, source, error="line is not a JSON object")
        else:
            yield text_document(where, line.value.get(id_key), line.value.get(text_key),
                                text_key, source)


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
        yield text_document(where, row.get(id_column), row.get(text_column), text_column)


def text_document(where: str, raw_id: object, text: object, key: str,
                  source: str | None = None) -> Document:
    """The Document of one JSONL line or CSV row (its id ``where`` when it has none, its
    source ``where`` unless given), or an error Document saying what is wrong with its text."""
    doc_id = where if raw_id is None or raw_id == "" else str(raw_id)
    source = where if source is None else source
    if not _is_unicode(doc_id):  # no record could carry it: UTF-8 cannot encode it
        return Document(where, source, error="the id holds a lone surrogate")
    if text is None:
        return Document(doc_id, source, error=f"no {key!r} field")
    if not isinstance(text, str):
        return Document(doc_id, source, error=f"{key!r} is not a string")
    if not _is_unicode(text):
        return Document(doc_id, source, error=f"{key!r} holds a lone surrogate")
    return Document(doc_id, source, text=text)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
