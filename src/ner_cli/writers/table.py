"""A rich table per document, for people at a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ner_cli.labels import colour


def write_table(records: Iterable[dict], out: TextIO) -> None:
    """One table per document: label (coloured), mention text, character offsets."""
    console = Console(file=out, highlight=False)
    for record in records:
        if "error" in record:
            continue  # errors are reported on stderr
        entities = record["entities"]
        console.print(f"[bold]{escape(record['id'])}[/bold] · {len(entities)} mentions")
        table = Table()
        table.add_column("label")
        table.add_column("text")
        table.add_column("start", justify="right")
        table.add_column("end", justify="right")
        for mention in entities:
            label = mention["label"]
            table.add_row(Text(label, style=f"bold {colour(label)}"), mention["text"],
                          str(mention["start"]), str(mention["end"]))
        console.print(table)
