"""Help text is documentation: every command has a summary and an example, and shows plain
metavars (N, FILE, PATH), never Python types."""

from __future__ import annotations

import re

import pytest
import typer

from ner_cli.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)
PYTHON_TYPES = re.compile(r"<(?:bool|int|float|str|path|list\[[^>]*\]|[a-z]+ range)>|"
                          r"\[x[<>]=?|x>=|<=x")


def help_of(cli, *args: str) -> str:
    result = cli(*args, "--help")
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_no_python_types(cli, command):
    text = help_of(cli, *([command] if command else []))
    assert not PYTHON_TYPES.findall(text), PYTHON_TYPES.findall(text)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_summary_and_an_example(cli, command):
    text = help_of(cli, command)
    assert "Example: ner-cli " + command in text


def test_metavars_are_plain(cli):
    text = help_of(cli, "extract")
    assert "[PATH]..." in text
    for option, metavar in [("--jobs", "N"), ("--batch-size", "N"), ("--files-from", "FILE"),
                            ("--model", "NAME"), ("--output-dir", "DIR"), ("--output", "FILE")]:
        assert re.search(re.escape(option) + r"\s+(?:-\w\s+)?" + metavar + r"\b", text), option
