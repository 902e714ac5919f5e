"""Progress on stderr while a command runs, and the end-of-run summary.

On a terminal: a spinner while the model loads ("loading fr_core_news_md…"), then, for more
than one document and when stdout is not that terminal, a bar that moves per spaCy batch,
with the documents done, words/s since the first record, and an ETA from the bytes of input
read (words, not documents, set the pace). Every display is transient and gone before
anything is written to the terminal.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ner_cli.processing import Processed


@dataclass
class Tally:
    """What a run did: the numbers of its summary line."""

    documents: int = 0
    mentions: int = 0
    failed: int = 0
    skipped: int = 0  # documents --resume found done
    words: int = 0
    files_left_out: list[str] = field(default_factory=list)  # by the folder walk
    # a corpus database's counts (new, changed, redone, unchanged, pruned), None otherwise
    changes: Mapping[str, int] | None = None
    glob: str | None = None
    started: float = field(default_factory=time.perf_counter)
    first_record: float | None = None

    def add(self, processed: Processed) -> None:
        if self.first_record is None:
            self.first_record = time.perf_counter()
        self.documents += 1
        self.words += processed.words
        if "error" in processed.record:
            self.failed += 1
        else:
            record = processed.record
            # a record read for counting only has its mentions counted in its entities
            self.mentions += (len(record["entities"]) if "entities" in record else
                              sum(e["count"] for e in record.get("entities_grouped", ())))

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def words_per_second(self) -> float:
        """Words/s since the first record: the model's loading time is not a rate."""
        if self.first_record is None:
            return 0.0
        elapsed = time.perf_counter() - self.first_record
        return self.words / elapsed if elapsed > 0 else 0.0

    def summary(self) -> str:
        seconds = self.seconds
        speed = self.words / seconds if seconds else 0.0
        skipped = f", {self.skipped:,} skipped (--resume)" if self.skipped else ""
        documents = f"{_count(self.documents, 'document')},"
        if self.changes is not None:  # "4,336 documents: 12 new, …, 4,321 unchanged;"
            skipped = ""
            documents = f"{_count(self.documents + self.skipped, 'document')}: " + ", ".join(
                f"{self.changes.get(kind, 0):,} {kind}{note}" for kind, note in _CHANGES
                if kind in ("new", "changed", "unchanged") or self.changes.get(kind)) + ";"
        line = (f"{documents} {_count(self.mentions, 'mention')}, "
                f"{self.failed:,} failed{skipped}; {_count(self.words, 'word')} in "
                f"{seconds:.1f} s ({speed:,.0f} words/s)")
        if self.files_left_out:
            reason = ("not matching --glob" if self.glob is not None
                      else "not a known extension; see --glob")
            line += f"; {_count(len(self.files_left_out), 'file')} skipped: {reason}"
        return line


# The kinds of document a corpus database run counts, in the summary's order.
_CHANGES = (("new", ""), ("changed", ""), ("redone", " (other pipeline)"), ("unchanged", ""),
            ("pruned", ""))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Plan:
    """What the display knows before the run: documents and bytes ahead, where output goes."""

    model: str
    documents: int | None = None  # None: unknown (corpora, stdin)
    bytes: int | None = None
    stdout_is_terminal: bool = False


class _Documents(ProgressColumn):
    def __init__(self, tally: Tally, total: int | None) -> None:
        super().__init__()
        self.tally, self.total = tally, total

    def render(self, task) -> Text:
        total = f"/{self.total:,}" if self.total is not None else ""
        return Text(f"{self.tally.documents:,}{total} documents")


class _WordsPerSecond(ProgressColumn):
    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def render(self, task) -> Text:
        return Text(f"{self.tally.words_per_second():,.0f} words/s")


def _source_bytes(record: dict) -> int:
    try:
        return os.path.getsize(record["source"])
    except (OSError, KeyError, TypeError):
        return 0


def tracked(processed: Iterable[Processed], tally: Tally, console: Console,
            plan: Plan) -> Iterator[Processed]:
    """Count every record into ``tally``; on a terminal, show the spinner, then the bar."""
    if not console.is_terminal:
        for item in processed:
            tally.add(item)
            yield item
        return
    stream = iter(processed)
    # The first record costs the model's loading: say so, then clear the line.
    with Progress(SpinnerColumn(), TextColumn(f"loading {plan.model}…"), console=console,
                  transient=True) as spinner:
        spinner.add_task("loading", total=None)
        first = next(stream, None)
    if first is None:
        return
    tally.add(first)
    single = plan.documents is not None and plan.documents <= 1
    if single or plan.stdout_is_terminal:
        # No bar under output that goes to the same screen, nor for a single document.
        yield first
        for item in stream:
            tally.add(item)
            yield item
        return
    columns = [SpinnerColumn(), TextColumn("extracting"), BarColumn(),
               _Documents(tally, plan.documents), _WordsPerSecond(tally), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("extract", total=plan.bytes or None)
        progress.advance(task, _source_bytes(first.record))
        yield first
        for item in stream:
            tally.add(item)
            progress.advance(task, _source_bytes(item.record))
            yield item
