"""Progress bar and end-of-run summary, both on stderr."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ner_cli.run import Processed


@dataclass
class Tally:
    """What a run did: the numbers of its summary line."""

    documents: int = 0
    mentions: int = 0
    failed: int = 0
    skipped: int = 0
    words: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, processed: Processed) -> None:
        self.documents += 1
        self.words += processed.words
        if "error" in processed.record:
            self.failed += 1
        else:
            self.mentions += len(processed.record.get("entities", ()))

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def summary(self) -> str:
        seconds = self.seconds
        speed = self.words / seconds if seconds else 0.0
        skipped = f", {self.skipped:,} skipped (--resume)" if self.skipped else ""
        return (f"{_count(self.documents, 'document')}, {_count(self.mentions, 'mention')}, "
                f"{self.failed:,} failed{skipped}; {_count(self.words, 'word')} in "
                f"{seconds:.1f} s ({speed:,.0f} words/s)")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class _WordsPerSecond(ProgressColumn):
    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def render(self, task) -> Text:
        seconds = self.tally.seconds
        return Text(f"{self.tally.words / seconds if seconds else 0:,.0f} words/s")


def tracked(
    processed: Iterable[Processed], tally: Tally, console: Console, total: int | None
) -> Iterator[Processed]:
    """Count every record into ``tally``; show a bar when ``console`` is a terminal."""
    if not console.is_terminal:
        for item in processed:
            tally.add(item)
            yield item
        return
    columns = [SpinnerColumn(), TextColumn("extracting"), BarColumn(), MofNCompleteColumn(),
               _WordsPerSecond(tally), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("extract", total=total)
        for item in processed:
            tally.add(item)
            progress.advance(task)
            yield item
