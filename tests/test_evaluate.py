"""Scoring: plain functions on hand-made spans, the `evaluate` command, and agreement of
`evaluate --raw` with `spacy benchmark accuracy` on a small hand-made gold file."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata

import pytest

from ner_cli.errors import InputError
from ner_cli.evaluate import GoldDocument, evaluate, read_gold, score_spans, seen_in_training
from ner_cli.options import PipelineOptions, Weights
from ner_cli.training_set import TrainingSet, read_training_set
from tests.conftest import ROOT

# Hand-made gold, with entities where the model is likely wrong too, so scores are not all 1.
GOLD_TEXTS = [
    ("g1", "Le président Emmanuel Macron a reçu Olaf Scholz à Paris, selon l'AFP.",
     [("Emmanuel Macron", "PER"), ("Olaf Scholz", "PER"), ("Paris", "LOC"), ("AFP", "ORG")]),
    ("g2", "M. Poutine et Kim Jong Un se sont vus au cosmodrome Vostotchny, en Russie.",
     [("Poutine", "PER"), ("Kim Jong Un", "PER"), ("Vostotchny", "LOC"), ("Russie", "LOC")]),
    ("g3", "La Commission européenne et le Conseil ont adopté le traité de Lisbonne.",
     [("Commission européenne", "ORG"), ("Conseil", "ORG"), ("traité de Lisbonne", "MISC")]),
    ("g4", "Airbus a livré des avions à Air France, à Toulouse et à Hambourg.",
     [("Airbus", "ORG"), ("Air France", "ORG"), ("Toulouse", "LOC"), ("Hambourg", "LOC")]),
    ("g5", "Il pleut.", []),
    ("g6", "Mme Merkel et M. Sarkozy ont parlé à Berlin.",
     [("Merkel", "PER"), ("Sarkozy", "PER"), ("Berlin", "LOC")]),
]


def gold_records() -> list[dict]:
    records = []
    for doc_id, text, entities in GOLD_TEXTS:
        spans = [{"start": text.index(s), "end": text.index(s) + len(s), "label": label}
                 for s, label in entities]
        records.append({"id": doc_id, "text": text, "entities": spans})
    return records


@pytest.fixture
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold_records()),
                    encoding="utf-8")
    return path


def test_strict_and_overlap_scores():
    gold = [(0, 5, "PER"), (10, 15, "LOC"), (20, 25, "ORG")]
    pred = [(0, 5, "PER"), (10, 13, "LOC"), (20, 25, "LOC"), (30, 35, "ORG")]
    strict = score_spans([(gold, pred)])
    assert (strict["PER"].tp, strict["LOC"].tp, strict["LOC"].fp, strict["ORG"].fn) == (1, 0, 2, 1)
    assert strict["micro"].precision == pytest.approx(1 / 4)
    assert strict["micro"].recall == pytest.approx(1 / 3)
    overlap = score_spans([(gold, pred)], overlap=True)
    assert overlap["LOC"].recall == 1.0  # (10, 13) overlaps the gold LOC
    assert overlap["micro"].precision == pytest.approx(2 / 4)


def test_report_scores_misc_only_when_the_gold_has_it():
    docs = [GoldDocument("a", "Paris", ((0, 5, "LOC"),))]
    report = evaluate(docs, [[(0, 5, "LOC")]])
    assert list(report["scores"]) == ["PER/LOC/ORG"]
    assert report["scores"]["PER/LOC/ORG"]["strict"]["micro"]["f"] == 1.0
    docs = [GoldDocument("a", "Paris", ((0, 5, "MISC"),))]
    assert list(evaluate(docs, [[]])["scores"]) == ["PER/LOC/ORG", "PER/LOC/ORG/MISC"]


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"text": "Paris"', "gold.jsonl:1: not a gold record"),
     ('{"id": "a"}', "gold.jsonl:1: not a gold record"),
     ('{"text": "Paris", "entities": [{"start": 0, "end": 9, "label": "LOC"}]}',
      "outside the text")],
)
def test_read_gold_rejects_bad_records(tmp_path, content, message):
    path = tmp_path / "gold.jsonl"
    path.write_text(content + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_gold(path)


def test_titles_include_puts_titles_back(cli, gold_file):
    out = cli("evaluate", gold_file, "--format", "json")
    included = cli("evaluate", gold_file, "--format", "json", "--titles", "include")
    assert out.exit_code == included.exit_code == 0, out.stderr
    per = json.loads(out.stdout)["scores"]["PER/LOC/ORG"]["strict"]["PER"]
    per_included = json.loads(included.stdout)["scores"]["PER/LOC/ORG"]["strict"]["PER"]
    # the gold leaves titles out, as ner-cli does: putting them back loses exactly the right
    # PER mentions that have a title ("M. Poutine", "Mme Merkel", "M. Sarkozy")
    records = [json.loads(line) for line in
               cli("extract", gold_file, "-f", "jsonl", "-q").stdout.splitlines()]
    gold = {(r["id"], e["start"], e["end"]) for r in gold_records() for e in r["entities"]}
    titled = [m for r in records for m in r["entities"]
              if m["label"] == "PER" and m["title"] and (r["id"].split(":")[-1], m["start"],
                                                         m["end"]) in gold]
    assert len(titled) >= 3
    assert per_included["tp"] == per["tp"] - len(titled)


def test_evaluate_table_and_errors(cli, gold_file, tmp_path):
    result = cli("evaluate", gold_file)
    assert result.exit_code == 0 and result.stderr == ""
    assert "ner-cli (news weights), 6 documents, 18 gold entities" in result.stdout
    assert "PER/LOC/ORG/MISC" in result.stdout
    missing = cli("evaluate", tmp_path / "nope.jsonl")
    assert missing.exit_code == 2  # a path the user names that does not exist
    assert missing.stderr.count("\n") == 1
    assert missing.stderr.startswith("ner-cli: error: ") and "nope.jsonl" in missing.stderr
    assert cli("evaluate", gold_file, "--titles", "sometimes").exit_code == 2


# Gold the weights were trained on scores far above unseen news: evaluate says so.

# A document the shipped weights were trained on (sequoia_other, not one of the fifth held
# out by bench/train_shipped.py): its id is fingerprinted in models/ner-news/meta.json.
SHIPPED_TRAINING_ID = "sequoia_other:Europar.550_00001..00020"
SHARED_GOLD = ROOT.parent / "shared" / "data" / "gold"


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture
def weights_trained_on(tmp_path):
    """A weights folder (only its meta.json: nothing loads it) with a recorded training set."""
    trained = [GoldDocument("t:1", "Un texte de l'entraînement.", ()),
               GoldDocument("t:2", "Le  président\nMacron à l'Élysée.", ()),
               GoldDocument("3", "Une ligne sans id.", (), id_given=False),
               GoldDocument("4", "Un fichier aux ids numérotés.", ())]
    folder = tmp_path / "weights"
    folder.mkdir()
    meta = {"name": "weights", "ner_cli": {"training_set": TrainingSet.of(trained).as_meta()}}
    write_jsonl(folder / "meta.json", [meta])
    return folder


def test_seen_in_training_by_id_by_text_and_not_at_all(tmp_path, weights_trained_on):
    nfd = unicodedata.normalize("NFD", "Le président Macron à l'Élysée.")
    gold = read_gold(write_jsonl(tmp_path / "gold.jsonl", [
        {"id": "t:1", "text": "Le texte a changé depuis."},  # by id
        {"id": "autre", "text": f"  {nfd} "},  # by text: NFC, whitespace runs as one space
        {"text": "Une ligne sans id."},  # by text, no id given
        {"text": "Ligne 4."},  # its id "4" is its line number, not an id the file gives
        {"id": "5", "text": "Un texte jamais vu."},
    ]))
    training_set = read_training_set(weights_trained_on)
    assert [d in training_set for d in gold] == [True, True, True, False, False]
    options = PipelineOptions(weights=weights_trained_on)
    assert seen_in_training(gold, options) == {"documents": 3, "of": 5}


def test_the_shipped_weights_record_their_training_set():
    meta = json.loads((ROOT / "models" / "ner-news" / "meta.json").read_text(encoding="utf-8"))
    training_set = TrainingSet.from_meta(meta)
    assert training_set is not None  # bench/training_hashes.py --check rebuilds it from data
    assert training_set.documents == len(training_set.ids) == len(training_set.texts) == 139
    assert seen_in_training([GoldDocument(SHIPPED_TRAINING_ID, "autre", ())]) == \
        {"documents": 1, "of": 1}
    # the stock ner records no training set: nothing to say, rather than "0"
    assert seen_in_training([GoldDocument(SHIPPED_TRAINING_ID, "autre", ())],
                            PipelineOptions(weights=Weights.base)) is None


def test_evaluate_warns_when_gold_was_in_the_training_set(cli, tmp_path):
    records = gold_records()
    records[0]["id"] = SHIPPED_TRAINING_ID
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    result = cli("evaluate", gold, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["seen_in_training"] == {"documents": 1, "of": 6}
    assert result.stderr == (
        "ner-cli: warning: 1 of 6 gold documents were in the training set of the news "
        "weights; the score overstates unseen news\n")
    table = cli("evaluate", gold)
    assert table.exit_code == 0 and table.stderr == result.stderr
    base = cli("evaluate", gold, "--base-ner", "--format", "json")
    assert base.exit_code == 0 and base.stderr == ""
    assert json.loads(base.stdout)["seen_in_training"] is None


def test_the_warning_names_the_weights():
    from ner_cli.cli.evaluate import seen_in_training_warning

    def report(weights, seen):
        return {"weights": weights, "seen_in_training": seen}

    assert seen_in_training_warning(report("my-ner", {"documents": 2, "of": 9})) == (
        "2 of 9 gold documents were in the training set of the weights in my-ner; the score "
        "overstates unseen news")
    assert seen_in_training_warning(report("news", {"documents": 0, "of": 9})) is None
    assert seen_in_training_warning(report("base", None)) is None


def test_evaluate_says_nothing_on_unseen_gold(cli, gold_file):
    result = cli("evaluate", gold_file, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout)["seen_in_training"] == {"documents": 0, "of": 6}


@pytest.mark.skipif(not SHARED_GOLD.is_dir(), reason="no shared gold data")
@pytest.mark.parametrize(("name", "seen"), [
    ("sequoia_other", 105),  # four fifths of it trained the shipped weights
    ("wikinews_dev", 0), ("hipe2020_dev", 0), ("newseye_dev", 0), ("letemps_dev", 0)])
def test_shared_gold_seen_by_the_shipped_weights(name, seen):
    documents = read_gold(SHARED_GOLD / f"{name}.jsonl")
    assert seen_in_training(documents) == {"documents": seen, "of": len(documents)}


@pytest.mark.slow
def test_raw_agrees_with_spacy_benchmark_accuracy(nlp, gold_file, tmp_path, cli):
    """`evaluate --raw` scores the same pipeline as `spacy benchmark accuracy` on a DocBin
    built from the same gold, to the third decimal."""
    from spacy.tokens import DocBin

    docs = []
    for record in gold_records():
        doc = nlp.make_doc(record["text"])
        doc.ents = [doc.char_span(e["start"], e["end"], e["label"]) for e in record["entities"]]
        docs.append(doc)
    DocBin(docs=docs).to_disk(tmp_path / "gold.spacy")
    nlp.to_disk(tmp_path / "pipeline")
    code = tmp_path / "register.py"
    code.write_text("from ner_cli.pipeline import _register_line_breaks\n"
                    "_register_line_breaks()\n", encoding="utf-8")
    metrics = tmp_path / "metrics.json"
    subprocess.run([sys.executable, "-m", "spacy", "benchmark", "accuracy",
                    str(tmp_path / "pipeline"), str(tmp_path / "gold.spacy"),
                    "--code", str(code), "--output", str(metrics)],
                   check=True, capture_output=True, timeout=300)
    spacy_scores = json.loads(metrics.read_text(encoding="utf-8"))

    result = cli("evaluate", gold_file, "--raw", "--format", "json")
    assert result.exit_code == 0, result.stderr
    ours = json.loads(result.stdout)["scores"]["PER/LOC/ORG/MISC"]["strict"]
    assert 0 < ours["micro"]["f"] < 1  # a test that can fail
    for key in ("p", "r", "f"):
        assert round(ours["micro"][key], 3) == round(spacy_scores[f"ents_{key}"], 3)
    for label, theirs in spacy_scores["ents_per_type"].items():
        for key in ("p", "r", "f"):
            assert round(ours[label][key], 3) == round(theirs[key], 3), (label, key)
