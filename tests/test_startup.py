"""Start-up: what a fresh process imports (README, "Speed"). Each check runs in a subprocess,
since this test session has imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SEED_SAMPLE

HEAVY = ("spacy", "spacy.cli", "weasel", "trafilatura", "networkx", "charset_normalizer",
         "lxml", "starlette", "uvicorn", "httpx", "dask", "distributed")
# Runs the CLI in-process, then prints which of HEAVY were imported and facts about spaCy.
PROBE = f"HEAVY = {HEAVY!r}" + """
import json, sys
from ner_cli.cli import main
sys.argv = ["ner-cli", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
fr = sys.modules.get("spacy.lang.fr.tokenizer_exceptions")
pipeline = sys.modules.get("ner_cli.pipeline")
loaded = pipeline and pipeline._load_cached.cache_info().currsize
print(json.dumps({
    "strings": len(pipeline.load_pipeline().vocab.strings) if loaded else None,
    "imported": [name for name in HEAVY if name in sys.modules],
    "token_match": fr and len(fr.TOKEN_MATCH.__self__.pattern),
}), file=sys.stderr)
"""


def probe(*args: str, env: dict | None = None) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, env=env)
    return json.loads(result.stderr.strip().splitlines()[-1])


def test_importing_ner_cli_imports_nothing_heavy():
    code = f"import sys, ner_cli, ner_cli.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["--help"], ["extract", "--help"], ["--version"]])
def test_help_imports_nothing_heavy(args):
    assert probe(*args) == {"imported": [], "token_match": None, "strings": None}


@pytest.mark.slow
def test_extract_txt_imports_spacy_only(tmp_path):
    """A .txt in UTF-8: no spaCy command line, no HTML, graph or encoding-detection library;
    spaCy's French TOKEN_MATCH is the fast one (10 k characters, not 1.45 M); the vocab holds
    the strings of one article, not the model's 712,952."""
    facts = probe("extract", str(SEED_SAMPLE), "--format", "jsonl", "-o",
                  str(tmp_path / "out.jsonl"))
    assert facts["imported"] == ["spacy"]
    assert facts["token_match"] < 20_000
    assert facts["strings"] < 10_000


@pytest.mark.slow
def test_records_are_the_same_with_all_strings(nlp, monkeypatch):
    from ner_cli.document import Document
    from ner_cli.options import RecordOptions
    from ner_cli.pipeline import ALL_STRINGS_ENV, load_pipeline
    from ner_cli.processing import process
    from tests.conftest import SAMPLES

    documents = [Document(p.name, str(p), p.read_text(encoding="utf-8"))
                 for p in sorted(SAMPLES.glob("*.txt"))]
    monkeypatch.setenv(ALL_STRINGS_ENV, "1")
    full = load_pipeline()
    assert len(full.vocab.strings) > 700_000

    def records(pipeline):
        return [p.record for p in process(pipeline, documents, 64, RecordOptions())]

    assert records(nlp) == records(full)
