"""The Typer app and what every command shares: options, error reporting, outputs."""

from __future__ import annotations

import os
import sys
import tempfile
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
        from ner_cli.pipeline import ner_weights_info

        typer.echo(f"ner-cli {__version__}")
        typer.echo(ner_weights_info())
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


def _new_file_mode(path: Path) -> int:
    if path.is_file():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def open_output(output: Path | None) -> Iterator[TextIO]:
    """stdout, or ``output`` for UTF-8 text, written to a temporary file renamed at the end.

    So an output file is complete or absent: an interrupted run leaves the old file (or
    none). A path that cannot be created is a usage error; a write that fails is exit 1.
    Special files (/dev/stdout, a FIFO) are written directly.
    """
    if output is None or str(output) == "-":
        yield sys.stdout
        return
    direct = output.exists() and not output.is_file()
    try:
        if output.is_file() and not os.access(output, os.W_OK):
            raise PermissionError(13, "Permission denied")
        if direct:
            handle, temporary = output.open("w", encoding="utf-8", newline=""), None
        else:
            fd, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.",
                                        suffix=".tmp")
            os.fchmod(fd, _new_file_mode(output))  # mkstemp makes 0600 files
            handle, temporary = os.fdopen(fd, "w", encoding="utf-8", newline=""), Path(name)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    try:
        with handle:
            yield handle
        if temporary is not None:
            os.replace(temporary, output)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise NerCliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


LabelsOption = Annotated[
    str | None, typer.Option("--labels", "-l", help="Keep only these labels, e.g. PER,ORG.")
]
ModelOption = Annotated[
    str,
    typer.Option("--model", "-m", help="spaCy pipeline (package name or path) with an 'ner'."),
]


