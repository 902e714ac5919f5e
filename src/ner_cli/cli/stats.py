"""`ner-cli stats`: the most named entities of a corpus, in how many documents, how often.

The corpus is what `extract` reads, plus JSONL that `extract` wrote, counted as it is
instead of being analysed again (``ner_cli.api.corpus_records``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ner_cli.cli.options import (
    OUTPUT_PANEL,
    Inputs,
    LabelsOption,
    OutputOption,
    QuietOption,
    VerboseOption,
    command,
    parse_labels,
)
from ner_cli.errors import ExitStatus
from ner_cli.options import PipelineOptions
from ner_cli.writers.corpus import StatsFormat


@command("stats")
def stats_cli(
    inputs: Inputs,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            "-n",
            min=1,
            metavar="N",
            help="Show only the first N entities.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    min_docs: Annotated[
        int,
        typer.Option(
            "--min-docs",
            min=1,
            help="Only entities named in at least K documents.",
            metavar="K",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 1,
    fmt: Annotated[
        StatsFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table, json or csv (default: table on a terminal, "
            "json when piped, or from the -o file's extension).",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
        ),
    ] = None,
    output: OutputOption = None,
    labels: LabelsOption = None,
    pipeline: PipelineOptions = PipelineOptions(),
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> ExitStatus:
    """Top entities of a corpus: name, label, documents and mentions.

    Example: ner-cli stats articles/ --labels PER --top 20
    """
    from ner_cli.cli.running import count_corpus
    from ner_cli.output import open_output
    from ner_cli.writers.corpus import STATS_WRITERS, stats_format

    chosen = stats_format(fmt, output, sys.stdout.isatty())
    with open_output(output) as out:
        counter, status = count_corpus(inputs, pipeline, parse_labels(labels), None, quiet, verbose)
        STATS_WRITERS[chosen](counter, counter.entities(top, min_docs), out)
    return status
