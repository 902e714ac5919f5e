"""``import spacy`` without importing spaCy's command line (``spacy.cli``).

``spacy/__init__.py`` runs ``from .cli.info import info``, which imports every spaCy command
and their dependencies (weasel, typer, the project tooling): about 0.3 s of a cold start that
loads a pipeline and never uses them. Nothing else in spaCy imports ``spacy.cli`` (checked on
spaCy 3.8; the commands register no factories or registry functions), so while spaCy
imports, ``spacy.cli`` and ``spacy.cli.info`` are stand-ins: ``spacy.info`` and
``spacy.cli.<name>`` import the real command line the first time they are used.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

_CLI = "spacy.cli"
_INFO = "spacy.cli.info"


class _LazyCli(types.ModuleType):
    """Stands for spacy.cli until an attribute is asked for; then imports the real one."""

    def __getattr__(self, name: str):
        if sys.modules.get(_CLI) is self:
            del sys.modules[_CLI]
        real = importlib.import_module(_CLI)
        return getattr(real, name)


def _info(*args, **kwargs):
    from spacy.cli.info import info

    return info(*args, **kwargs)


def import_spacy() -> ModuleType:
    """The ``spacy`` module, imported without ``spacy.cli`` when it is not imported yet."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    cli = _LazyCli(_CLI)
    info = types.ModuleType(_INFO)
    info.info = _info
    sys.modules[_CLI], sys.modules[_INFO] = cli, info
    try:
        import spacy
    finally:
        for name, stub in ((_CLI, cli), (_INFO, info)):
            if sys.modules.get(name) is stub:
                del sys.modules[name]
    if not isinstance(getattr(spacy, "cli", None), types.ModuleType):
        spacy.cli = cli  # `spacy.cli.download(...)` still works, importing it then
    return spacy
