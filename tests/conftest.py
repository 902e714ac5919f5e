"""Shared fixtures: the real pipeline, loaded once per session, and CLI runners."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"
SEED_SAMPLE = SAMPLES / "rpdc-russie-vostotchny.txt"
UPDATE_GOLDEN = os.environ.get("NER_CLI_UPDATE_GOLDEN") == "1"

settings.register_profile("default", max_examples=40, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def nlp():
    """ner-cli's default pipeline; load_pipeline caches it, so CliRunner tests share it."""
    from ner_cli.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="module")
def workers(nlp):
    """The service's workers as `ner-cli serve -j 1` has them: the session's pipeline, in this
    process, on one thread (needs the serve extra)."""
    from ner_cli.options import PipelineOptions
    from ner_cli.service import Workers

    started = Workers(PipelineOptions(), jobs=1)
    started.start()
    yield started
    started.close()


@pytest.fixture
def cli(nlp, monkeypatch):
    """Invoke the Typer app in-process; returns typer.testing.Result (stdout/stderr apart)."""
    from ner_cli.cli import app

    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NER_CLI_DEBUG", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture
def quick(monkeypatch):
    """Invoke the Typer app without loading the model first (analysed JSONL never needs it)."""
    from ner_cli.cli import app

    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NER_CLI_DEBUG", raising=False)

    def invoke(*args, input=None):
        return CliRunner().invoke(app, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture
def text_folder(tmp_path):
    """A folder with nested, hidden and non-text files."""
    root = tmp_path / "corpus"
    (root / "b" / "c").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.txt").write_text("Emmanuel Macron a reçu Olaf Scholz à Paris.", encoding="utf-8")
    (root / "b" / "z.md").write_text("Angela Merkel est à Berlin.", encoding="utf-8")
    (root / "b" / "c" / "y.txt").write_text("Le Kremlin a parlé.", encoding="utf-8")
    (root / "b" / "notes.json").write_text("{}", encoding="utf-8")
    (root / ".hidden" / "x.txt").write_text("Caché", encoding="utf-8")
    (root / ".dot.txt").write_text("Caché", encoding="utf-8")
    return root


def ner_cli_executable() -> str:
    """The installed console script next to this interpreter (or on PATH)."""
    beside = Path(sys.executable).with_name("ner-cli")
    return str(beside) if beside.exists() else shutil.which("ner-cli") or "ner-cli"


@pytest.fixture
def run():
    """Run the real `ner-cli` console script in a subprocess."""

    def run_(*args: str, input: bytes | None = None, env: dict | None = None):
        full_env = {k: v for k, v in os.environ.items() if k != "NER_CLI_DEBUG"}
        full_env.update({"COLUMNS": "100", **(env or {})})
        return subprocess.run([ner_cli_executable(), *map(str, args)], input=input,
                              capture_output=True, env=full_env, timeout=300)

    return run_


def check_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file ``path``.

    NER_CLI_UPDATE_GOLDEN=1 writes ``actual`` over a golden file that differs (or is missing)
    and still fails the test, so that nothing passes until a person has read `git diff`; a
    file is never compared with what was just written into it.
    """
    expected = path.read_text(encoding="utf-8") if path.exists() else None
    if actual == expected:
        return
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        pytest.fail(f"rewrote {path.relative_to(ROOT)}: review `git diff` before committing, "
                    "then run again without NER_CLI_UPDATE_GOLDEN", pytrace=False)
    if expected is None:
        pytest.fail(f"golden file {path.relative_to(ROOT)} is missing; NER_CLI_UPDATE_GOLDEN=1 "
                    "writes it (then read it)", pytrace=False)
    assert actual == expected, f"output differs from {path.relative_to(ROOT)}"
