"""JSON Lines, read one way everywhere: corpus inputs, extract output, gold, patterns.

Lines are separated by "\\n" only (a "\\r" before it is dropped). ``str.splitlines`` would
also cut at U+2028, U+0085 and other characters that JSON strings may hold raw, and
reject a valid line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Line:
    """One non-blank JSONL line: its 1-based number and its value, or why it is not JSON."""

    number: int
    value: Any = None
    error: str | None = None


def split_lines(text: str | bytes) -> Iterator[tuple[int, str | bytes]]:
    """(number, line) for each line of ``text``, split on "\\n" only, "\\r" dropped."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    for number, line in enumerate(text.split(newline), start=1):
        yield number, line.removesuffix(b"\r" if isinstance(line, bytes) else "\r")


def parse_lines(lines: Iterable[tuple[int, str | bytes]]) -> Iterator[Line]:
    """Parse numbered lines; blank ones are skipped, a malformed one carries its error."""
    for number, line in lines:
        if not line.strip():
            continue
        try:
            yield Line(number, json.loads(line))
        except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
            yield Line(number, error=f"malformed JSON ({getattr(error, 'msg', error)})")


def read_jsonl(text: str | bytes) -> Iterator[Line]:
    """The JSON values of a whole JSONL text, with their line numbers."""
    return parse_lines(split_lines(text))


def stream_jsonl(handle: Iterable[bytes]) -> Iterator[Line]:
    """Like read_jsonl, lazily over a binary stream (a file or stdin).

    Iterating a binary file yields lines ending at b"\\n" only, so U+2028 inside a string
    (UTF-8 bytes E2 80 A8) never cuts a line.
    """
    return parse_lines((number, line.rstrip(b"\n").removesuffix(b"\r"))
                       for number, line in enumerate(handle, start=1))
