"""Regenerate the example outputs README shows: python docs/readme_examples.py [--check]

Each example below is a command whose output README shows in a fenced block between
``<!-- output: NAME -->`` and ``<!-- /output -->``. The script runs the command in-process
through the Typer app (``typer.testing.CliRunner``), in a scratch folder holding a copy of
``samples/``, with ``COLUMNS=100`` so that rich tables have a fixed width, and writes what it
printed into README. With ``--check`` it writes nothing: it prints a diff and exits 1 when
README differs (tests/test_readme.py runs the same check).

What cannot be stable is masked when comparing: the seconds and words/s of the ``extract``
summary line. README keeps the figures of the run that last changed the block (run from the
command line, the time includes loading the model, as for ``ner-cli extract``); a block that
differs only in those figures is left as it is, so a rerun does not churn README
(``--timings`` rewrites them with this run's: on a quiet machine only, since README says the
time is about 3 s). Trailing
spaces (rich pads a table's caption with them) are dropped from every line: editors strip them.

The Python API example is not here: tests/test_api.py runs it and compares its comments.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# Environment of every run: fixed width, no forced colour or terminal, no debug tracebacks.
ENV: dict[str, str | None] = {
    "COLUMNS": "100",
    "LINES": None,
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "NER_CLI_DEBUG": None,
}

# "… in 2.8 s (279 words/s)" in extract's summary line: measured, so masked when comparing.
TIMING = re.compile(r" in [\d,.]+ s \([\d,]+ words/s\)")
TIMING_MASK = " in <seconds> s (<speed> words/s)"


@dataclass(frozen=True)
class Example:
    """A command whose output README shows in the block marked ``name``."""

    name: str
    args: tuple[str, ...]  # what is run, without the leading `ner-cli`
    show: Callable[[object, Path], str]  # (CliRunner result, scratch folder) -> block body
    prompt: str | None = None  # a "$ command" line README shows above the output


def _stderr(result, scratch: Path) -> str:
    return result.stderr


def _stdout(result, scratch: Path) -> str:
    return result.stdout


def _file(name: str) -> Callable[[object, Path], str]:
    def read(result, scratch: Path) -> str:
        return (scratch / name).read_text(encoding="utf-8")

    return read


EXAMPLES = (
    # First, so that run from the command line its time includes loading the model (README
    # says so under the block), as `ner-cli extract` in a shell does.
    Example("extract-summary", ("extract", "samples", "-o", "mentions.jsonl"), _stderr,
            prompt="ner-cli extract samples -o mentions.jsonl"),
    # README shows the command without -f: on a terminal the default is the table, and the
    # runner's stdout is not a terminal, so the table is asked for.
    Example("stats-top5", ("stats", "samples/", "--top", "5", "-f", "table"), _stdout),
    Example("graph-edges",
            ("graph", "samples/", "--window", "sentence", "--min-weight", "2", "-o", "edges.csv"),
            _file("edges.csv")),
)


def run_example(example: Example, scratch: Path) -> str:
    """The fenced block's body for ``example``, run with ``scratch`` as working folder."""
    from typer.testing import CliRunner

    from ner_cli.cli import app

    before = Path.cwd()
    os.chdir(scratch)
    try:
        result = CliRunner().invoke(app, list(example.args), env=ENV)
    finally:
        os.chdir(before)
    if result.exit_code != 0:
        raise RuntimeError(f"`ner-cli {' '.join(example.args)}` exited {result.exit_code}:\n"
                           f"{result.stdout}{result.stderr}") from result.exception
    body = example.show(result, scratch)
    if example.prompt is not None:
        body = f"$ {example.prompt}\n{body}"
    # rich pads a table's caption with spaces; editors strip them, and they show nothing
    return "".join(line.rstrip() + "\n" for line in body.splitlines())


def outputs() -> dict[str, str]:
    """Each example's block body, in the order of EXAMPLES."""
    with tempfile.TemporaryDirectory(prefix="ner-cli-readme-") as name:
        scratch = Path(name)
        shutil.copytree(ROOT / "samples", scratch / "samples")
        return {example.name: run_example(example, scratch) for example in EXAMPLES}


def _block(name: str) -> re.Pattern[str]:
    start = rf"<!-- output: {re.escape(name)} -->\n```[^\n]*\n"
    return re.compile(rf"({start})(.*?)(```\n<!-- /output -->)", re.S)


def _masked(text: str) -> str:
    return TIMING.sub(TIMING_MASK, text)


def render(readme: str, generated: dict[str, str], timings: bool = False) -> str:
    """README with each marked block's body replaced by its generated output; a block equal
    to it up to the masked timings is kept as it is unless ``timings``."""
    for name, body in generated.items():
        pattern = _block(name)
        found = pattern.findall(readme)
        if len(found) != 1:
            raise ValueError(f"README.md has {len(found)} blocks marked "
                             f"<!-- output: {name} -->, not 1")
        if _masked(found[0][1]) != _masked(body) or timings:
            readme = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(3), readme)
    return readme


def check(readme_path: Path = README, generated: dict[str, str] | None = None) -> str:
    """A diff of README against the examples' output (``generated``, else run now), empty
    when README is current. Timings are masked on both sides."""
    readme = readme_path.read_text(encoding="utf-8")
    expected = render(readme, outputs() if generated is None else generated)
    return "".join(difflib.unified_diff(
        _masked(readme).splitlines(keepends=True), _masked(expected).splitlines(keepends=True),
        "README.md", "README.md (regenerated by docs/readme_examples.py)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; print a diff and exit 1 if README is stale")
    parser.add_argument("--timings", action="store_true",
                        help="also rewrite the seconds and words/s of a block whose output "
                        "is otherwise unchanged")
    options = parser.parse_args(argv)
    if options.check:
        diff = check()
        if diff:
            sys.stdout.write(diff)
            print("README.md is stale: run `python docs/readme_examples.py` and read the diff",
                  file=sys.stderr)
            return 1
        return 0
    readme = README.read_text(encoding="utf-8")
    updated = render(readme, outputs(), options.timings)
    if updated == readme:
        print("README.md: examples up to date")
    else:
        README.write_text(updated, encoding="utf-8", newline="")
        print("README.md: examples rewritten; read `git diff README.md` before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
