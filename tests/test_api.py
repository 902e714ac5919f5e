"""The Python API: the README example runs and prints what README says; Extractor's calls."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from tests.conftest import ROOT, SEED_SAMPLE


def readme_api_example() -> tuple[str, list[str]]:
    """The Python block of README's "Python API" section, and the output its comments show."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = [line[4:] for line in code.splitlines() if line.startswith("# → ")]
    return code, shown


def test_readme_python_api_example_prints_what_readme_shows(nlp):
    code, shown = readme_api_example()
    assert len(shown) >= 3
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md (Python API)", "exec"), {})  # noqa: S102
    assert printed.getvalue().splitlines() == shown


def test_extract_matches_the_command_line(cli, nlp):
    import json

    from ner_cli import Extractor

    text = SEED_SAMPLE.read_text(encoding="utf-8")
    record = Extractor().extract(text, id="x")
    result = cli("extract", "-", "-f", "jsonl", "-q", input=text)
    from_cli = json.loads(result.stdout)
    assert record["entities"] == from_cli["entities"]
    assert record["entities_grouped"] == from_cli["entities_grouped"]
    assert record["id"] == "x"


def test_extract_many_keeps_order_and_ids(nlp):
    from ner_cli import Extractor

    texts = ["Paris.", ("b", "Emmanuel Macron à Lyon."), "", ("d", "Berlin.")]
    records = list(Extractor(labels=["LOC"]).extract_many(texts))
    assert [r["id"] for r in records] == ["1", "b", "3", "d"]
    assert [[e["text"] for e in r["entities"]] for r in records] == [
        ["Paris"], ["Lyon"], [], ["Berlin"]]


def test_extract_paths_gives_error_records_not_exceptions(tmp_path, nlp):
    from ner_cli import Extractor, InputOptions

    (tmp_path / "a.txt").write_text("Angela Merkel à Berlin.", encoding="utf-8")
    records = list(Extractor().extract_paths([str(tmp_path / "a.txt"),
                                              str(tmp_path / "nope.txt")], InputOptions()))
    assert [("error" in r) for r in records] == [False, True]
    assert records[1]["error"] == "no such file or directory"


def test_bad_patterns_raise_a_typed_error_with_its_data(tmp_path):
    from ner_cli import Extractor, PipelineOptions
    from ner_cli.errors import BadPatterns

    path = tmp_path / "p.jsonl"
    path.write_text('{"label": "ORG", "pattern": "Belga"}\n{"label": 3}\n', encoding="utf-8")
    with pytest.raises(BadPatterns) as raised:
        Extractor(PipelineOptions(patterns=path))
    assert (raised.value.path, raised.value.line) == (str(path), 2)


def test_count_corpus(tmp_path, nlp):
    from ner_cli import count_corpus

    (tmp_path / "a.txt").write_text("Angela Merkel à Berlin. Merkel sourit.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Angela Merkel à Paris.", encoding="utf-8")
    counter = count_corpus([str(tmp_path)])
    top = counter.entities(top=1)[0]
    assert (top.name, top.label, top.documents, top.mentions) == ("Angela Merkel", "PER", 2, 3)


def test_importing_the_api_does_not_import_spacy():
    import subprocess
    import sys

    code = "import sys, ner_cli; ner_cli.Extractor; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_the_core_never_imports_typer_or_rich():
    """Only the command line (cli/) and the terminal views (render, the table writer) may."""
    import ast
    from pathlib import Path

    import ner_cli

    package = Path(ner_cli.__file__).parent
    allowed = {package / "render.py", package / "writers"}
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.parent == package / "cli" or path in allowed or path.parent in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names
                          if n.split(".")[0] in {"typer", "rich"}]
    assert offenders == []
