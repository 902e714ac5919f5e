"""Plain-text inputs: files and standard input."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ner_cli.document import Document
from ner_cli.errors import InputError

STDIN = "-"
MISSING = "no such file or directory"


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` as UTF-8, dropping a BOM; returns (text, encoding name)."""
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(encoding), "utf-8"
    except UnicodeDecodeError as error:
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from error


def read_document(path: str) -> Document:
    """Read one path (or ``-`` for stdin) into a Document; problems go into ``error``."""
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read()
        else:
            file = Path(path)
            if file.is_dir():
                raise InputError("is a directory")
            data = file.read_bytes()
        text, _ = decode(data)
    except InputError as error:
        return Document(id=_id(path), source=path, error=str(error))
    except FileNotFoundError:
        return Document(id=_id(path), source=path, error=MISSING)
    except OSError as error:
        return Document(id=_id(path), source=path, error=error.strerror or str(error))
    return Document(id=_id(path), source=path, text=text)


def _id(path: str) -> str:
    return "stdin" if path == STDIN else path


def read_paths(paths: Iterable[str]) -> Iterator[Document]:
    """One Document per path, lazily, in the order given."""
    for path in paths:
        yield read_document(path)
