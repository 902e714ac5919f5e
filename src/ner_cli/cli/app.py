"""The Typer app, and how the command line speaks: error lines, notes, exit statuses.

The core raises typed errors (``ner_cli.errors``); this is the one place that words them
for a person, with the command line's own flag names.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from ner_cli import __version__
from ner_cli.errors import (
    BadPatterns,
    ExitStatus,
    MissingText,
    NerCliError,
    PathNotFound,
    UnknownLabels,
)

app = typer.Typer(
    name="ner-cli",
    help="Named-entity extraction for French news: people, places, organisations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
err_console = Console(stderr=True, highlight=False)


def _plain_help_types() -> None:
    """Help shows ``N``, ``FILE``, ``PATH`` (each option's metavar), not Python types.

    Typer 0.29 prints a type column (``<bool>``, ``<list[str]>``) even for flags and for
    arguments that have a metavar, and ranges as ``[x>=1]``; this makes flags show none,
    arguments their metavar only, and drops the range hint. tests/test_cli_help.py checks
    the result.
    """
    from typer.core import TyperArgument, TyperOption

    option_type = TyperOption.display_type_rich
    argument_type = TyperArgument.display_type_rich

    def option(self, ctx):
        return None if self.is_flag else option_type(self, ctx)

    def argument(self, ctx):
        return None if self.metavar is not None else argument_type(self, ctx)

    TyperOption.display_type_rich = option
    TyperArgument.display_type_rich = argument
    # "[x>=1]": the range is checked all the same, and its error message says it
    TyperOption._get_number_range_help_str = lambda self: None


_plain_help_types()


def _debug() -> bool:
    return os.environ.get("NER_CLI_DEBUG") == "1"


def quiet_dask() -> None:
    """No log records and no warnings from Dask (``--cluster``): it logs a lot (restarted
    workers, lost connections, reconnection attempts) that ner-cli says in one line of its
    own, or that need not be said. Dask sets up its loggers when it is imported, so they are
    switched off for the whole process; NER_CLI_DEBUG=1 keeps them."""
    import logging
    import warnings

    if not _debug():
        logging.disable(logging.CRITICAL)
        for module in ("distributed", "dask", "tornado", "bokeh"):
            warnings.filterwarnings("ignore", module=module)


def note(message: str) -> None:
    """One line on stderr (a summary, a hint), never markup-interpreted."""
    err_console.print(message, markup=False, soft_wrap=True)


def summary(line: str) -> None:
    """The end-of-run summary on stderr: ``ner-cli: <line>``."""
    note(f"ner-cli: {line}")


def error(message: str) -> None:
    """One error line on stderr: ``ner-cli: <message>``."""
    note(f"ner-cli: {message}")


def describe(exc: NerCliError) -> str:
    """A core error in the command line's words."""
    if isinstance(exc, BadPatterns):
        return f"--patterns: {exc}"
    if isinstance(exc, UnknownLabels):
        return f"--labels: {exc}"
    if isinstance(exc, MissingText):
        return (
            f"{exc.document_id}: --window sentence needs the document text; write the "
            "JSONL with `ner-cli extract --include-text`, or give the texts"
        )
    if isinstance(exc, PathNotFound) and exc.role == "gold":
        return f"gold file {exc}"
    if isinstance(exc, PathNotFound) and exc.role.startswith("--"):
        return f"{exc.role}: {exc}"
    return str(exc)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn core errors into one-line messages and exit codes; NER_CLI_DEBUG=1 re-raises."""
    try:
        yield
    except NerCliError as exc:
        if _debug():
            raise
        error(f"error: {describe(exc)}")
        raise typer.Exit(exc.exit_status) from None
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining
        # when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(ExitStatus.OK) from None
    except KeyboardInterrupt:
        error("interrupted")
        raise typer.Exit(ExitStatus.INTERRUPTED) from None
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if _debug():
            raise
        error(f"internal error: {type(exc).__name__}: {exc} (NER_CLI_DEBUG=1 shows the traceback)")
        raise typer.Exit(ExitStatus.FAILURE) from None


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
