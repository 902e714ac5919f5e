"""`ner-cli show`: a text with its entities highlighted, a legend and a per-entity summary."""

from __future__ import annotations

import itertools
import sys
from typing import Annotated

import typer

from ner_cli.cli.options import Inputs, LabelsOption, command, parse_labels
from ner_cli.errors import ExitStatus
from ner_cli.options import PipelineOptions
from ner_cli.processing import Processed


@command("show")
def show_cli(
    inputs: Inputs,
    labels: LabelsOption = None,
    pager: Annotated[
        bool,
        typer.Option("--pager/--no-pager",
                     help="Page long texts on a terminal (less -R unless PAGER/LESS say else)."),
    ] = True,
    ids: Annotated[
        list[str] | None,
        typer.Option("--id", metavar="ID",
                     help="Show only the document with this id (repeatable); a corpus "
                     "database is read without the model."),
    ] = None,
    pipeline: PipelineOptions = PipelineOptions(),
) -> ExitStatus:
    """Show a text with its entities highlighted, a legend and a per-entity summary.

    Example: ner-cli show samples/rpdc-russie-vostotchny.txt
    """
    from ner_cli.api import Extractor, stored_records
    from ner_cli.cli.running import Run
    from ner_cli.readers import read_documents
    from ner_cli.render import wants_colour, write_views
    from ner_cli.writers.sqlite import is_database

    extractor = Extractor(pipeline, labels=parse_labels(labels), include_text=True)
    run = Run(inputs, quiet=True)
    stored = [p for p in inputs.paths if is_database(p)]
    others = [p for p in inputs.paths if p not in stored]
    documents = read_documents(others, inputs.options, run.left_out)
    if ids:
        documents = (d for d in documents if d.id in ids)
    records = itertools.chain(
        (_with_text(p) for path in stored for p in stored_records(path, ids)),
        extractor.process(documents) if others else ())
    write_views(run.records(records), sys.stdout, wants_colour(sys.stdout), pager)
    return run.finish()


def _with_text(processed: Processed) -> Processed:
    """A stored record, or an error record when the database holds no text for it."""
    record = processed.record
    if "error" in record or "text" in record:
        return processed
    return Processed({"id": record["id"], "source": record["source"],
                      "error": "no text stored for this document; write the database with "
                      "`ner-cli extract --include-text`"}, 0)
