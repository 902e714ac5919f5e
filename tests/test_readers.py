"""Readers (ner_cli.readers): finding files, decoding, corpus files, HTML pages, and fuzzing:
arbitrary bytes and text never escape a reader, and every input yields a record."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ner_cli.document import Document
from ner_cli.readers import InputFormat, InputOptions, Source, discover, read_documents, read_source
from ner_cli.readers.text import decode

PARIS = "Emmanuel Macron a reçu Olaf Scholz à Paris."


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_discover_walks_sorted_and_skips_hidden(text_folder):
    ids = [s.id for s in discover([str(text_folder)])]
    assert ids == ["a.txt", "b/z.md", "b/c/y.txt"]
    assert [s.id for s in discover([str(text_folder)], "*.md")] == ["b/z.md"]
    assert [s.error for s in discover([str(text_folder)], "*.pdf")] == [
        "no matching files in folder"]


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


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400),
       fmt=st.sampled_from([InputFormat.text, InputFormat.jsonl, InputFormat.csv,
                            InputFormat.tsv, InputFormat.html]))
def test_random_bytes_never_escape_a_reader(tmp_path, data, fmt):
    path = tmp_path / "fuzz.bin"
    path.write_bytes(data)
    documents = list(read_source(Source(str(path), "fuzz"), InputOptions(input_format=fmt)))
    assert all(isinstance(d, Document) for d in documents)
    if fmt in (InputFormat.text, InputFormat.html):
        assert len(documents) == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children,
                                                                     max_size=3),
    max_leaves=8,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(
    st.builds(lambda t: json.dumps({"text": t}), st.text()),
    st.builds(json.dumps, JSON_VALUES),
    st.just('{"text": "\\udc00"}'),
    st.text(max_size=20),
), max_size=8))
def test_arbitrary_jsonl_lines(nlp, tmp_path, lines):
    from ner_cli.extract import extract, to_record

    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(line.replace("\n", " ") for line in lines), encoding="utf-8",
                    errors="surrogatepass")
    documents = list(read_source(Source(str(path), "fuzz.jsonl")))
    if any("\x00" in line for line in lines):  # a NUL byte makes it a binary file
        assert [d.error for d in documents] == ["binary file (NUL bytes), skipped"]
    else:
        assert len(documents) == sum(1 for line in lines if line.replace("\n", " ").strip())
    for result in extract(nlp, documents):
        record = to_record(result)
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # always writable
        for mention in record.get("entities", ()):
            assert result.document.text[mention["start"]:mention["end"]] == mention["text"]
