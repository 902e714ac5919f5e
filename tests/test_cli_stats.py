"""`ner-cli stats` end to end (`graph` is in test_cli_graph.py, on the same corpus).

Most tests read a tiny corpus of extract records written here, whose counts are known by
hand (see CORPUS), so they do not depend on the model. A few run the model on the samples
and check that analysing texts and reading back extract's JSONL give the same answers.
"""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from tests.conftest import DATA, SAMPLES, check_golden

GOLDEN = DATA / "writers"  # the stats writers' golden files (test_writers.py)


def make_record(id_: str, text: str, spans: list[tuple[str, str]], groups=None) -> dict:
    """An extract record for ``text``: each (surface, label) found in order after the last."""
    entities, at = [], 0
    for surface, label in spans:
        start = text.index(surface, at)
        at = start + len(surface)
        entities.append({"text": surface, "label": label, "start": start, "end": at})
    record = {"id": id_, "source": id_, "entities": entities}
    if groups is not None:  # issue 4's grouping: (name, label, indexes of its mentions)
        record["entities_grouped"] = []
        for number, (name, label, members) in enumerate(groups, start=1):
            for index in members:
                entities[index].update(name=name, entity=f"E{number}")
            record["entities_grouped"].append(
                {"id": f"E{number}", "name": name, "label": label, "count": len(members),
                 "variants": sorted({entities[i]["text"] for i in members}),
                 "first_start": entities[members[0]]["start"]})
    return {**record, "text": text}


# Known answers, by hand:
#   entity                documents  mentions
#   Emmanuel Macron PER   2          3   (a1 groups "Macron" with it)
#   Olaf Scholz PER       2          2
#   OTAN ORG              2          2
#   Paris LOC             2          2
#   Berlin LOC            1          2
#   Scholz PER            1          1   (a3 is not grouped: a surname alone stays alone)
# 4 documents (a4 has no entity), 1 failed, 12 mentions.
# Document edges: Macron-Olaf Scholz 2 (a1, a2), OTAN-Paris 2 (a1, a3), 8 others of weight 1.
# Sentence edges: Macron-Olaf Scholz 2 (a1 and a2 first sentences), 6 others of weight 1.
CORPUS = [
    make_record(
        "a1", "Emmanuel Macron a reçu Olaf Scholz à Paris. Macron a salué l'OTAN.",
        [("Emmanuel Macron", "PER"), ("Olaf Scholz", "PER"), ("Paris", "LOC"),
         ("Macron", "PER"), ("OTAN", "ORG")],
        groups=[("Emmanuel Macron", "PER", [0, 3]), ("Olaf Scholz", "PER", [1]),
                ("Paris", "LOC", [2]), ("OTAN", "ORG", [4])],
    ),
    make_record(
        "a2", "Olaf Scholz est à Berlin avec Emmanuel Macron. Berlin les accueille.",
        [("Olaf Scholz", "PER"), ("Berlin", "LOC"), ("Emmanuel Macron", "PER"),
         ("Berlin", "LOC")],
    ),
    make_record("a3", "À Paris, l'OTAN prépare son sommet.\nM. Scholz sera là.",
                [("Paris", "LOC"), ("OTAN", "ORG"), ("Scholz", "PER")]),
    make_record("a4", "Rien à signaler.", []),
    {"id": "a5", "source": "a5", "error": "not valid UTF-8 (byte 0xe9 at offset 3)"},
]
ENTITIES = [("Emmanuel Macron", "PER", 2, 3), ("Olaf Scholz", "PER", 2, 2),
            ("OTAN", "ORG", 2, 2), ("Paris", "LOC", 2, 2), ("Berlin", "LOC", 1, 2),
            ("Scholz", "PER", 1, 1)]
MACRON, OLAF, OTAN, PARIS, BERLIN, SCHOLZ = (f"{e[1]}:{e[0]}" for e in ENTITIES)
DOCUMENT_EDGES = {tuple(sorted(pair)): weight for pair, weight in {
    (MACRON, OLAF): 2, (OTAN, PARIS): 2, (MACRON, PARIS): 1, (MACRON, OTAN): 1,
    (OLAF, PARIS): 1, (OLAF, OTAN): 1, (BERLIN, OLAF): 1, (BERLIN, MACRON): 1,
    (PARIS, SCHOLZ): 1, (OTAN, SCHOLZ): 1,
}.items()}
SENTENCE_EDGES = {tuple(sorted(pair)): weight for pair, weight in {
    (MACRON, OLAF): 2, (MACRON, PARIS): 1, (OLAF, PARIS): 1, (MACRON, OTAN): 1,
    (BERLIN, OLAF): 1, (BERLIN, MACRON): 1, (OTAN, PARIS): 1,
}.items()}


