"""The command line. Each command lives in its own module and registers on ``app``.

Nothing here imports spaCy at module level, so ``ner-cli --help`` stays fast.
"""

from ner_cli.cli import (  # noqa: F401  (each module registers its command)
    evaluate,
    extract,
    graph,
    serve,
    show,
    stats,
    train,
)
from ner_cli.cli.app import app


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
