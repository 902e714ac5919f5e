"""CSV and TSV: one row per mention (or per entity with ``group``), with a header."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from ner_cli.entities import grouped_entities

COLUMNS = ("id", "source", "label", "text", "start", "end", "name", "entity")
GROUPED_COLUMNS = ("id", "source", "entity", "label", "name", "count", "variants",
                   "first_start")
# Variants of one entity in a single cell: a separator that names do not contain.
VARIANT_SEPARATOR = " | "


def _write_rows(records: Iterable[dict], out: TextIO, delimiter: str, group: bool) -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(GROUPED_COLUMNS if group else COLUMNS)
    for record in records:
        if group:
            for entity in grouped_entities(record):
                writer.writerow([record["id"], record["source"], entity["id"], entity["label"],
                                 entity["name"], entity["count"],
                                 VARIANT_SEPARATOR.join(entity["variants"]),
                                 entity["first_start"]])
        else:
            for mention in record.get("entities", ()):
                writer.writerow([record["id"], record["source"], mention["label"],
                                 mention["text"], mention["start"], mention["end"],
                                 mention.get("name", mention["text"]), mention.get("entity")])
        out.flush()


def write_csv(records: Iterable[dict], out: TextIO, group: bool = False) -> None:
    """Comma-separated mentions (entities with ``group``), quoted where needed (RFC 4180)."""
    _write_rows(records, out, ",", group)


def write_tsv(records: Iterable[dict], out: TextIO, group: bool = False) -> None:
    """Tab-separated mentions (entities with ``group``)."""
    _write_rows(records, out, "\t", group)
