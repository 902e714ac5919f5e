"""Which documents a set of ner weights was trained on, so evaluate can tell seen from unseen.

``ner-cli train`` records a fingerprint of each training document in the weights'
meta.json, under ``ner_cli.training_set``: the first 16 hex digits of the sha256 of its id
(when the gold file gives one) and of its text (NFC, whitespace runs made one space). The
training data itself never goes into the weights folder; a fingerprint only says "this
document was seen". A gold document is *seen* when its id or its text matches.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ner_cli.options import PipelineOptions


class TrainingDocument(Protocol):
    """What a fingerprint reads of a gold document (``ner_cli.evaluate.GoldDocument``)."""

    id: str
    text: str
    id_given: bool


META_SECTION = "ner_cli"
META_KEY = "training_set"
HASH = "sha256, first 16 hex digits; text in NFC with whitespace runs as one space"


def normalise_text(text: str) -> str:
    """NFC, whitespace runs made one space, no leading or trailing space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fingerprint(value: str) -> str:
    """The first 16 hex digits of the sha256 of ``value`` (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class TrainingSet:
    """Fingerprints of the documents a set of weights was trained on."""

    documents: int
    ids: frozenset[str]
    texts: frozenset[str]

    @classmethod
    def of(cls, documents: Iterable[TrainingDocument]) -> TrainingSet:
        """The fingerprints of ``documents``; an id counts only when the gold file gave it."""
        documents = list(documents)
        return cls(len(documents),
                   frozenset(fingerprint(d.id) for d in documents if d.id_given),
                   frozenset(fingerprint(normalise_text(d.text)) for d in documents))

    def __contains__(self, document: TrainingDocument) -> bool:
        return ((document.id_given and fingerprint(document.id) in self.ids)
                or fingerprint(normalise_text(document.text)) in self.texts)

    def seen(self, documents: Iterable[TrainingDocument]) -> int:
        """How many of ``documents`` were in the training set (by id or by text)."""
        return sum(1 for document in documents if document in self)

    def as_meta(self) -> dict:
        """The JSON-ready form kept in meta.json (sorted lists, so the file diffs well)."""
        return {"hash": HASH, "documents": self.documents,
                "ids": sorted(self.ids), "texts": sorted(self.texts)}

    @classmethod
    def from_meta(cls, meta: object) -> TrainingSet | None:
        """The training set recorded in a meta.json dict, or None when it records none."""
        section = meta.get(META_SECTION) if isinstance(meta, dict) else None
        recorded = section.get(META_KEY) if isinstance(section, dict) else None
        if not isinstance(recorded, dict) or recorded.get("hash") != HASH:
            return None
        try:
            return cls(int(recorded["documents"]), frozenset(map(str, recorded["ids"])),
                       frozenset(map(str, recorded["texts"])))
        except (KeyError, TypeError, ValueError):
            return None


def read_training_set(folder: Path) -> TrainingSet | None:
    """The training set recorded in ``folder``/meta.json; None when there is none to read."""
    from ner_cli.pipeline import read_meta

    return TrainingSet.from_meta(read_meta(folder / "meta.json"))


def weights_training_set(options: PipelineOptions) -> TrainingSet | None:
    """The training set of the ner weights ``options`` run, when their meta.json records one
    (the shipped news weights and anything ``ner-cli train`` wrote; not the stock ones)."""
    from ner_cli.pipeline import ner_weights_folder

    folder = ner_weights_folder(options)
    return None if folder is None else read_training_set(folder)
