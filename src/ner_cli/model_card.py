"""What `ner-cli train` writes beside the weights: meta.json and the model card."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ner_cli.errors import OutputError, os_reason
from ner_cli.evaluate import Score
from ner_cli.options import DEFAULT_MODEL
from ner_cli.output import write_atomically
from ner_cli.training_data import Conversion
from ner_cli.training_set import META_KEY, META_SECTION, TrainingSet

if TYPE_CHECKING:
    from spacy.language import Language

META_FILE = "meta.json"
CARD_FILE = "MODEL_CARD.md"
# Licences of the shared data sets ner-cli is developed with, by file-name prefix; a model
# card says "unknown" for anything else, and the user has to record it.
KNOWN_LICENCES = {
    "sequoia": "LGPL-LR (Sequoia / PARSEME-FR annotations)",
    "newseye": "CC BY 4.0 (HIPE-2022 newseye)",
    "hipe2020": "CC BY-NC-SA 4.0 (HIPE-2022 / CLEF-HIPE-2020 hipe2020)",
    "letemps": "CC BY-NC-SA 4.0 (HIPE-2022 letemps)",
    "frwiki": "CC BY-NC-SA 4.0 (WikiNEuRal, French Wikipedia text)",
}


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters of one training run (all recorded in the model card)."""

    base: str = DEFAULT_MODEL
    epochs: int = 10
    seed: int = 0
    learn_rate: float = 5e-4
    dropout: float = 0.25
    batch_size: int = 16
    chunk_tokens: int = 80
    rehearsal_ratio: float = 0.75
    rehearsal_docs: int = 400
    keep_base_misc: bool = True


@dataclass(frozen=True)
class EpochReport:
    """Loss and dev scores after one epoch."""

    epoch: int
    loss: float
    dev_f1: dict[str, float]
    mean_f1: float
    best: bool
    seconds: float


@dataclass(frozen=True)
class TrainReport:
    """Everything a model card records about a run."""

    output: Path
    settings: TrainSettings
    base_version: str
    base_licence: str
    train_files: tuple[Path, ...]
    dev_files: tuple[Path, ...]
    rehearsal_files: tuple[Path, ...]
    counts: dict[str, int]
    conversion: Conversion
    base_dev_f1: dict[str, float]
    epochs: tuple[EpochReport, ...]
    best_epoch: int
    agreement: Score | None = None
    agreement_files: tuple[Path, ...] = ()
    seconds: float = 0.0
    day: str = field(default_factory=lambda: date.today().isoformat())
    training_set: TrainingSet | None = None

    @property
    def best(self) -> EpochReport:
        """The epoch whose weights were kept."""
        return self.epochs[self.best_epoch - 1]


