"""Where the files ner-cli ships in models/ are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path


def models_dir() -> Path:
    """The models/ folder: ``ner_cli.models`` when installed, else the checkout's models/."""
    try:
        from importlib.resources import files

        installed = Path(str(files("ner_cli.models")))
        if installed.is_dir():
            return installed
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "models"
