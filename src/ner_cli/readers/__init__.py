"""Readers turn paths and streams into Documents; they never raise for one bad input."""

from ner_cli.readers.text import decode, read_paths

__all__ = ["decode", "read_paths"]
