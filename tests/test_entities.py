"""Clean names and grouping mentions into entities, on hand-made mentions (no model)."""

from __future__ import annotations

import json

import pytest

from ner_cli.document import Document, Mention
from ner_cli.entities import clean_name, group_mentions
from ner_cli.extract import Result, to_record
from tests.conftest import SEED_SAMPLE


def mentions_of(text: str, *items: tuple[str, str]) -> list[Mention]:
    """Mentions of each (surface, label) in text order, each occurrence once."""
    found, taken = [], set()
    for surface, label in items:
        start = text.index(surface)
        while any(a <= start < b or start <= a < start + len(surface) for a, b in taken):
            start = text.index(surface, start + 1)
        taken.add((start, start + len(surface)))
        found.append(Mention(surface, label, start, start + len(surface), clean_name(surface)))
    return sorted(found, key=lambda m: m.start)


def groups(text: str, *items: tuple[str, str]):
    mentions, entities = group_mentions(text, mentions_of(text, *items))
    return mentions, {e.name: (e.label, e.count) for e in entities}


def test_clean_name_joins_ocr_hyphens_and_whitespace():
    assert clean_name("Clémen¬tine  Nicouleau") == "Clémentine Nicouleau"
    assert clean_name("Kim\nJong Un") == "Kim Jong Un"


def test_one_word_joins_the_only_full_name_containing_it():
    text = "Vladimir Poutine a vu Kim Jong Un. Poutine et Kim ont parlé. Poutine sourit."
    mentions, found = groups(text, ("Vladimir Poutine", "PER"), ("Kim Jong Un", "PER"),
                             ("Poutine", "PER"), ("Kim", "PER"), ("Poutine", "LOC"))
    assert {m.label for m in mentions} == {"PER"}
    # "Poutine" once LOC is outvoted by the PER mentions of the same entity
    assert found == {"Vladimir Poutine": ("PER", 3), "Kim Jong Un": ("PER", 2)}


def test_ambiguous_first_name_stays_alone():
    text = "Jean Dupont et Jean Martin. Jean est parti."
    _, found = groups(text, ("Jean Dupont", "PER"), ("Jean Martin", "PER"), ("Jean", "PER"))
    assert found == {"Jean Dupont": ("PER", 1), "Jean Martin": ("PER", 1), "Jean": ("PER", 1)}


def test_a_one_word_name_never_tagged_per_does_not_join_a_person():
    text = "Jacques Chirac a visité Chirac ? Non : Paris."
    _, found = groups(text, ("Jacques Chirac", "PER"), ("Chirac", "LOC"))
    assert found == {"Jacques Chirac": ("PER", 1), "Chirac": ("LOC", 1)}


def test_identical_names_are_case_insensitive():
    text = "La RUSSIE et la Russie."
    _, found = groups(text, ("RUSSIE", "LOC"), ("Russie", "LOC"))
    assert list(found.values()) == [("LOC", 2)]


def test_acronym_defined_in_the_text_joins_its_expansion():
    text = ("La République populaire démocratique de Corée (RPDC) a tiré. "
            "La RPDC dément. Le Parti socialiste (PS) aussi ; le FN (Front national) non.")
    _, found = groups(text, ("République populaire démocratique de Corée", "LOC"),
                      ("RPDC", "ORG"), ("RPDC", "LOC"), ("Parti socialiste", "ORG"),
                      ("PS", "ORG"), ("FN", "ORG"), ("Front national", "ORG"))
    assert found["République populaire démocratique de Corée"] == ("LOC", 3)
    assert found["Parti socialiste"] == ("ORG", 2)
    # "FN (Front national)" is the other order: not a definition we read
    assert found["FN"] == ("ORG", 1)


def test_a_tie_keeps_each_mention_label_and_names_the_entity_by_the_longest():
    text = "VNA a écrit. Selon la VNA."
    mentions, entities = group_mentions(text, mentions_of(text, ("VNA", "ORG"), ("VNA", "LOC")))
    assert [m.label for m in mentions] == ["ORG", "LOC"]
    assert [(e.label, e.count) for e in entities] == [("ORG", 2)]  # the first on equal length


def test_ids_follow_first_appearance_and_every_mention_has_one():
    text = "Paris, Lyon, Paris."
    mentions, entities = group_mentions(text, mentions_of(
        text, ("Paris", "LOC"), ("Lyon", "LOC"), ("Paris", "LOC")))
    assert [m.entity for m in mentions] == ["E1", "E2", "E1"]
    assert [(e.id, e.first_start, e.variants) for e in entities] == [
        ("E1", 0, ("Paris",)), ("E2", 7, ("Lyon",))]


