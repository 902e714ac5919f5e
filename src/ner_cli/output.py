"""Where output goes: stdout or a file written atomically, and which format it takes.

One writer for every file ner-cli creates (``-o``, ``--output-dir``, the model card): a
temporary file in the same folder, renamed at the end, so a file is complete or absent,
and created with the mode a plain ``open`` would give it under the umask (an existing
file keeps its mode).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TextIO, TypeVar

from ner_cli.errors import OutputError, UnwritableOutput, os_reason

STDOUT = "-"
F = TypeVar("F", bound=Enum)


def is_stdout(path: Path | str | None) -> bool:
    """No path, or ``-``: standard output."""
    return path is None or str(path) == STDOUT


def choose_format(explicit: F | None, output: Path | None, stdout_is_terminal: bool, *,
                  by_suffix: Mapping[str, F], terminal: F, piped: F, unknown_suffix: F) -> F:
    """The output format: an explicit one wins; else the output file's extension; else
    ``terminal`` on a terminal and ``piped`` otherwise (``-o -`` is standard output)."""
    if explicit is not None:
        return explicit
    if not is_stdout(output):
        return by_suffix.get(Path(output).suffix.lower(), unknown_suffix)
    return terminal if stdout_is_terminal else piped


def new_file_mode(path: Path) -> int:
    """The mode for ``path``: its own if it exists, else what ``open`` gives under the umask."""
    if path.is_file():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_open(path: Path, *, make_parents: bool = False,
                binary: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text handle (``binary``: a bytes one) whose content replaces ``path`` only
    when the block ends well.

    A path that cannot be created raises UnwritableOutput; a write that fails, OutputError.
    Special files (/dev/stdout, a FIFO) are written directly.
    """
    direct = path.exists() and not path.is_file()
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and not os.access(path, os.W_OK):
            raise PermissionError(13, "Permission denied")
        text = {} if binary else {"encoding": "utf-8", "newline": ""}
        mode = "wb" if binary else "w"
        if direct:
            handle, temporary = path.open(mode, **text), None
        else:
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.fchmod(fd, new_file_mode(path))  # mkstemp makes 0600 files
            handle, temporary = os.fdopen(fd, mode, **text), Path(name)
    except OSError as error:
        raise UnwritableOutput(str(path), os_reason(error)) from error
    try:
        with handle:
            yield handle
        if temporary is not None:
            os.replace(temporary, path)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(str(path), os_reason(error)) from error
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` (its folders created) through atomic_open.

    Used part-way through a run, so any failure is an OutputError (exit 1), not a usage one.
    """
    try:
        with atomic_open(path, make_parents=True) as out:
            out.write(content)
    except UnwritableOutput as error:
        raise OutputError(error.path, error.reason) from error


@contextmanager
def open_output(path: Path | None, stdout: TextIO | None = None) -> Iterator[TextIO]:
    """Standard output for no path or ``-``, else ``path`` written atomically."""
    if is_stdout(path):
        yield stdout if stdout is not None else sys.stdout
        return
    with atomic_open(Path(path)) as handle:
        yield handle
