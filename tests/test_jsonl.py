"""One JSONL reader for every JSONL ner-cli reads: split on "\\n" only, so a raw U+2028 or
U+0085 inside a JSON string never cuts a line (str.splitlines would)."""

from __future__ import annotations

import io
import json

import pytest

from ner_cli.jsonl import read_jsonl, stream_jsonl

# JSON allows these raw inside strings (not control characters); str.splitlines() ends a
# line at each.
RAW_SEPARATORS = ["\u2028", "\u2029", "\u0085"]


@pytest.mark.parametrize("separator", RAW_SEPARATORS)
def test_raw_separators_stay_inside_their_line(separator):
    line = '{"text": "Paris' + separator + 'Lyon"}'
    text = f"{line}\r\n\n  \n{line}\n"
    parsed = list(read_jsonl(text))
    assert [(p.number, p.value, p.error) for p in parsed] == [
        (1, {"text": f"Paris{separator}Lyon"}, None), (4, {"text": f"Paris{separator}Lyon"}, None)]
    streamed = list(stream_jsonl(io.BytesIO(text.encode("utf-8"))))
    assert streamed == parsed


def test_malformed_lines_carry_their_error_and_number():
    parsed = list(read_jsonl('{"a": 1}\n{oops\n[1, 2]\n'))
    assert parsed[1].number == 2 and parsed[1].error.startswith("malformed JSON")
    assert parsed[2].value == [1, 2] and parsed[2].error is None


@pytest.mark.parametrize("separator", ["\u2028", "\u0085"])
def test_every_jsonl_reader_takes_a_raw_separator(tmp_path, separator):
    """Gold, patterns, corpus inputs and extract records all read the same line."""
    from ner_cli.corpus import read_records
    from ner_cli.evaluate import read_gold
    from ner_cli.pipeline import read_patterns
    from ner_cli.readers import InputOptions, Source, read_source

    text = f"Paris{separator}Lyon"
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g", "text": text, "entities": [
        {"start": 0, "end": 5, "label": "LOC"}]}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_gold(gold)[0].text == text

    patterns = tmp_path / "p.jsonl"
    patterns.write_text(json.dumps({"label": "LOC", "pattern": text}, ensure_ascii=False)
                        + "\n", encoding="utf-8")
    assert read_patterns(patterns) == [{"label": "LOC", "pattern": text}]

    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "d", "text": text}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    (document,) = read_source(Source(str(corpus), "c.jsonl"), InputOptions())
    assert document.text == text and document.error is None

    record = {"id": "r", "source": "r", "text": text, "entities": [
        {"text": "Paris", "label": "LOC", "start": 0, "end": 5}]}
    line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
    assert list(read_records(io.BytesIO(line), "x.jsonl")) == [record]