def test_record_carries_grouped_entities():
    text = "M. Poutine et Vladimir Poutine."
    mentions = (Mention("Poutine", "PER", 3, 10, "Poutine", (0, 2), "M."),
                Mention("Vladimir Poutine", "PER", 14, 30, "Vladimir Poutine"))
    record = to_record(Result(Document("d", "d", text), mentions))
    assert record["entities"][0] == {"text": "Poutine", "label": "PER", "start": 3, "end": 10,
                                     "name": "Poutine",
                                     "title": {"text": "M.", "start": 0, "end": 2},
                                     "entity": "E1"}
    assert record["entities_grouped"] == [
        {"id": "E1", "name": "Vladimir Poutine", "label": "PER", "count": 2,
         "variants": ["Poutine", "Vladimir Poutine"], "first_start": 3}]


def test_seed_sample_groups(cli):
    result = cli("extract", SEED_SAMPLE, "--format", "jsonl", "--quiet")
    record = json.loads(result.stdout)
    text = SEED_SAMPLE.read_text(encoding="utf-8")
    grouped = {e["name"]: e for e in record["entities_grouped"]}
    assert grouped["Vladimir Poutine"]["count"] >= 6
    assert grouped["Kim Jong Un"]["count"] >= 4
    assert {"RPDC", "Russie", "AFP", "Xinhua"} <= set(grouped)
    assert {"Poutine", "Vladimir Poutine"} <= set(grouped["Vladimir Poutine"]["variants"])
    for mention in record["entities"]:
        assert text[mention["start"]:mention["end"]] == mention["text"]
        assert grouped[next(e["name"] for e in record["entities_grouped"]
                            if e["id"] == mention["entity"])]
        if mention["title"]:
            title = mention["title"]
            assert text[title["start"]:title["end"]] == title["text"]
            assert title["end"] <= mention["start"]
    titled = [m for m in record["entities"] if m["title"]]
    assert {m["title"]["text"] for m in titled} == {"M."}
    assert {m["text"] for m in titled} == {"Poutine", "Kim"}


def _entities(nlp, text):
    return [(e.text, e.label_) for e in nlp(text).ents]


def test_patterns_relabel_or_add_but_never_cut_a_longer_name(tmp_path):
    from ner_cli.options import PipelineOptions
    from ner_cli.pipeline import load_pipeline

    path = tmp_path / "p.jsonl"
    path.write_text('{"label": "ORG", "pattern": "Belga"}\n{"label": "ORG", "pattern": "ONU"}\n'
                    '{"label": "ORG", "pattern": "Zorblax"}\n', encoding="utf-8")
    plain, ruled = load_pipeline(), load_pipeline(PipelineOptions(patterns=path))
    text = "Selon Belga, le Conseil de sécurité de l'ONU a parlé de zorblax et de Zorblax."
    found = _entities(ruled, text)
    assert ("Belga", "ORG") in found  # relabelled or added, whatever the model said
    assert ("Zorblax", "ORG") in found and ("zorblax", "ORG") not in found  # case-sensitive
    # the model's entities around "ONU" are kept as they are
    onu = text.index("ONU")
    around = [e for e in plain(text).ents if e.start_char <= onu < e.end_char]
    assert [e for e in ruled(text).ents if e.start_char <= onu < e.end_char][0].text == (
        around[0].text if around else "ONU")


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--patterns", "nope.jsonl"), "--patterns: nope.jsonl: no such file"),
     (("--patterns", "news", "--no-patterns"), "--patterns and --no-patterns exclude each other")],
)
def test_patterns_usage_errors(cli, args, message):
    result = cli("extract", "-", "-f", "jsonl", *args, input="Paris.")
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_patterns_file_is_a_usage_error(cli, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"label": "ORG"}\n', encoding="utf-8")
    result = cli("extract", "-", "-f", "jsonl", "--patterns", path, input="Paris.")
    assert result.exit_code == 2
    assert "not spaCy EntityRuler patterns" in result.stderr


def test_shipped_news_patterns_load(cli):
    result = cli("extract", "-", "-f", "jsonl", "-q", "--patterns", "news",
                 input="Selon Belga et Interfax, Vladimir Poutine est à Moscou.")
    assert result.exit_code == 0, result.stderr
    labels = {e["text"]: e["label"] for e in json.loads(result.stdout)["entities"]}
    assert labels["Belga"] == labels["Interfax"] == "ORG"


@pytest.mark.slow
def test_bad_patterns_fail_once_before_workers_start(run, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Paris et Belga.", encoding="utf-8")
    result = run("extract", article, article, "-j", "2", "-q", "--patterns", tmp_path / "no.jsonl")
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"ner-cli: error: --patterns: {tmp_path / 'no.jsonl'}: no such file or directory"]
