"""One command's pass over its documents, as a person sees it on stderr.

The core yields processed records; this shows the progress bar, prints one line per
document that failed, counts the run for its summary line, and decides the exit status.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ner_cli.cli.app import err_console, error, summary
from ner_cli.cli.options import Inputs
from ner_cli.cli.progress import Tally, tracked
from ner_cli.errors import ExitStatus
from ner_cli.run import Processed


class Run:
    """Progress, error lines, tally and exit status of one command run."""

    def __init__(self, inputs: Inputs, quiet: bool = False) -> None:
        self.inputs = inputs
        self.quiet = quiet
        self.tally = Tally()
        self.failures: list[dict] = []

    def expected_documents(self) -> int | None:
        """How many documents the inputs hold, when a listing tells (only for the bar)."""
        from ner_cli.readers import InputFormat, discover, format_of

        if self.quiet or not err_console.is_terminal:
            return None
        sources = list(discover(self.inputs.paths, self.inputs.options.glob))
        single = all(format_of(s, self.inputs.options) in (InputFormat.text, InputFormat.html)
                     for s in sources)
        return len(sources) if single else None

    def skipping(self, documents: Iterable, skip) -> Iterator:
        """``documents`` less those ``skip(document)`` says are done (counted as skipped)."""
        for document in documents:
            if skip(document):
                self.tally.skipped += 1
            else:
                yield document

    def records(self, stream: Iterable[Processed], total: int | None = None) -> Iterator[dict]:
        """The records of ``stream``, counted, with the bar and an error line per failure."""
        from rich.console import Console

        console = err_console
        if self.quiet:
            console = Console(stderr=True, quiet=True, force_terminal=False)
        for item in tracked(stream, self.tally, console, total):
            if "error" in item.record:
                error(f"{item.record['source']}: {item.record['error']}")
                self.failures.append(item.record)
            yield item.record

    def finish(self) -> ExitStatus:
        """Print the summary line (unless quiet) and return the exit status: USAGE when a
        path the user named does not exist, FAILURE when anything else failed, else OK."""
        from ner_cli.readers import MISSING

        if not self.quiet:
            summary(self.tally.summary())
        named = set(self.inputs.paths)
        worst = ExitStatus.OK
        for record in self.failures:
            missing = record["error"] == MISSING and record["source"] in named
            worst = max(worst, ExitStatus.USAGE if missing else ExitStatus.FAILURE)
        return ExitStatus(worst)



def count_corpus(inputs: Inputs, pipeline, labels, window, quiet: bool):
    """Count a corpus (``stats``, ``graph``) with progress and error lines; returns the
    CorpusCounter and the exit status."""
    from ner_cli import api
    from ner_cli.corpus import Window

    extractor = api.Extractor(pipeline, include_text=window is Window.sentence)
    run = Run(inputs, quiet)
    counter = api.count_corpus(inputs.paths, inputs.options, extractor, labels, window,
                               watch=run.records)
    return counter, run.finish()
