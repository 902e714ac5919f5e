"""`ner-cli evaluate`: strict and overlap P/R/F1 of ner-cli (or the raw model) on gold JSONL."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ner_cli.cli.app import note
from ner_cli.cli.options import command
from ner_cli.errors import ExitStatus
from ner_cli.options import PipelineOptions


class Titles(str, Enum):
    """Where a PER mention's title goes when scoring."""

    exclude = "exclude"
    include = "include"


class ReportFormat(str, Enum):
    """Output formats of ``evaluate``."""

    table = "table"
    json = "json"


@command("evaluate")
def evaluate_cli(
    gold: Annotated[
        Path,
        typer.Argument(
            metavar="GOLD",
            help="Gold JSONL: {id, text, entities: [{start, end, label}]} per line.",
            show_default=False,
        ),
    ],
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="Score the pipeline's plain output: no "
            "span convention, fixes, document rules, grouping or patterns.",
        ),
    ] = False,
    titles: Annotated[
        Titles,
        typer.Option(
            "--titles", help="include: put PER titles back inside the span (HIPE's convention)."
        ),
    ] = Titles.exclude,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.table,
    pipeline: PipelineOptions = PipelineOptions(),
) -> ExitStatus:
    """Score ner-cli (or the raw model) against gold entities: P/R/F1, strict and overlap.

    Example: ner-cli evaluate gold.jsonl --titles include --format json
    """
    from ner_cli.evaluate import evaluate_file

    report = evaluate_file(gold, pipeline, raw=raw, titles=titles is Titles.include)
    if fmt is ReportFormat.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        write_report_table(report, sys.stdout)
    warning = seen_in_training_warning(report)
    if warning is not None:
        note(f"ner-cli: warning: {warning}")
    return ExitStatus.OK


def seen_in_training_warning(report: dict) -> str | None:
    """What to say when gold documents were in the weights' training set; None if none were."""
    seen = report["seen_in_training"]
    if not seen or not seen["documents"]:
        return None
    weights = report["weights"]
    named = "the news weights" if weights == "news" else f"the weights in {weights}"
    return (f"{seen['documents']} of {seen['of']} gold documents were in the training set of "
            f"{named}; the score overstates unseen news")


def write_report_table(report: dict, out) -> None:
    """One rich table per label set: P/R/F1 strict and overlap, per label and micro."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, highlight=False)
    what = "raw model" if report["raw"] else "ner-cli"
    console.print(
        f"{report['gold']}: {what} ({report['weights']} weights), "
        f"{report['documents']} documents, {report['gold_entities']} gold entities, "
        f"titles {report['titles']}",
        markup=False,
        soft_wrap=True,
    )
    for label_set, modes in report["scores"].items():
        table = Table(title=label_set, title_justify="left")
        table.add_column("label")
        for mode in modes:
            for part in ("P", "R", "F1"):
                table.add_column(f"{mode} {part}", justify="right")
        for label in modes["strict"]:
            cells = [
                f"{modes[mode][label][key] * 100:.2f}" for mode in modes for key in ("p", "r", "f")
            ]
            table.add_row(label, *cells)
        console.print(table)
