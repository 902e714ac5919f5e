"""`ner-cli graph` end to end, on the hand-made corpus of test_cli_stats.py (no model)."""

from __future__ import annotations

import networkx as nx
import pytest

from tests.test_cli_stats import (
    CORPUS,
    DOCUMENT_EDGES,
    ENTITIES,
    MACRON,
    OLAF,
    OTAN,
    PARIS,
    SENTENCE_EDGES,
    graph_edges,
    write_jsonl,
)


@pytest.fixture
def corpus(tmp_path):
    return write_jsonl(tmp_path / "corpus.jsonl", CORPUS)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["graph", "{corpus}", "-o", "graph.png"], 2, "extension must be one of .gexf, "),
        (["graph", "{corpus}"], 2, "Missing option '--output'"),
        (["graph", "{corpus}", "-o", "{tmp}/g.csv", "--window", "page"], 2,
         "Invalid value for '--window'"),
        (["graph", "{plain}", "-o", "{tmp}/g.csv", "--window", "sentence"], 2,
         "a1: --window sentence needs the document text"),
        (["graph", "{corpus}", "-o", "{tmp}/g.gexf", "--patterns", "news", "--no-patterns"], 2,
         "--patterns and --no-patterns exclude each other"),
    ],
)
def test_usage_errors(quick, corpus, tmp_path, args, code, message):
    plain = write_jsonl(tmp_path / "plain.jsonl", CORPUS[:1], text=False)
    args = [a.format(corpus=corpus, tmp=tmp_path, plain=plain) for a in args]
    result = quick(*args)
    assert result.exit_code == code
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_graph_gexf_loads_back_with_the_expected_nodes_and_weights(quick, corpus, tmp_path):
    out = tmp_path / "graph.gexf"
    result = quick("graph", corpus, "-o", out, "-q")
    assert result.exit_code == 1 and result.stdout == ""  # one error record in the corpus
    graph = nx.read_gexf(out)
    assert graph_edges(graph) == DOCUMENT_EDGES
    assert dict(graph.nodes(data=True))[MACRON] == {"label": "Emmanuel Macron", "type": "PER",
                                                    "documents": 2, "mentions": 3}
    assert {n: (d["label"], d["type"], d["documents"], d["mentions"])
            for n, d in graph.nodes(data=True)} == {f"{e[1]}:{e[0]}": e for e in ENTITIES}


def test_graph_min_weight_labels_and_graphml(quick, corpus, tmp_path):
    out = tmp_path / "graph.graphml"
    assert quick("graph", corpus, "-o", out, "--min-weight", "2", "-q").exit_code == 1
    graph = nx.read_graphml(out)
    assert graph_edges(graph) == {p: w for p, w in DOCUMENT_EDGES.items() if w >= 2}
    assert set(graph) == {MACRON, OLAF, OTAN, PARIS}  # entities without a kept link are out
    quick("graph", corpus, "-o", out, "--labels", "PER", "-q")
    assert graph_edges(nx.read_graphml(out)) == {(MACRON, OLAF): 2}  # already in order


def test_graph_sentence_window(quick, corpus, tmp_path):
    out = tmp_path / "graph.gexf"
    quick("graph", corpus, "-o", out, "--window", "sentence", "-q")
    assert graph_edges(nx.read_gexf(out)) == SENTENCE_EDGES


def test_graph_csv_edge_list(quick, corpus, tmp_path):
    out = tmp_path / "edges.csv"
    quick("graph", corpus, "-o", out, "--min-weight", "2", "-q")
    assert out.read_text(encoding="utf-8") == (
        "source,source_label,target,target_label,weight\n"
        "Emmanuel Macron,PER,Olaf Scholz,PER,2\n"
        "OTAN,ORG,Paris,LOC,2\n"
    )
