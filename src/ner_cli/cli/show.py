"""`ner-cli show`: a text with its entities highlighted, a legend and a per-entity summary."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ner_cli.cli.options import Inputs, LabelsOption, command, parse_labels
from ner_cli.errors import ExitStatus
from ner_cli.options import PipelineOptions


@command("show")
def show_cli(
    inputs: Inputs,
    labels: LabelsOption = None,
    pager: Annotated[
        bool,
        typer.Option("--pager/--no-pager",
                     help="Page long texts on a terminal (less -R unless PAGER/LESS say else)."),
    ] = True,
    pipeline: PipelineOptions = PipelineOptions(),
) -> ExitStatus:
    """Show a text with its entities highlighted, a legend and a per-entity summary.

    Example: ner-cli show samples/rpdc-russie-vostotchny.txt
    """
    from ner_cli.api import Extractor
    from ner_cli.cli.running import Run
    from ner_cli.readers import read_documents
    from ner_cli.render import wants_colour, write_views

    extractor = Extractor(pipeline, labels=parse_labels(labels), include_text=True)
    run = Run(inputs, quiet=True)
    documents = read_documents(inputs.paths, inputs.options, run.left_out)
    write_views(run.records(extractor.process(documents)), sys.stdout, wants_colour(sys.stdout),
                pager)
    return run.finish()
