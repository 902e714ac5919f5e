"""A rich table per document, for people at a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

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
                          f"{len(record.get('entities_grouped', []))} entities, "
                          f"{len(record['entities'])} mentions")
            console.print(_grouped(record))
        else:
            console.print(f"[bold]{escape(record['id'])}[/bold] · "
                          f"{len(record['entities'])} mentions")
            console.print(_mentions(record))


def _mentions(record: dict) -> Table:
    entities = record["entities"]
    table = Table()
    for column, justify in (("label", "left"), ("text", "left"), ("start", "right"),
                            ("end", "right")):
        table.add_column(column, justify=justify)
    for mention in entities:
        label = mention["label"]
        table.add_row(Text(label, style=f"bold {colour(label)}"), mention["text"],
                      str(mention["start"]), str(mention["end"]))
    return table


def _grouped(record: dict) -> Table:
    entities = record.get("entities_grouped", [])
    table = Table()
    for column, justify in (("label", "left"), ("name", "left"), ("count", "right"),
                            ("variants", "left")):
        table.add_column(column, justify=justify)
    for entity in entities:
        label = entity["label"]
        table.add_row(Text(label, style=f"bold {colour(label)}"), entity["name"],
                      str(entity["count"]), ", ".join(entity["variants"]))
    return table
