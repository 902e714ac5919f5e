"""A rich table per document, for people at a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ner_cli.entities import grouped_entities
from ner_cli.labels import colour


def write_table(records: Iterable[dict], out: TextIO, group: bool = False) -> None:
    """One table per document: label (coloured), mention text, character offsets.

    With ``group``: one row per entity, with its name, mention count and variants.
    """
    console = Console(file=out, highlight=False)
    for record in records:
        if "error" in record:
            continue  # errors are reported on stderr
        if group:
            console.print(f"[bold]{escape(record['id'])}[/bold] · "
                          f"{len(grouped_entities(record))} entities, "
                          f"{len(record['entities'])} mentions")
            console.print(_grouped(record))
        else:
            console.print(f"[bold]{escape(record['id'])}[/bold] · "
                          f"{len(record['entities'])} mentions")
            console.print(_mentions(record))


def _mentions(record: dict) -> Table:
    return _labelled_table(
        ("text", "start", "end"),
        ((m["label"], m["text"], str(m["start"]), str(m["end"])) for m in record["entities"]),
    )


def _grouped(record: dict) -> Table:
    return _labelled_table(
        ("name", "count", "variants"),
        ((e["label"], e["name"], str(e["count"]), ", ".join(e["variants"]))
         for e in grouped_entities(record)),
    )


# Numbers align right, words left.
_RIGHT = frozenset({"start", "end", "count"})


def _labelled_table(columns: tuple[str, ...], rows) -> Table:
    """A table whose first column is the coloured label, then ``columns``."""
    table = Table()
    for column in ("label", *columns):
        table.add_column(column, justify="right" if column in _RIGHT else "left")
    for label, *cells in rows:
        table.add_row(Text(label, style=f"bold {colour(label)}"), *cells)
    return table
