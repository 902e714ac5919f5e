"""The Typer app and what every command shares: options, error reporting, outputs."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console

from ner_cli import __version__
from ner_cli.errors import NerCliError, UsageError
from ner_cli.writers import Format

app = typer.Typer(
    name="ner-cli",
    help="Named-entity extraction for French news: people, places, organisations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
err_console = Console(stderr=True, highlight=False)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
SUFFIX_FORMATS = {".json": Format.json, ".jsonl": Format.jsonl, ".ndjson": Format.jsonl,
                  ".csv": Format.csv, ".tsv": Format.tsv, ".txt": Format.table,
                  ".html": Format.html, ".htm": Format.html}


def _debug() -> bool:
    return os.environ.get("NER_CLI_DEBUG") == "1"


def error(message: str) -> None:
    """One line on stderr, never markup-interpreted."""
    err_console.print(f"ner-cli: {message}", markup=False, soft_wrap=True)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn core errors into one-line messages and exit codes; NER_CLI_DEBUG=1 re-raises."""
    try:
        yield
    except NerCliError as exc:
        if _debug():
            raise
        error(f"error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining
        # when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None
    except KeyboardInterrupt:
        error("interrupted")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if _debug():
            raise
        error(f"internal error: {type(exc).__name__}: {exc} (NER_CLI_DEBUG=1 shows the traceback)")
        raise typer.Exit(EXIT_FAILURE) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ner-cli {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Named-entity extraction for French news: people, places, organisations."""


def parse_labels(labels: str | None) -> list[str] | None:
    """``"per, org"`` -> ``["PER", "ORG"]``; None or empty means every label."""
    if not labels:
        return None
    parsed = [label.strip().upper() for label in labels.split(",") if label.strip()]
    if not parsed:
        raise UsageError(f"--labels: no label in {labels!r}")
    return parsed


def choose_format(fmt: Format | None, output: Path | None, stdout: TextIO) -> Format:
    """An explicit --format wins; else the -o suffix; else a table on a terminal, JSONL if piped."""
    if fmt is not None:
        return fmt
    if output is not None:
        return SUFFIX_FORMATS.get(output.suffix.lower(), Format.jsonl)
    return Format.table if stdout.isatty() else Format.jsonl


@contextmanager
def open_output(output: Path | None) -> Iterator[TextIO]:
    """stdout, or ``output`` opened for UTF-8 text; a bad path is a usage error."""
    if output is None or str(output) == "-":
        yield sys.stdout
        return
    try:
        handle = output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    with handle:
        yield handle


LabelsOption = Annotated[
    str | None, typer.Option("--labels", "-l", help="Keep only these labels, e.g. PER,ORG.")
]
ModelOption = Annotated[
    str,
    typer.Option("--model", "-m", help="spaCy pipeline (package name or path) with an 'ner'."),
]


