"""Typed errors raised by the core; only cli.py turns them into messages and exit codes."""


class NerCliError(Exception):
    """Base class for every error ner-cli reports to its user."""

    exit_code = 1


class UsageError(NerCliError):
    """The command line asks for something that cannot be done (exit code 2)."""

    exit_code = 2


class ModelNotFound(NerCliError):
    """The spaCy pipeline named by --model is not installed or not a pipeline."""


class InputError(NerCliError):
    """One input could not be read or decoded; the run goes on with the others."""
