"""ner-cli: named-entity extraction for French news."""

from ner_cli.document import Document, Mention
from ner_cli.errors import InputError, ModelNotFound, NerCliError, UsageError

__version__ = "0.1.0"

__all__ = [
    "Document",
    "InputError",
    "Mention",
    "ModelNotFound",
    "NerCliError",
    "UsageError",
    "__version__",
]
