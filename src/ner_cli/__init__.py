"""ner-cli: named-entity extraction for French news.

The Python API (README, "Python API"): ``Extractor`` runs the pipeline the commands run,
``PipelineOptions`` holds the options they share, ``count_corpus`` gives the counts of
``stats`` and ``graph``. Importing this package does not import spaCy.
"""

__version__ = "0.4.0"  # before the imports: modules below read it

from ner_cli.api import Extractor, corpus_records, count_corpus
from ner_cli.document import Document, Mention
from ner_cli.errors import (
    ExitStatus,
    InputError,
    ModelNotFound,
    NerCliError,
    PathNotFound,
    UsageError,
)
from ner_cli.options import PipelineOptions, Weights
from ner_cli.readers import InputFormat, InputOptions

__all__ = [
    "Document",
    "ExitStatus",
    "Extractor",
    "InputError",
    "InputFormat",
    "InputOptions",
    "Mention",
    "ModelNotFound",
    "NerCliError",
    "PathNotFound",
    "PipelineOptions",
    "UsageError",
    "Weights",
    "__version__",
    "corpus_records",
    "count_corpus",
]
