"""Running the pipeline over many documents (ner_cli.run): -j 2 worker pools."""

from __future__ import annotations

import json

import pytest

PARIS = "Emmanuel Macron a reçu Olaf Scholz à Paris."


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow
def test_parallel_keeps_order_and_matches_one_process(cli, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    texts = [f"Article {i}. {PARIS} Puis {['Lyon', 'Nice', 'Brest'][i % 3]}." for i in range(40)]
    for i, text in enumerate(texts):
        (folder / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    (folder / "020.txt").write_bytes(b"\x00\x00")
    one = cli("extract", folder, "-f", "jsonl", "-q")
    two = cli("extract", folder, "-f", "jsonl", "-q", "-j", "2")
    assert two.exit_code == one.exit_code == 1
    assert [r["id"] for r in records(two)] == [f"{i:03d}.txt" for i in range(40)]
    assert records(two) == records(one)
