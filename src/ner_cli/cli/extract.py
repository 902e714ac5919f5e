"""`ner-cli extract`: entities of each document, in the chosen format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ner_cli.cli.options import (
    OUTPUT_PANEL,
    PIPELINE_PANEL,
    TOKEN_ENV,
    Inputs,
    LabelsOption,
    OutputOption,
    QuietOption,
    VerboseOption,
    command,
    parse_labels,
)
from ner_cli.errors import ExitStatus, UsageError
from ner_cli.options import PipelineOptions
from ner_cli.writers import Format


@command("extract")
def extract_cli(
    inputs: Inputs,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Output format (default: table on a terminal, "
            "jsonl when piped, or from the -o file's extension).",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
        ),
    ] = None,
    output: OutputOption = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            metavar="DIR",
            help="Write one JSON file per document here, mirroring the input tree.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="With --output-dir: skip documents already written.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    include_text: Annotated[
        bool,
        typer.Option(
            "--include-text",
            help="Add each document's text to its record.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    group: Annotated[
        bool,
        typer.Option(
            "--group",
            help="Table/CSV/TSV/Parquet: one row per entity with its count, not "
            "one per mention (JSON always has entities_grouped).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="With a database (-o news.db): remove the documents this run's inputs no "
            "longer hold.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    labels: LabelsOption = None,
    server: Annotated[
        str | None,
        typer.Option("--server", metavar="URL", rich_help_panel=PIPELINE_PANEL,
                     help="Send the texts to a running `ner-cli serve` at URL; the model is "
                     "not loaded here."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", metavar="TOKEN", envvar=TOKEN_ENV, show_envvar=True,
                     rich_help_panel=PIPELINE_PANEL, help="With --server: its bearer token."),
    ] = None,
    pipeline: PipelineOptions = PipelineOptions(),
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> ExitStatus:
    """Extract named entities from French texts: files, folders, corpora or stdin.

    Example: ner-cli extract articles/ -j 2 -o mentions.jsonl
    """
    from ner_cli.api import Extractor
    from ner_cli.cli.running import Run
    from ner_cli.output import is_stdout, open_output
    from ner_cli.readers import read_documents
    from ner_cli.writers import FILE_FORMATS, records_format, writer_for
    from ner_cli.writers.files import output_path, write_output_dir

    if resume and output_dir is None:
        raise UsageError("--resume needs --output-dir")
    if output_dir is not None and (output is not None or fmt is not None):
        raise UsageError("--output-dir writes JSON files; it goes without -o and --format")
    chosen = records_format(fmt, output, sys.stdout.isatty())
    if prune and chosen is not Format.sqlite:
        raise UsageError("--prune goes with a database output (-o FILE.db)")
    if chosen in FILE_FORMATS and is_stdout(output):
        database = chosen is Format.sqlite
        what, suffix = ("a database file", "db") if database else ("a file", chosen.value)
        raise UsageError(f"--format {chosen.value} writes {what}: give -o FILE.{suffix}")
    if chosen is Format.parquet:
        from ner_cli.writers.parquet import require_pyarrow

        require_pyarrow()
    # the HTML report shows each text with its marks
    record_options = {"labels": parse_labels(labels),
                      "include_text": include_text or chosen is Format.html}
    if server is not None:
        from ner_cli.client import RemoteExtractor, Service

        if pipeline.cluster is not None:
            raise UsageError("--server and --cluster exclude each other: the service runs "
                             "the pipeline")
        if pipeline != PipelineOptions(batch_size=pipeline.batch_size, jobs=pipeline.jobs,
                                       cluster_batch=pipeline.cluster_batch):
            raise UsageError("--server runs the service's pipeline: give --model, --base-ner, "
                             "--ner-weights or --patterns to `ner-cli serve`")
        extractor = RemoteExtractor(Service(server, token), **record_options)
    else:
        extractor = Extractor(pipeline, **record_options)
    screen = output_dir is None and is_stdout(output) and sys.stdout.isatty()
    run = Run(inputs, quiet, verbose, pipeline.model if server is None else server,
              writes_to_screen=screen)
    documents = read_documents(inputs.paths, inputs.options, run.left_out,
                               pipeline.cluster_reads)
    if resume:
        documents = run.skipping(
            documents, lambda d: d.error is None and output_path(output_dir, d.id).exists()
        )
    if chosen is Format.sqlite:
        return _into_database(output, extractor, run, documents, prune)
    records = run.records(extractor.process(documents))
    if chosen is Format.parquet:
        from ner_cli.writers.parquet import write_parquet

        write_parquet(records, output, group)
    elif output_dir is not None:
        write_output_dir(records, output_dir)
    else:
        with open_output(output) as out:
            writer_for(chosen, group)(records, out)
    return run.finish()


def _into_database(output, extractor, run, documents, prune: bool) -> ExitStatus:
    """-o news.db: only new, changed or redone documents go through the pipeline; the
    others are counted as unchanged (the way --resume skips written files)."""
    from ner_cli.cli.app import error
    from ner_cli.readers import NO_MATCHING_FILES
    from ner_cli.writers.sqlite import CorpusStore

    labels = extractor.record_options.labels
    version = {**extractor.pipeline_version(), "labels": ",".join(labels) if labels else None}
    with CorpusStore(output, version) as store:
        run.tally.changes = store.counts
        store.write(run.records(extractor.process(run.skipping(documents, store.skip))))
        if prune and any(r["error"] == NO_MATCHING_FILES for r in run.failures):
            # an empty (or unmounted) folder would prune everything it ever held
            error("--prune skipped: a folder had no matching files")
        elif prune:
            store.prune()
    return run.finish()
