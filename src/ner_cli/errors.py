"""Exit statuses and the typed errors the core raises.

The core never prints and never exits: it raises these, with the data a message needs.
Only the command line (``ner_cli.cli``) words them, with its own flag names, and turns
them into exit statuses.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What the process returns: part of the interface (README, "Exit codes")."""

    OK = 0
    FAILURE = 1  # something could not be processed
    USAGE = 2  # the command line asks for something that cannot be done
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


class NerCliError(Exception):
    """Base class for every error ner-cli reports to its user."""

    exit_status = ExitStatus.FAILURE


class UsageError(NerCliError):
    """The request cannot be done as asked: a bad option value or combination."""

    exit_status = ExitStatus.USAGE


MISSING = "no such file or directory"


def os_reason(error: OSError) -> str:
    """An OSError's reason in the words every message uses ("no such file or directory")."""
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]


class PathNotFound(UsageError):
    """A file the user named does not exist or cannot be read."""

    def __init__(self, path: str, reason: str = MISSING, role: str = "file") -> None:
        self.path, self.reason, self.role = str(path), reason, role
        super().__init__(f"{self.path}: {reason}")


class BadPatterns(UsageError):
    """A patterns file is not spaCy EntityRuler patterns (JSONL)."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path, self.reason, self.line = str(path), reason, line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {reason}")


class UnknownLabels(UsageError):
    """Labels were asked for that the pipeline does not predict."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        self.unknown, self.known = unknown, known
        super().__init__(f"unknown label {', '.join(unknown)} (this pipeline's labels: "
                         f"{', '.join(known)})")


class UnwritableOutput(UsageError):
    """An output path that cannot be created (a missing folder, no permission)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"cannot write {self.path}: {reason}")


class OutputError(NerCliError):
    """Writing an output failed part-way (disk full, a file system error)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"cannot write {self.path}: {reason}")


class ModelNotFound(NerCliError):
    """The spaCy pipeline asked for is not installed, not a pipeline, or does not fit."""


class InputError(NerCliError):
    """One input could not be read or decoded; the run goes on with the others."""


class BadGold(InputError):
    """A gold file holds a line that is not a gold record."""


class MissingText(UsageError):
    """Sentence windows need a document's text, and a record came without it."""

    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        super().__init__(f"{document_id}: sentence windows need the document text")


class StoreBusy(NerCliError):
    """Another run is writing the same corpus database."""

    def __init__(self, path: str, waited: float) -> None:
        self.path, self.waited = str(path), waited
        super().__init__(f"{self.path}: another ner-cli run is writing this database "
                         f"(waited {waited:g} s); try again when it is done")


class NotAStore(UsageError):
    """A file named as a corpus database is not one ner-cli can use."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{self.path}: {reason}")


class ServiceError(NerCliError):
    """The service cannot start (its address is taken), or cannot be reached or used."""
