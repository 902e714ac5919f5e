"""Corpus counters on hand-made records with known answers (no model needed)."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ner_cli.corpus import (
    CorpusCounter,
    EntityCount,
    Window,
    looks_analysed,
    normalise_name,
    read_records,
    sentence_starts,
)
from ner_cli.entities import record_entities
from ner_cli.errors import MissingText


def mention(text: str, label: str, start: int = 0, **extra) -> dict:
    return {"text": text, "label": label, "start": start, "end": start + len(text), **extra}


def record(id_: str, *mentions: dict, **extra) -> dict:
    return {"id": id_, "source": id_, "entities": list(mentions), **extra}


CORPUS = [
    record("a", mention("Vladimir Poutine", "PER"), mention("Russie", "LOC"),
           mention("Poutine", "PER"), mention("Vladimir Poutine", "PER")),
    record("b", mention("vladimir  poutine", "PER"), mention("Russie", "LOC"),
           mention("AFP", "ORG")),
    record("c", mention("Russie", "ORG"), mention("Moscou", "LOC", 10)),
    {"id": "d", "source": "d", "error": "not valid UTF-8"},
]


def counted(records, **options) -> CorpusCounter:
    counter = CorpusCounter(**options)
    for rec in records:
        counter.add(rec)
    return counter


def as_tuples(entities: list[EntityCount]) -> list[tuple]:
    return [(e.name, e.label, e.documents, e.mentions) for e in entities]


def test_entities_merge_across_documents_by_normalised_name_and_label():
    counter = counted(CORPUS)
    assert (counter.documents, counter.failed, counter.mentions) == (3, 1, 9)
    assert as_tuples(counter.entities()) == [
        # "vladimir  poutine" merged, shown as the most frequent form; "Poutine" joined
        # "Vladimir Poutine" within its document, as extract groups (record_entities)
        ("Vladimir Poutine", "PER", 2, 4),
        ("Russie", "LOC", 2, 2),
        ("AFP", "ORG", 1, 1),
        ("Moscou", "LOC", 1, 1),
        ("Russie", "ORG", 1, 1),  # same name, other label: another entity
    ]


def test_top_min_docs_and_labels():
    assert as_tuples(counted(CORPUS).entities(top=2)) == [
        ("Vladimir Poutine", "PER", 2, 4), ("Russie", "LOC", 2, 2)]
    assert [e.name for e in counted(CORPUS).entities(min_docs=2)] == ["Vladimir Poutine",
                                                                      "Russie"]
    only = counted(CORPUS, labels=["ORG"])
    assert as_tuples(only.entities()) == [("AFP", "ORG", 1, 1), ("Russie", "ORG", 1, 1)]
    assert only.mentions == 2 and only.documents == 3


def test_grouped_records_use_their_groups():
    grouped = record(
        "g",
        mention("Vladimir Poutine", "PER", 0, name="Vladimir Poutine", entity="E1"),
        mention("Poutine", "PER", 30, name="Poutine", entity="E1"),
        mention("Kremlin", "ORG", 50, name="Kremlin", entity="E2"),
        entities_grouped=[
            {"id": "E1", "name": "Vladimir Poutine", "label": "PER", "count": 2,
             "variants": ["Vladimir Poutine", "Poutine"], "first_start": 0},
            {"id": "E2", "name": "Kremlin", "label": "LOC", "count": 1, "variants": ["Kremlin"],
             "first_start": 50},
        ],
    )
    counter = counted([grouped, CORPUS[0]])
    # the group's label wins over its mention's (ORG -> LOC), "Poutine" joins its full name
    assert as_tuples(counter.entities()) == [
        ("Vladimir Poutine", "PER", 2, 5), ("Kremlin", "LOC", 1, 1), ("Russie", "LOC", 1, 1)]


def test_mention_name_is_preferred_to_its_text():
    rec = record("n", mention("M. Poutine", "PER", name="Poutine"), mention("Poutine", "PER"))
    assert as_tuples(counted([rec]).entities()) == [("Poutine", "PER", 1, 2)]


def test_shown_form_is_the_most_frequent_and_first_seen_on_ties():
    records = [record("1", mention("Kim Jong-un", "PER")),
               record("2", mention("Kim Jong‐un", "PER"), mention("KIM JONG-UN", "PER")),
               record("3", mention("KIM JONG-UN", "PER"), mention("KIM JONG-UN", "PER"))]
    assert as_tuples(counted(records).entities()) == [("KIM JONG-UN", "PER", 3, 5)]
    assert as_tuples(counted(records[:2]).entities()) == [("Kim Jong-un", "PER", 2, 3)]


def test_normalise_name():
    assert normalise_name(" Côte\u00a0d’Ivoire\n") == "Côte d'Ivoire"
    assert normalise_name("Cote\u0301") == "Coté"  # NFC


def test_ties_sort_by_name_then_label():
    records = [record("t", mention("Zurich", "LOC"), mention("berne", "LOC", 10)),
               record("u", mention("Berne", "ORG"))]
    assert [(e.name, e.label) for e in counted(records).entities()] == [
        ("berne", "LOC"), ("Berne", "ORG"), ("Zurich", "LOC")]


def edge_tuples(counter: CorpusCounter, min_weight: int = 1) -> list[tuple]:
    return [(e.source.name, e.source.label, e.target.name, e.target.label, e.weight)
            for e in counter.edges(min_weight)]


def test_document_edges():
    counter = counted(CORPUS, window=Window.document)
    assert edge_tuples(counter) == [
        ("Russie", "LOC", "Vladimir Poutine", "PER", 2),
        ("AFP", "ORG", "Russie", "LOC", 1),
        ("AFP", "ORG", "Vladimir Poutine", "PER", 1),
        ("Moscou", "LOC", "Russie", "ORG", 1),
    ]
    assert edge_tuples(counter, min_weight=2) == [("Russie", "LOC", "Vladimir Poutine", "PER", 2)]
    assert edge_tuples(counted(CORPUS)) == []  # stats counts no pairs


def test_sentence_edges_count_sentences_where_both_appear():
    text = ("M. Poutine a reçu Kim Jong Un à Vostotchny. Kim Jong Un a salué la Russie.\n"
            "Poutine et Kim Jong Un ont parlé. La Russie aussi.")

    def at(name: str, label: str, nth: int = 0) -> dict:
        start = -1
        for _ in range(nth + 1):
            start = text.index(name, start + 1)
        return mention(name, label, start)

    rec = record("s", at("Poutine", "PER"), at("Kim Jong Un", "PER"), at("Vostotchny", "LOC"),
                 at("Kim Jong Un", "PER", 1), at("Russie", "LOC"), at("Poutine", "PER", 1),
                 at("Kim Jong Un", "PER", 2), at("Russie", "LOC", 1))
    sentence = counted([{**rec, "text": text}], window=Window.sentence)
    assert edge_tuples(sentence) == [
        ("Kim Jong Un", "PER", "Poutine", "PER", 2),
        ("Kim Jong Un", "PER", "Russie", "LOC", 1),
        ("Kim Jong Un", "PER", "Vostotchny", "LOC", 1),
        ("Poutine", "PER", "Vostotchny", "LOC", 1),
    ]
    # the text may come beside the record (when ner-cli ran the pipeline itself)
    beside = CorpusCounter(window=Window.sentence)
    beside.add(rec, text=text)
    assert edge_tuples(beside) == edge_tuples(sentence)
    with pytest.raises(MissingText, match="s: sentence windows need the document text"):
        CorpusCounter(window=Window.sentence).add(rec)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("M. Kim et Mme Kim. Puis J. Chirac.", ["M. Kim et Mme Kim. ", "Puis J. Chirac."]),
        ("Il dit : « Non ! » Alors.", ["Il dit : « Non ! » ", "Alors."]),
        ("Fin? « Oui. » Ensuite 2024 arrive.", ["Fin? ", "« Oui. » ", "Ensuite 2024 arrive."]),
        ("Paris, etc. et Lyon. Dr. House", ["Paris, etc. et Lyon. ", "Dr. House"]),
        ("ligne un\n\nligne deux\r\nfin", ["ligne un\n\n", "ligne deux\r\n", "fin"]),
        ("Voir p. Martin… Puis", ["Voir p. Martin… ", "Puis"]),
        ("Fin de ligne.\nsuite. et fin", ["Fin de ligne.\n", "suite. et fin"]),
        ("(M. Dupont.) Puis", ["(M. Dupont.) ", "Puis"]),
        ("", [""]),
        ("Rien.", ["Rien."]),
    ],
)
def test_sentence_starts(text, sentences):
    starts = sentence_starts(text)
    assert [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)] == sentences


NAMES = st.sampled_from(["Poutine", "poutine", "Kim", "RPDC", "Russie", "AFP"])
LABELS = st.sampled_from(["PER", "LOC", "ORG"])
RECORDS = st.lists(
    st.one_of(
        st.lists(st.tuples(NAMES, LABELS), max_size=6).map(
            lambda ms: record("r", *(mention(n, lab) for n, lab in ms))),
        st.just({"id": "e", "source": "e", "error": "unreadable"}),
    ),
    max_size=8,
)


@given(records=RECORDS)
def test_counts_agree_with_a_naive_recount(records):
    """Keep every record and recount: the streaming counters give the same numbers."""
    counter = counted(records, window=Window.document)
    # each document's entities as extract groups them (same name, one voted label)
    grouped = [record_entities(r)[1] for r in records if "entities" in r]
    keys_per_doc = [{(e["name"].casefold(), e["label"]) for e in entities}
                    for entities in grouped]
    mentions = Counter()
    for entities in grouped:
        for e in entities:
            mentions[e["name"].casefold(), e["label"]] += e["count"]
    documents = Counter(key for keys in keys_per_doc for key in keys)
    pairs = Counter(pair for keys in keys_per_doc for pair in combinations(sorted(keys), 2))
    assert {(e.name.casefold(), e.label): (e.documents, e.mentions)
            for e in counter.entities()} == {k: (documents[k], mentions[k]) for k in documents}
    got = Counter()
    for edge in counter.edges():
        a = (edge.source.name.casefold(), edge.source.label)
        b = (edge.target.name.casefold(), edge.target.label)
        got[tuple(sorted((a, b)))] += edge.weight
    assert got == pairs
    assert counter.failed == sum("error" in r for r in records)


def test_gold_style_mentions_take_their_name_from_the_text():
    gold = {"id": "g", "text": "Jacques Chirac à Paris.",
            "entities": [{"start": 0, "end": 14, "label": "PER"},
                         {"start": 17, "end": 22, "label": "LOC"}]}
    assert as_tuples(counted([gold]).entities()) == [("Jacques Chirac", "PER", 1, 1),
                                                      ("Paris", "LOC", 1, 1)]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"id": "a", "entities": [{"text": "Paris", "label": "LOC", "start": 0}]}', None),
        ('{"id": "a", "error": "unreadable"}', None),
        ('{"id": "a", "text": "Paris", "entities": [{"start": 0, "end": 5, "label": "LOC"}]}',
         None),
        ("{oops", "malformed JSON (Expecting property name enclosed in double quotes)"),
        ('["a"]', "not an extract record"),
        ('{"id": "a", "text": "Paris"}', "not an extract record"),
        ('{"id": "a", "entities": "Paris"}', "not an extract record"),
        ('{"id": "a", "entities": [{"label": "LOC", "start": 0, "end": 5}]}',
         "not an extract record"),  # no text to read the name from
        ('{"id": "a", "entities": [], "entities_grouped": [{"name": "Paris"}]}',
         "not an extract record"),
    ],
)
def test_read_records_turns_what_cannot_be_counted_into_error_records(line, error):
    (read,) = read_records([line.encode("utf-8"), b"  \n"], "f.jsonl")
    if error is None:
        assert read == json.loads(line)
        counted([read])  # and it counts without raising
    else:
        assert read == {"id": "f.jsonl:1", "source": "f.jsonl:1", "error": error}


@pytest.mark.parametrize(
    ("head", "analysed"),
    [
        (b'{"id": "a", "source": "a", "entities": []}\n', True),
        (b'\n{"id": "a", "source": "a", "error": "x"}\n{"id": "b", "entities": []}\n', True),
        (b'{"id": "a", "source": "a", "error": "x"}\n', True),
        (b'{"id": "a", "text": "Le \\"entities\\": [ dit"}\n', False),
        (b'{"id": "a", "text": "Paris", "entities": [{"start": 0}]}\n', True),  # gold
        (b'{"id": "a", "source": "a", "entities": [{"text": "Par', True),  # cut by the head
        (b'{"id": "a", "text": "Par', False),
        (b'["a"]\n', False),
        (b"", False),
        (b"not json\n", False),
    ],
)
def test_looks_analysed(head, analysed):
    assert looks_analysed(head) is analysed


def test_sentence_edges_of_grouped_records_follow_their_mentions():
    text = "Vladimir Poutine est à Moscou. Plus tard, Poutine a vu Kim."
    rec = record(
        "g",
        mention("Vladimir Poutine", "PER", 0, entity="E1"),
        mention("Moscou", "LOC", 23, entity="E2"),
        mention("Poutine", "PER", 42, entity="E1"),
        mention("Kim", "PER", 55, entity="E3"),
        entities_grouped=[
            {"id": "E1", "name": "Vladimir Poutine", "label": "PER", "count": 2},
            {"id": "E2", "name": "Moscou", "label": "LOC", "count": 1},
            {"id": "E3", "name": "Kim", "label": "PER", "count": 1},
        ],
        text=text,
    )
    assert edge_tuples(counted([rec], window=Window.sentence)) == [
        ("Kim", "PER", "Vladimir Poutine", "PER", 1),
        ("Moscou", "LOC", "Vladimir Poutine", "PER", 1),
    ]
