"""Writers of the corpus view: ``stats`` tables and ``graph`` files, from a CorpusCounter."""

from __future__ import annotations

import csv
import json
from enum import Enum
from pathlib import Path
from typing import BinaryIO, TextIO

from ner_cli.corpus import CorpusCounter, EntityCount
from ner_cli.output import choose_format


class StatsFormat(str, Enum):
    """Output formats of ``stats``."""

    table = "table"
    json = "json"
    csv = "csv"


STATS_SUFFIXES = {".json": StatsFormat.json, ".csv": StatsFormat.csv, ".txt": StatsFormat.table}
GRAPH_SUFFIXES = (".gexf", ".graphml", ".csv")


def stats_format(explicit: StatsFormat | None, output: Path | None,
                 stdout_is_terminal: bool) -> StatsFormat:
    """``stats``'s format: explicit, else by ``-o`` extension (JSON for an unknown one), else
    a table on a terminal and JSON when piped."""
    return choose_format(explicit, output, stdout_is_terminal, by_suffix=STATS_SUFFIXES,
                         terminal=StatsFormat.table, piped=StatsFormat.json,
                         unknown_suffix=StatsFormat.json)


def write_stats_table(counter: CorpusCounter, entities: list[EntityCount], out: TextIO) -> None:
    """A rich table: rank, name, label (coloured), documents, mentions."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ner_cli.labels import colour

    console = Console(file=out, highlight=False)
    table = Table(caption=f"{counter.documents:,} documents · {counter.entity_count:,} entities "
                  f"· {counter.mentions:,} mentions")
    table.add_column("#", justify="right")
    table.add_column("name")
    table.add_column("label")
    table.add_column("documents", justify="right")
    table.add_column("mentions", justify="right")
    for rank, entity in enumerate(entities, start=1):
        table.add_row(str(rank), entity.name,
                      Text(entity.label, style=f"bold {colour(entity.label)}"),
                      f"{entity.documents:,}", f"{entity.mentions:,}")
    console.print(table)


def write_stats_json(counter: CorpusCounter, entities: list[EntityCount], out: TextIO) -> None:
    """One JSON object: corpus totals and the entities shown."""
    totals = {"documents": counter.documents, "failed": counter.failed,
              "mentions": counter.mentions, "distinct_entities": counter.entity_count}
    payload = {**totals, "entities": [entity.as_dict() for entity in entities]}
    out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def write_stats_csv(counter: CorpusCounter, entities: list[EntityCount], out: TextIO) -> None:
    """One row per entity, header ``name,label,documents,mentions``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("name", "label", "documents", "mentions"))
    for entity in entities:
        writer.writerow((entity.name, entity.label, entity.documents, entity.mentions))


STATS_WRITERS = {
    StatsFormat.table: write_stats_table,
    StatsFormat.json: write_stats_json,
    StatsFormat.csv: write_stats_csv,
}


def write_edge_csv(counter: CorpusCounter, min_weight: int, out: TextIO) -> None:
    """One row per link: ``source,source_label,target,target_label,weight``, heaviest first."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("source", "source_label", "target", "target_label", "weight"))
    for edge in counter.edges(min_weight):
        writer.writerow((edge.source.name, edge.source.label, edge.target.name,
                         edge.target.label, edge.weight))


def write_graph(counter: CorpusCounter, min_weight: int, suffix: str, out: BinaryIO) -> None:
    """GEXF (``.gexf``) or GraphML (``.graphml``), written by networkx."""
    import networkx as nx

    from ner_cli.corpus import to_graph

    graph = to_graph(counter, min_weight)
    if suffix == ".gexf":
        nx.write_gexf(graph, out)
    else:
        nx.write_graphml(graph, out)
