"""`ner-cli train`: gold conversion and chunking on plain functions, then a tiny real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ner_cli.evaluate import GoldDocument, read_gold
from ner_cli.model_card import TrainSettings, licence_of
from ner_cli.options import PipelineOptions, Weights
from ner_cli.train import agreement, train
from ner_cli.training_data import chunk_bounds, convention_spans, gold_reference, predict_spans
from ner_cli.training_set import TrainingSet

# A hand-made gold set: a handful of French news sentences, HIPE-style (titles inside PER).
SENTENCES = [
    ("M. Jean Dupont est arrivé à Lyon avec la délégation de l'ONU.",
     [("M. Jean Dupont", "PER"), ("Lyon", "LOC"), ("ONU", "ORG")]),
    ("Le président Emmanuel Macron a reçu Angela Merkel à Paris.",
     [("président Emmanuel Macron", "PER"), ("Angela Merkel", "PER"), ("Paris", "LOC")]),
    ("La société Airbus a livré dix avions à Air France en 2025.",
     [("Airbus", "ORG"), ("Air France", "ORG")]),
    ("Le Tour de France passe par Grenoble, dit Marie Curie.",
     [("Tour de France", "MISC"), ("Grenoble", "LOC"), ("Marie Curie", "PER")]),
]


def gold_record(number: int, text: str, names: list[tuple[str, str]]) -> dict:
    entities, at = [], 0
    for name, label in names:
        start = text.index(name, at)
        entities.append({"start": start, "end": start + len(name), "label": label})
        at = start + len(name)
    return {"id": f"tiny:{number}", "text": text, "entities": entities}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    with (folder / "gold.jsonl").open("w", encoding="utf-8") as out:
        for number, (text, names) in enumerate(SENTENCES * 3):
            out.write(json.dumps(gold_record(number, text, names), ensure_ascii=False) + "\n")
    (folder / "text.txt").write_text(
        "Le Premier ministre britannique a rencontré le chancelier allemand à Berlin. "
        "Google et Microsoft publient leurs résultats à New York.\n", encoding="utf-8")
    return folder


def test_gold_is_converted_to_the_span_convention(nlp):
    text, names = SENTENCES[0]
    doc = GoldDocument("d", text, tuple((e["start"], e["end"], e["label"])
                                   for e in gold_record(0, text, names)["entities"]))
    ref, counts = gold_reference(nlp, doc)
    assert [(e.text, e.label_) for e in ref.ents] == [
        ("Jean Dupont", "PER"), ("Lyon", "LOC"), ("ONU", "ORG")]
    assert [t.ent_iob_ for t in ref if t.text == "M."] == ["O"]  # the title is outside
    assert counts.kept == 3 and counts.retitled == 1
    assert convention_spans(doc)[0] == (3, 14, "PER")


def test_misc_unaligned_and_title_only_spans_are_missing_not_negative(nlp):
    text = "Le Tour de France passe par M.Emile Laurent puis M. seul."
    spans = ((3, 17, "MISC"), (30, 43, "PER"), (49, 51, "PER"))  # "mile Laurent": no alignment
    ref, counts = gold_reference(nlp, GoldDocument("d", text, spans))
    missing = [t.text for t in ref if t.ent_iob_ == ""]
    assert missing == ["Tour", "de", "France", "M.Emile", "Laurent", "M."]
    assert not ref.ents
    assert (counts.missing_label, counts.missing_unaligned, counts.missing_title_only) == (1, 1, 1)


def test_chunks_cover_the_doc_and_never_cut_an_entity(nlp):
    text = " ".join(t for t, _ in SENTENCES) * 3
    doc = nlp(text)
    bounds = chunk_bounds(doc, 20)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(doc)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(0 < end - start <= 20 for start, end in bounds)
    assert all(doc[start].ent_iob_ != "I" for start, _ in bounds)
    # a sentence end near the limit is preferred to a cut mid-sentence
    assert all(doc[end - 1].text == "." for _, end in bounds[:-1])


def test_licences_come_from_file_names():
    assert licence_of(Path("x/sequoia_other.train.jsonl")).startswith("LGPL-LR")
    assert licence_of(Path("newseye_dev2.jsonl")).startswith("CC BY 4.0")
    assert "NC" in licence_of(Path("hipe2020_train.jsonl"))
    assert licence_of(Path("mine.jsonl")).startswith("unknown")


@pytest.mark.parametrize("line", ['{"text": "x", "entities": [{"start": 0}]}', "not json"])
def test_bad_gold_is_an_input_error(tmp_path, line):
    from ner_cli.errors import InputError

    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:1: not a gold record"):
        read_gold(path)


@pytest.mark.slow
def test_train_one_epoch_saves_a_component_that_loads_and_runs(tiny, tmp_path):
    from ner_cli.pipeline import fresh_pipeline

    settings = TrainSettings(epochs=1, seed=3, chunk_tokens=30)
    gold = tiny / "gold.jsonl"
    report = train([gold], [gold], tmp_path / "ner", settings,
                   rehearsal_files=[tiny / "text.txt"], agreement_files=[tiny / "text.txt"])
    saved = sorted(p.name for p in (tmp_path / "ner").iterdir())
    assert saved == ["MODEL_CARD.md", "cfg", "meta.json", "model", "moves"]
    assert (tmp_path / "ner" / "model").stat().st_size < 10_000_000  # no vectors copied
    meta = json.loads((tmp_path / "ner" / "meta.json").read_text(encoding="utf-8"))
    assert meta["base"] == report.base_version and meta["best_epoch"] == 1
    assert meta["train_files"] == ["gold.jsonl"]
    training_set = TrainingSet.from_meta(meta)  # evaluate warns on gold it was trained on
    assert training_set.documents == training_set.seen(read_gold(gold)) == len(SENTENCES) * 3
    card = (tmp_path / "ner" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "| gold.jsonl | gold |" in card and "| text.txt | rehearsal text |" in card
    assert report.counts["train documents"] == len(SENTENCES) * 3
    assert report.counts["agreement documents"] == 1

    fresh = fresh_pipeline(PipelineOptions(weights=tmp_path / "ner"))
    doc = fresh(SENTENCES[1][0])
    assert {e.label_ for e in doc.ents} <= {"PER", "LOC", "ORG", "MISC"}
    # The agreement reported is that of the saved component with the stock one, recounted
    # here on the held-out text: the base's entities are the reference.
    held_out = [(tiny / "text.txt").read_text(encoding="utf-8")]
    base = predict_spans(fresh_pipeline(PipelineOptions(weights=Weights.base)), held_out)
    recount = agreement(base, predict_spans(fresh, held_out))
    assert base[0], "the stock model finds entities in the held-out text"
    assert report.agreement.tp + report.agreement.fn == len(base[0])
    assert (report.agreement.tp, report.agreement.fp, report.agreement.fn) == (
        recount.tp, recount.fp, recount.fn)
    assert meta["agreement_f1"] == report.agreement.f1


@pytest.mark.slow
def test_same_seed_same_weights(tiny, tmp_path):
    settings = TrainSettings(epochs=1, seed=7, chunk_tokens=30)
    gold = tiny / "gold.jsonl"
    for name in ("a", "b"):
        train([gold], [gold], tmp_path / name, settings, rehearsal_files=[tiny / "text.txt"])
    assert (tmp_path / "a" / "model").read_bytes() == (tmp_path / "b" / "model").read_bytes()


@pytest.mark.slow
def test_train_command(cli, tiny, tmp_path):
    gold = tiny / "gold.jsonl"
    result = cli("train", gold, "--dev", gold, "--epochs", "1", "--chunk-tokens", "30",
                 "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "epoch 1/1" in result.stderr and "saved epoch 1" in result.stderr
    assert (tmp_path / "out" / "model").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dev", "{gold}", "--epochs", "0", "-o", "{out}"], "--epochs"),
        (["--dev", "{gold}/nope.jsonl", "-o", "{out}"], "--dev"),
        (["-o", "{out}"], "--dev"),
    ],
)
def test_train_usage_errors(cli, tiny, tmp_path, args, message):
    args = [a.format(gold=tiny / "gold.jsonl", out=tmp_path / "out") for a in args]
    result = cli("train", tiny / "gold.jsonl", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_base_ner_weights_do_not_change_when_training(nlp, tiny, tmp_path):
    before = nlp.get_pipe("ner").model.to_bytes()
    train([tiny / "gold.jsonl"], [tiny / "gold.jsonl"], tmp_path / "x",
          TrainSettings(epochs=1, chunk_tokens=30))
    assert nlp.get_pipe("ner").model.to_bytes() == before


def test_a_gold_entity_across_a_predicted_sentence_start_stays_trainable(nlp):
    from ner_cli.training_data import _examples

    text = "Il travaille pour Yahoo! News depuis 2006."
    ref, _ = gold_reference(nlp, GoldDocument("d", text, ((18, 29, "ORG"),)))
    sentences = nlp.make_doc(text)
    sentences[5].is_sent_start = True  # as senter does after "Yahoo!"
    (example,) = _examples(ref, sentences, 80)
    assert [t.text for t in example.reference.ents[0]] == ["Yahoo", "!", "News"]
    assert not example.predicted[5].is_sent_start


def test_default_ner_weights_are_the_shipped_ones_unless_base_ner():
    from ner_cli.options import Weights
    from ner_cli.pipeline import load_pipeline, shipped_ner

    folder = shipped_ner()
    if folder is None:
        pytest.skip("no shipped ner weights in models/")
    stock = load_pipeline(PipelineOptions(weights=Weights.base)).get_pipe("ner").model.to_bytes()
    default = load_pipeline().get_pipe("ner").model.to_bytes()
    assert default == (folder / "model").read_bytes()
    assert stock != default


def test_version_names_the_ner_weights(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("ner weights: ")


def test_base_ner_and_ner_weights_exclude_each_other(cli, tmp_path):
    from tests.conftest import SEED_SAMPLE

    result = cli("extract", SEED_SAMPLE, "--base-ner", "--ner-weights", tmp_path)
    assert result.exit_code == 2
    assert "--base-ner and --ner-weights" in result.stderr


def test_base_misc_is_kept_where_the_gold_has_no_entity(nlp):
    from spacy.tokens import Span

    text = "Jean Dupont a lu Le Monde et regardé les Jeux olympiques à Paris."
    base = nlp.make_doc(text)
    base.ents = [Span(base, 4, 6, "MISC"), Span(base, 9, 11, "MISC"), Span(base, 12, 13, "MISC")]
    gold = GoldDocument("d", text, ((0, 11, "PER"), (17, 25, "MISC"), (59, 64, "LOC")))
    ref, counts = gold_reference(nlp, gold, base)
    assert [(e.text, e.label_) for e in ref.ents] == [
        ("Jean Dupont", "PER"), ("Le Monde", "MISC"), ("Jeux olympiques", "MISC"),
        ("Paris", "LOC")]  # the gold LOC wins over a base MISC
    assert counts.base_kept == 2