def write_jsonl(path, records, text=True):
    lines = [json.dumps(r if text else {k: v for k, v in r.items() if k != "text"},
                        ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path):
    return write_jsonl(tmp_path / "corpus.jsonl", CORPUS)


def stats_json(result) -> dict:
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def entity_rows(payload: dict) -> list[tuple]:
    return [(e["name"], e["label"], e["documents"], e["mentions"]) for e in payload["entities"]]


@pytest.mark.parametrize(("fmt", "suffix"), [("table", "table.txt"), ("json", "json"),
                                             ("csv", "csv")])
def test_stats_golden(quick, corpus, monkeypatch, fmt, suffix):
    monkeypatch.chdir(corpus.parent)
    result = quick("stats", corpus.name, "--format", fmt, "--quiet")
    assert result.exit_code == 1  # the corpus holds one error record
    assert result.stderr == "ner-cli: a5: not valid UTF-8 (byte 0xe9 at offset 3)\n"
    check_golden(GOLDEN / f"stats.{suffix}", result.stdout)


def test_stats_counts_known_answers(quick, corpus):
    result = quick("stats", corpus, "-f", "json")
    payload = stats_json(result)
    assert entity_rows(payload) == ENTITIES
    assert {k: payload[k] for k in ("documents", "failed", "mentions", "distinct_entities")} == {
        "documents": 4, "failed": 1, "mentions": 12, "distinct_entities": 6}
    # the summary line, as extract gives it
    assert result.stderr.splitlines()[-1].startswith("ner-cli: 5 documents, 12 mentions, 1 failed")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--top", "2"], ENTITIES[:2]),
        (["--min-docs", "2"], ENTITIES[:4]),
        (["--labels", "loc,org"], [ENTITIES[2], ENTITIES[3], ENTITIES[4]]),
        (["--labels", "PER", "--min-docs", "2", "-n", "1"], ENTITIES[:1]),
    ],
)
def test_stats_options(quick, corpus, options, expected):
    assert entity_rows(stats_json(quick("stats", corpus, "-f", "json", *options))) == expected


def test_stats_reads_extract_jsonl_from_stdin_and_without_error_records(quick, corpus):
    clean = [r for r in CORPUS if "error" not in r]
    result = quick("stats", "-", "-f", "csv", input=corpus.read_text(encoding="utf-8"))
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["name", "label", "documents", "mentions"]
    assert [tuple(r[:2]) + tuple(map(int, r[2:])) for r in rows[1:]] == ENTITIES
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in clean)
    assert quick("stats", "-", "-f", "csv", input=jsonl).exit_code == 0


def test_stats_format_from_output_suffix_and_json_when_piped(quick, corpus, tmp_path):
    out = tmp_path / "top.csv"
    result = quick("stats", corpus, "-o", out, "-q")
    assert result.stdout == "" and out.read_text(encoding="utf-8").startswith("name,label,")
    assert entity_rows(stats_json(quick("stats", corpus, "-q"))) == ENTITIES


def test_stats_malformed_lines_are_errors_and_the_rest_is_counted(quick, tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", CORPUS[:2])
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n[1]\n", encoding="utf-8")
    result = quick("stats", path, "-f", "json", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"ner-cli: {path}:3: malformed JSON (Expecting property name enclosed in double quotes)",
        f"ner-cli: {path}:4: not an extract record"]
    payload = stats_json(result)
    assert (payload["documents"], payload["failed"]) == (2, 2)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["stats", "no/such/file.jsonl"], 2, "no/such/file.jsonl: no such file or directory"),
        (["stats", "{corpus}", "--top", "0"], 2, "Invalid value for '--top'"),
        (["stats", "{corpus}", "-f", "xml"], 2, "Invalid value for '--format'"),
        (["stats", "{corpus}", "-o", "{tmp}/no/dir/x.csv"], 2, "cannot write"),
    ],
)
def test_usage_errors(quick, corpus, tmp_path, args, code, message):
    args = [a.format(corpus=corpus, tmp=tmp_path) for a in args]
    result = quick(*args)
    assert result.exit_code == code
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def graph_edges(graph) -> dict:
    return {tuple(sorted((a, b))): data["weight"] for a, b, data in graph.edges(data=True)}


def test_analysed_jsonl_and_texts_mix_in_one_folder(cli, tmp_path):
    folder = tmp_path / "mix"
    folder.mkdir()
    write_jsonl(folder / "done.jsonl", CORPUS[:1])
    (folder / "new.txt").write_text(CORPUS[1]["text"], encoding="utf-8")
    payload = stats_json(cli("stats", folder, "-f", "json", "-q"))
    assert payload["documents"] == 2
    macron = [e for e in payload["entities"] if e["name"] == "Emmanuel Macron"]
    assert macron and macron[0]["documents"] == 2  # one from the JSONL, one from the model


def test_texts_and_their_extract_jsonl_give_the_same_stats_and_graph(cli, tmp_path):
    """Analysing the samples now, or reading back what extract wrote: the same answers."""
    jsonl = tmp_path / "samples.jsonl"
    assert cli("extract", SAMPLES, "--include-text", "-o", jsonl, "-q").exit_code == 0
    from_text = cli("stats", SAMPLES, "-f", "json", "-q")
    from_jsonl = cli("stats", jsonl, "-f", "json", "-q")
    assert from_text.exit_code == 0 and from_text.stdout == from_jsonl.stdout
    payload = json.loads(from_text.stdout)
    assert payload["documents"] == len(list(SAMPLES.glob("*.txt")))
    assert ("Vladimir Poutine", "PER") in {(e["name"], e["label"]) for e in payload["entities"]}
    graphs = []
    for source in (SAMPLES, jsonl):
        out = tmp_path / f"{len(graphs)}.gexf"
        assert cli("graph", source, "--window", "sentence", "-o", out, "-q").exit_code == 0
        graphs.append(nx.read_gexf(out))
    assert graph_edges(graphs[0]) == graph_edges(graphs[1]) != {}
    assert dict(graphs[0].nodes(data=True)) == dict(graphs[1].nodes(data=True))


@pytest.mark.slow
def test_real_pipe_from_extract_to_stats(run, corpus):
    """A real subprocess: analysed JSONL on stdin, and no model load needed for it."""
    done = run("stats", "-", "-f", "csv", "-q", input=corpus.read_bytes())
    assert done.returncode == 1
    assert done.stdout.decode("utf-8").splitlines()[1] == "Emmanuel Macron,PER,2,3"
