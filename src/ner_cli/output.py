"""Where output goes: stdout or a file written atomically, and which format it takes.

One writer for every file ner-cli creates (``-o``, ``--output-dir``, the model card): a
temporary file in the same folder, renamed at the end, so a file is complete or absent,
and created with the mode a plain ``open`` would give it under the umask (an existing
file keeps its mode).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
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
def atomic_open(path: Path, *, make_parents: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text handle whose content replaces ``path`` only when the block ends well.

    A path that cannot be created raises UnwritableOutput; a write that fails, OutputError.
    Special files (/dev/stdout, a FIFO) are written directly. Ctrl-C at any point leaves no
    temporary file behind.
    """
    handle: TextIO | None = None
    temporary: Path | None = None
    try:
        # A Ctrl-C between mkstemp and the assignment would leak the temporary file: it is
        # held until both names are bound, then raised here, where the finally cleans up.
        with sigint_held():
            handle, temporary = _open_for_replace(path, make_parents)
        with handle:
            yield handle
        if temporary is not None:
            os.replace(temporary, path)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(str(path), os_reason(error)) from error
    finally:
        if handle is not None:
            handle.close()
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _open_for_replace(path: Path, make_parents: bool) -> tuple[TextIO, Path | None]:
    # The handle, and the temporary file to rename onto path (None: write path directly).
    direct = path.exists() and not path.is_file()
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and not os.access(path, os.W_OK):
            raise PermissionError(13, "Permission denied")
        if direct:
            return path.open("w", encoding="utf-8", newline=""), None
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, new_file_mode(path))  # mkstemp makes 0600 files
            return os.fdopen(fd, "w", encoding="utf-8", newline=""), Path(name)
        except BaseException:
            os.close(fd)
            os.unlink(name)
            raise
    except OSError as error:
        raise UnwritableOutput(str(path), os_reason(error)) from error


@contextmanager
def sigint_held() -> Iterator[None]:
    """Hold SIGINT (Ctrl-C) until the block ends, then deliver it as it would have been.

    Only the main thread can set signal handlers, and only one Python installed can be put
    back; otherwise the block runs as it is.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is None):
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)


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
