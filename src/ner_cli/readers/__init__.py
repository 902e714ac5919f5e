"""Readers: paths, folders and corpus files -> a stream of Documents.

A reader never raises for one bad input: the problem becomes a Document with ``error``,
so every input yields a record and the run goes on.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath

from ner_cli.document import Document
from ner_cli.errors import MISSING, InputError, PathNotFound, os_reason
from ner_cli.readers.text import STDIN, decode

NO_MATCHING_FILES = "no matching files in folder"
# The meta key of a Document not read yet (read_source's ``defer``): its InputOptions.
UNREAD = "unread"


class InputFormat(str, Enum):
    """How to read an input; ``auto`` goes by the file's extension."""

    auto = "auto"
    text = "text"
    html = "html"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"


SUFFIXES = {
    ".txt": InputFormat.text, ".md": InputFormat.text, ".text": InputFormat.text,
    ".html": InputFormat.html, ".htm": InputFormat.html,
    ".jsonl": InputFormat.jsonl, ".ndjson": InputFormat.jsonl,
    ".csv": InputFormat.csv, ".tsv": InputFormat.tsv,
}


@dataclass(frozen=True)
class InputOptions:
    """What to pick inside folders and how to read what is picked."""

    glob: str | None = None
    input_format: InputFormat = InputFormat.auto
    text_key: str = "text"
    id_key: str = "id"
    text_column: str = "text"
    id_column: str = "id"


@dataclass(frozen=True)
class Source:
    """One file (or stdin) to read, with the id its document(s) will carry."""

    path: str
    id: str
    error: str | None = None


def discover(paths: Iterable[str], glob: str | None = None,
             on_skip: Callable[[str], None] | None = None) -> Iterator[Source]:
    """Expand folders (recursive, sorted, dot-files skipped) into Sources, in order.

    Inside a folder, files are picked by ``glob`` (matched against the path relative to the
    folder, from the right: ``*.txt``), else by a known extension. A named file is always
    read, whatever its extension. ``on_skip(path)`` hears of each file of a folder that
    was left out for its extension or the glob (hidden files are left out silently).
    """
    for path in paths:
        if path == STDIN or not os.path.isdir(path):
            yield Source(path, "stdin" if path == STDIN else path)
            continue
        found = False
        for relative in _walk(path):
            if (relative.suffix.lower() not in SUFFIXES if glob is None
                    else not relative.match(glob)):
                if on_skip is not None:
                    on_skip(os.path.join(path, *relative.parts))
                continue
            found = True
            yield Source(os.path.join(path, *relative.parts), str(relative))
        if not found:
            yield Source(path, path, error=NO_MATCHING_FILES)


def _walk(folder: str) -> Iterator[PurePosixPath]:
    # followlinks=False: a symlink loop cannot make the walk endless.
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = PurePosixPath(Path(root).relative_to(folder).as_posix())
        for name in sorted(files):
            if not name.startswith("."):
                yield base / name


def read_files_from(list_path: str) -> Iterator[str]:
    """Paths listed one per line in ``list_path`` (``-`` for stdin); blank lines skipped."""
    if list_path == STDIN:
        lines: Iterable[str] = sys.stdin
    else:
        try:
            lines = Path(list_path).read_text(encoding="utf-8").split("\n")
        except OSError as error:
            raise PathNotFound(list_path, os_reason(error), role="list") from error
        except UnicodeDecodeError as error:
            raise PathNotFound(list_path, "not UTF-8 text", role="list") from error
    for line in lines:
        line = line.rstrip("\r\n")
        if line.strip():
            yield line


def format_of(source: Source, options: InputOptions) -> InputFormat:
    """The input format: --input-format when given, else by extension, else text."""
    if options.input_format is not InputFormat.auto:
        return options.input_format
    return SUFFIXES.get(PurePosixPath(source.path).suffix.lower(), InputFormat.text)


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    info = os.stat(path)  # follows links; a dangling one or a loop raises OSError
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file (device, FIFO or socket), skipped")
    with open(path, "rb") as handle:
        return handle.read()


def read_source(source: Source, options: InputOptions = InputOptions(),
                defer: bool = False) -> Iterator[Document]:
    """The Documents of one Source: one for a text or HTML file, one per record in a corpus.

    ``defer``: one Document that only names the file, to be read by ``read_deferred`` where
    the pipeline runs (``--cluster-reads``: workers that share the storage); standard input
    is read here all the same.
    """
    from ner_cli.readers.records import csv_documents, jsonl_documents

    if source.error is not None:
        yield Document(source.id, source.path, error=source.error)
        return
    if defer and source.path != STDIN:
        yield Document(source.id, source.path, meta={UNREAD: options})
        return
    fmt = format_of(source, options)
    try:
        text, encoding = decode(_read_bytes(source.path))
        meta = {"encoding": encoding}
        if fmt is InputFormat.text:
            yield Document(source.id, source.path, text=text, meta=meta)
        elif fmt is InputFormat.html:
            from ner_cli.readers.html import html_to_text

            yield Document(source.id, source.path, text=html_to_text(text), meta=meta)
        elif fmt is InputFormat.jsonl:
            yield from jsonl_documents(source.id, text, options.text_key, options.id_key)
        else:
            delimiter = "\t" if fmt is InputFormat.tsv else ","
            yield from csv_documents(source.id, text, delimiter, options.text_column,
                                     options.id_column)
    except InputError as error:
        yield Document(source.id, source.path, error=str(error))
    except FileNotFoundError:
        yield Document(source.id, source.path, error=MISSING)
    except OSError as error:
        yield Document(source.id, source.path, error=os_reason(error))
    except Exception as error:  # noqa: BLE001 - one unreadable input never stops the run
        yield Document(source.id, source.path,
                       error=f"cannot read: {type(error).__name__}: {error}")


def read_documents(
    paths: Iterable[str], options: InputOptions = InputOptions(),
    on_skip: Callable[[str], None] | None = None, defer: bool = False,
) -> Iterator[Document]:
    """Every Document behind ``paths`` (files, folders, ``-``), lazily and in order;
    ``defer``: see ``read_source``."""
    for source in discover(paths, options.glob, on_skip):
        yield from read_source(source, options, defer)


def read_deferred(documents: Iterable[Document]) -> Iterator[Document]:
    """``documents`` with each one ``read_source(defer=True)`` left unread read now."""
    for document in documents:
        options = document.meta.get(UNREAD)
        if options is None:
            yield document
        else:
            yield from read_source(Source(document.source, document.id), options)


__all__ = ["MISSING", "NO_MATCHING_FILES", "STDIN", "InputFormat", "InputOptions", "Source",
           "decode", "discover", "read_deferred", "read_documents", "read_files_from",
           "read_source"]
