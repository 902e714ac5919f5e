"""`ner-cli train`: gold conversion and chunking on plain functions, then a tiny real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ner_cli.train import (
    GoldDoc,
    TrainSettings,
    chunk_bounds,
    convention_spans,
    gold_reference,
    licence_of,
    read_gold,
    train,
)

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
    doc = GoldDoc("d", text, tuple((e["start"], e["end"], e["label"])
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
    ref, counts = gold_reference(nlp, GoldDoc("d", text, spans))
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


@pytest.mark.parametrize("line", ['{"text": "x"}', "not json"])
def test_bad_gold_is_an_input_error(tmp_path, line):
    from ner_cli.errors import InputError

    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_gold(path)


def test_train_one_epoch_saves_a_component_that_loads_and_runs(tiny, tmp_path):
    from ner_cli.pipeline import load_ner_weights, load_pipeline

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
    card = (tmp_path / "ner" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "| gold.jsonl | gold |" in card and "| text.txt | rehearsal text |" in card
    assert report.counts["train documents"] == len(SENTENCES) * 3
    assert 0.0 <= report.agreement.f1 <= 1.0

    fresh = load_ner_weights(load_pipeline.__wrapped__(stock_ner=True), tmp_path / "ner")
    doc = fresh(SENTENCES[1][0])
    assert {e.label_ for e in doc.ents} <= {"PER", "LOC", "ORG", "MISC"}


def test_same_seed_same_weights(tiny, tmp_path):
    settings = TrainSettings(epochs=1, seed=7, chunk_tokens=30)
    gold = tiny / "gold.jsonl"
    for name in ("a", "b"):
        train([gold], [gold], tmp_path / name, settings, rehearsal_files=[tiny / "text.txt"])
    assert (tmp_path / "a" / "model").read_bytes() == (tmp_path / "b" / "model").read_bytes()


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


def test_base_ner_weights_do_not_change_when_training(nlp, tiny, tmp_path):
    before = nlp.get_pipe("ner").model.to_bytes()
    train([tiny / "gold.jsonl"], [tiny / "gold.jsonl"], tmp_path / "x",
          TrainSettings(epochs=1, chunk_tokens=30))
    assert nlp.get_pipe("ner").model.to_bytes() == before
