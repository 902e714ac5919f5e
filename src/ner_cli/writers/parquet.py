"""Parquet for data teams: the mentions table (or, with ``group``, the entities table).

Written through pyarrow, an extra (``pip install 'ner-cli[parquet]'``), in row groups of
``ROWS_PER_GROUP`` so memory stays flat; the file is written to a temporary name and renamed
at the end, like every ner-cli output.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ner_cli.entities import grouped_entities
from ner_cli.errors import UsageError

ROWS_PER_GROUP = 50_000
INSTALL = "pip install 'ner-cli[parquet]'"


class ParquetUnavailable(UsageError):
    """Parquet output was asked for and pyarrow is not installed."""

    def __init__(self) -> None:
        super().__init__(f"Parquet output needs pyarrow: {INSTALL}")


def require_pyarrow() -> None:
    """Raise ParquetUnavailable unless pyarrow can be imported (checked before the model
    loads)."""
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError as error:
        raise ParquetUnavailable() from error


def _schema(group: bool):
    import pyarrow as pa

    if group:
        return pa.schema([("id", pa.string()), ("source", pa.string()), ("entity", pa.string()),
                          ("label", pa.string()), ("name", pa.string()), ("count", pa.int32()),
                          ("variants", pa.list_(pa.string())), ("first_start", pa.int64())])
    return pa.schema([("id", pa.string()), ("source", pa.string()), ("label", pa.string()),
                      ("text", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                      ("name", pa.string()), ("entity", pa.string()), ("title", pa.string()),
                      ("title_start", pa.int64()), ("title_end", pa.int64())])


def _rows(records: Iterable[dict], group: bool) -> Iterable[dict]:
    for record in records:
        if group:
            for entity in grouped_entities(record):
                yield {"id": record["id"], "source": record["source"], "entity": entity["id"],
                       "label": entity["label"], "name": entity["name"],
                       "count": entity["count"], "variants": entity["variants"],
                       "first_start": entity["first_start"]}
            continue
        for mention in record.get("entities", ()):
            title = mention.get("title") or {}
            yield {"id": record["id"], "source": record["source"], "label": mention["label"],
                   "text": mention["text"], "start": mention["start"], "end": mention["end"],
                   "name": mention.get("name", mention["text"]),
                   "entity": mention.get("entity"), "title": title.get("text"),
                   "title_start": title.get("start"), "title_end": title.get("end")}


def write_parquet(records: Iterable[dict], path: Path, group: bool = False) -> None:
    """One row per mention (per entity with ``group``) of ``records`` into ``path``; error
    records have none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ner_cli.output import atomic_open

    schema = _schema(group)
    with atomic_open(Path(path), binary=True) as out:
        writer = pq.ParquetWriter(out, schema)
        try:
            batch: list[dict] = []
            for row in _rows(records, group):
                batch.append(row)
                if len(batch) >= ROWS_PER_GROUP:
                    writer.write_table(pa.Table.from_pylist(batch, schema))
                    batch = []
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema))
        finally:
            writer.close()
