"""Batch inputs: folders, corpus files, encodings, error records, resume, long docs, -j."""

from __future__ import annotations

import json

import pytest

from ner_cli.readers import InputOptions, discover, read_documents
from ner_cli.readers.text import decode
from ner_cli.writers.files import output_path
from tests.conftest import SEED_SAMPLE

PARIS = "Emmanuel Macron a reçu Olaf Scholz à Paris."


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def corpus(tmp_path):
    """A folder with nested, hidden and non-text files."""
    root = tmp_path / "corpus"
    (root / "b" / "c").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.txt").write_text(PARIS, encoding="utf-8")
    (root / "b" / "z.md").write_text("Angela Merkel est à Berlin.", encoding="utf-8")
    (root / "b" / "c" / "y.txt").write_text("Le Kremlin a parlé.", encoding="utf-8")
    (root / "b" / "notes.json").write_text("{}", encoding="utf-8")
    (root / ".hidden" / "x.txt").write_text("Caché", encoding="utf-8")
    (root / ".dot.txt").write_text("Caché", encoding="utf-8")
    return root


def test_discover_walks_sorted_and_skips_hidden(corpus):
    ids = [s.id for s in discover([str(corpus)])]
    assert ids == ["a.txt", "b/z.md", "b/c/y.txt"]
    assert [s.id for s in discover([str(corpus)], "*.md")] == ["b/z.md"]
    assert [s.error for s in discover([str(corpus)], "*.pdf")] == ["no matching files in folder"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Élysée « œuvre »".encode(), "utf-8"),
        ("\ufeffÉlysée « œuvre »".encode(), "utf-8"),
        ("\ufeffÉlysée « œuvre »".encode("utf-16-le"), "utf-16"),
        ("\ufeffÉlysée « œuvre »".encode("utf-16-be"), "utf-16"),
        ("Le président a visité l'Élysée « œuvre » près de la Seine.".encode("cp1252"),
         "cp1252"),
    ],
)
def test_decode_encodings(data, encoding):
    text, found = decode(data)
    assert "Élysée « œuvre »" in text and not text.startswith("\ufeff")
    assert found == encoding


def test_jsonl_and_csv_inputs_with_keys_and_error_lines(tmp_path):
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("\n".join([
        json.dumps({"doc": "d1", "body": PARIS}),
        "{not json",
        json.dumps({"doc": "d3", "body": 42}),
        "",
        json.dumps({"body": "Rome"}),
    ]) + "\n", encoding="utf-8")
    options = InputOptions(text_key="body", id_key="doc")
    docs = list(read_documents([str(jsonl)], options))
    assert [(d.id, d.error) for d in docs] == [
        ("d1", None),
        (f"{jsonl}:2", "malformed JSON (Expecting property name enclosed in double quotes)"),
        ("d3", "'body' is not a string"),
        (f"{jsonl}:5", None),
    ]
    table = tmp_path / "docs.csv"
    table.write_text('ref,contenu\nr1,"Ligne un à Paris.\nLigne deux à Lyon."\nr2,\n',
                     encoding="utf-8")
    docs = list(read_documents([str(table)], InputOptions(text_column="contenu", id_column="ref")))
    assert [(d.id, d.text) for d in docs] == [("r1", "Ligne un à Paris.\nLigne deux à Lyon."),
                                              ("r2", "")]
    missing = list(read_documents([str(table)], InputOptions(text_column="texte")))
    assert missing[0].error == "no column 'texte' (columns: ref, contenu)"


def test_html_input_extracts_the_article(cli, tmp_path):
    page = tmp_path / "page.html"
    body = " ".join([PARIS] * 6)
    page.write_text(
        "<html><head><title>T</title><script>var x = 'Berlin';</script></head><body>"
        "<nav>Accueil | Monde</nav><article><h1>Visite</h1>"
        f"<p>{body}</p><p>Jean Castex était aussi présent à Lyon avec l'AFP.</p></article>"
        "<footer>© Journal</footer></body></html>", encoding="utf-8")
    result = cli("extract", page, "--include-text", "-f", "jsonl", "-q")
    (record,) = records(result)
    assert "Berlin" not in record["text"] and "Olaf Scholz" in record["text"]
    assert all(record["text"][e["start"]:e["end"]] == e["text"] for e in record["entities"])


