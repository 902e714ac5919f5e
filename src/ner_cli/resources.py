"""Where the files ner-cli ships in models/ are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path


def models_dir() -> Path:
    """The models/ folder: ``ner_cli/models`` when installed, else the checkout's models/.

    models/ is a data folder without ``__init__.py`` (pyproject.toml maps it to
    ``ner_cli.models``), so importlib.resources would give a MultiplexedPath; a plain path
    next to this file is simpler and is what a wheel installs.
    """
    installed = Path(__file__).resolve().parent / "models"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "models"