def save(nlp: Language, report: TrainReport, spacy_version: str) -> None:
    """Write the ner component's own files, meta.json and the model card into the output."""
    output = report.output
    try:
        output.mkdir(parents=True, exist_ok=True)
        # Not "vocab": that would copy the base model's 40 MB of vectors.
        nlp.get_pipe("ner").to_disk(output, exclude=["vocab"])
        meta = {
            "name": output.name,
            "component": "ner",
            "base": report.base_version,
            "base_licence": report.base_licence,
            "spacy": spacy_version,
            "date": report.day,
            "labels": list(nlp.get_pipe("ner").labels),
            "best_epoch": report.best_epoch,
            "dev_f1": report.best.dev_f1,
            "base_dev_f1": report.base_dev_f1,
            "agreement_f1": None if report.agreement is None else report.agreement.f1,
            "train_files": [p.name for p in report.train_files],
            "rehearsal_files": [p.name for p in report.rehearsal_files],
            "settings": asdict(report.settings),
        }
        if report.training_set is not None:  # what evaluate checks gold against
            meta[META_SECTION] = {META_KEY: report.training_set.as_meta()}
        write_atomically(output / META_FILE, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        write_atomically(output / CARD_FILE, model_card(report))
    except OSError as exc:
        raise OutputError(str(output), os_reason(exc)) from exc


def licence_of(path: Path) -> str:
    """The licence of a shared data file, from its name; "unknown" otherwise."""
    for prefix, licence in KNOWN_LICENCES.items():
        if path.name.startswith(prefix):
            return licence
    return "unknown: record it before sharing the weights"


def model_card(report: TrainReport) -> str:
    """The model card (Markdown) of a training run."""
    s = report.settings
    lines = [
        f"# {report.output.name}: news-adapted `ner` for {report.base_version}",
        "",
        f"Trained with `ner-cli train` on {report.day}, spaCy {_spacy_version()}, in "
        f"{report.seconds / 60:.1f} min. Only the `ner` component changed; load it on top of "
        f"{report.base_version.split()[0]} (`nlp.get_pipe(\"ner\").from_disk(folder, "
        "exclude=[\"vocab\"])`, or `ner-cli extract --ner-weights` with it).",
        "",
        "## Training data",
        "",
        "| file | role | licence |",
        "|---|---|---|",
        f"| {report.base_version} | base weights fine-tuned | {report.base_licence} |",
    ]
    for role, files in (("gold", report.train_files), ("rehearsal text", report.rehearsal_files),
                        ("dev", report.dev_files), ("agreement text", report.agreement_files)):
        lines += [f"| {p.name} | {role} | {licence_of(p)} |" for p in files]
    c = report.conversion
    lines += [
        "",
        "Gold is converted to ner-cli's span convention before training: titles and "
        "leading lowercase articles outside the span. Spans it cannot convert cleanly, and "
        "gold MISC (a different notion from the model's MISC), are *missing*, not negatives.",
        "",
        "| count | value |",
        "|---|---:|",
        *(f"| {name} | {value:,} |" for name, value in report.counts.items()),
        f"| gold spans kept | {c.kept:,} |",
        f"| of which PER with a title moved out | {c.retitled:,} |",
        f"| gold spans missing: label not trained (MISC) | {c.missing_label:,} |",
        f"| gold spans missing: no token alignment | {c.missing_unaligned:,} |",
        f"| gold spans missing: only a title | {c.missing_title_only:,} |",
        f"| base-model MISC kept where the gold has no entity | {c.base_kept:,} |",
        "",
        "## Hyper-parameters",
        "",
        "| setting | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in asdict(s).items()),
        "",
        "## Dev scores",
        "",
        "Strict PER/LOC/ORG micro-F1 against the converted dev gold; the epoch marked * is "
        "the one saved.",
        "",
        "| epoch | loss | " + " | ".join(report.base_dev_f1) + " | mean |",
        "|---:|---:|" + "---:|" * (len(report.base_dev_f1) + 1),
        "| base | | " + " | ".join(f"{v:.2f}" for v in report.base_dev_f1.values())
        + f" | {_mean(list(report.base_dev_f1.values())):.2f} |",
    ]
    for e in report.epochs:
        mark = "*" if e.epoch == report.best_epoch else ""
        lines.append(f"| {e.epoch}{mark} | {e.loss:.1f} | "
                     + " | ".join(f"{v:.2f}" for v in e.dev_f1.values())
                     + f" | {e.mean_f1:.2f} |")
    lines += ["", "## Forgetting check", ""]
    if report.agreement is None:
        lines.append("Not measured (no agreement text given).")
    else:
        a = report.agreement
        lines.append(
            f"On {report.counts['agreement documents']:,} documents of text not used for "
            f"training, the new component's entities agree with the base component's at "
            f"micro P {a.precision:.3f}, R {a.recall:.3f}, **F {a.f1:.3f}** (all labels, "
            "strict spans, base predictions as reference).")
    return "\n".join(lines) + "\n"


def _spacy_version() -> str:
    import spacy

    return spacy.__version__


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