def test_folder_run_error_records_and_exit_code(cli, corpus):
    (corpus / "b" / "bad.txt").write_bytes(b"\x00\x01\x02 binary")
    result = cli("extract", corpus, "-f", "jsonl")
    out = records(result)
    assert [r["id"] for r in out] == ["a.txt", "b/bad.txt", "b/z.md", "b/c/y.txt"]
    assert out[1]["error"] == "binary file (NUL bytes), skipped"
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"ner-cli: {corpus / 'b' / 'bad.txt'}: binary file (NUL bytes), skipped"
    assert lines[-1].startswith("ner-cli: 4 documents, ") and ", 1 failed; " in lines[-1]


def test_files_from_and_quiet(cli, corpus, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text(f"{corpus / 'a.txt'}\n\n{corpus / 'b' / 'z.md'}\n", encoding="utf-8")
    result = cli("extract", "--files-from", listing, "-f", "jsonl", "-q")
    assert result.exit_code == 0 and result.stderr == ""
    assert [r["source"] for r in records(result)] == [str(corpus / "a.txt"),
                                                      str(corpus / "b" / "z.md")]


def test_output_dir_mirrors_tree_and_resume_skips(cli, corpus):
    out = corpus.parent / "out"
    first = cli("extract", corpus, "--output-dir", out)
    assert first.exit_code == 0 and first.stdout == ""
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["a.txt.json", "b/c/y.txt.json", "b/z.md.json"]
    assert json.loads((out / "a.txt.json").read_text(encoding="utf-8"))["id"] == "a.txt"
    (out / "b" / "z.md.json").unlink()
    again = cli("extract", corpus, "--output-dir", out, "--resume")
    assert again.exit_code == 0
    assert "3 documents" not in again.stderr and "2 skipped (--resume)" in again.stderr
    assert (out / "b" / "z.md.json").exists()
    assert not list(out.rglob("*.tmp"))


def test_output_path_stays_inside(tmp_path):
    assert output_path(tmp_path, "../../etc/passwd") == tmp_path / "etc" / "passwd.json"
    assert output_path(tmp_path, "/abs/a.txt") == tmp_path / "abs" / "a.txt.json"


def test_long_document_is_split_and_nothing_is_lost(nlp, cli, tmp_path, monkeypatch):
    paragraph = SEED_SAMPLE.read_text(encoding="utf-8")
    text = "\n\n".join([paragraph] * 6)
    monkeypatch.setattr(nlp, "max_length", len(paragraph) + 100)  # forces 6 pieces
    long_doc = tmp_path / "long.txt"
    long_doc.write_text(text, encoding="utf-8")
    (record,) = records(cli("extract", long_doc, "-f", "jsonl", "-q"))
    single = records(cli("extract", SEED_SAMPLE, "-f", "jsonl", "-q"))[0]["entities"]
    assert len(record["entities"]) == 6 * len(single)
    assert all(text[e["start"]:e["end"]] == e["text"] for e in record["entities"])
    last = record["entities"][-len(single):]
    assert [e["text"] for e in last] == [e["text"] for e in single]


def test_parallel_keeps_order_and_matches_one_process(cli, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    texts = [f"Article {i}. {PARIS} Puis {['Lyon', 'Nice', 'Brest'][i % 3]}." for i in range(40)]
    for i, text in enumerate(texts):
        (folder / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    (folder / "020.txt").write_bytes(b"\x00\x00")
    one = cli("extract", folder, "-f", "jsonl", "-q")
    two = cli("extract", folder, "-f", "jsonl", "-q", "-j", "2")
    assert two.exit_code == one.exit_code == 1
    assert [r["id"] for r in records(two)] == [f"{i:03d}.txt" for i in range(40)]
    assert records(two) == records(one)
