"""`ner-cli graph`: who appears with whom, as a co-occurrence network for Gephi or Cytoscape."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ner_cli.cli.options import (
    OUTPUT_PANEL,
    Inputs,
    LabelsOption,
    QuietOption,
    VerboseOption,
    command,
    parse_labels,
)
from ner_cli.corpus import Window
from ner_cli.errors import ExitStatus, UsageError
from ner_cli.options import PipelineOptions


@command("graph")
def graph_cli(
    inputs: Inputs,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The graph file; its extension sets the format: .gexf, .graphml "
            "(Gephi, Cytoscape) or .csv (edge list).",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
        ),
    ] = ...,
    window: Annotated[
        Window,
        typer.Option(
            "--window",
            help="Link two entities named in the same document, or in the same sentence.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = Window.document,
    min_weight: Annotated[
        int,
        typer.Option(
            "--min-weight",
            min=1,
            metavar="N",
            help="Keep only links seen in at least this many windows.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 1,
    labels: LabelsOption = None,
    pipeline: PipelineOptions = PipelineOptions(),
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> ExitStatus:
    """Co-occurrence network of a corpus's entities, weighted by shared documents or sentences.

    Example: ner-cli graph articles/ --labels PER,ORG --min-weight 2 -o graph.gexf
    """
    from ner_cli.cli.running import count_corpus
    from ner_cli.output import open_output
    from ner_cli.writers.corpus import GRAPH_SUFFIXES, write_edge_csv, write_graph

    suffix = output.suffix.lower()
    if suffix not in GRAPH_SUFFIXES:
        raise UsageError(f"-o {output}: the extension must be one of {', '.join(GRAPH_SUFFIXES)}")
    with open_output(output) as out:  # opened first: a bad path fails before the run
        counter, status = count_corpus(
            inputs, pipeline, parse_labels(labels), window, quiet, verbose
        )
        if suffix == ".csv":
            write_edge_csv(counter, min_weight, out)
        else:
            write_graph(counter, min_weight, suffix, out.buffer)
    return status
