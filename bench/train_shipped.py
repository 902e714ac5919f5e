"""Rebuild the shipped news-adapted ner (models/ner-news) with the exact `ner-cli train` call.

Usage: python bench/train_shipped.py [--data ../shared/data] [--work /tmp/ner-cli-train]
                                     [-o models/ner-news] [--extra FILE]... [--dry-run]
                                     [-- extra ner-cli train options]

Shipped weights are trained only on gold whose licence allows redistributing derived
weights with attribution: sequoia_other minus its validation part (LGPL-LR) and
newseye_dev2 (CC BY 4.0). ``--extra`` adds gold files for experiments (hipe2020_train is
CC BY-NC-SA: never for the shipped weights). The split files go to --work, outside the
repository: data is never copied into it. Reads ../shared/data; skips when absent.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path

from train_eval import HIPE_SETS, agreement_docs, read_jsonl, sequoia_split

REHEARSAL_DOCS = 400  # frwiki_2m r0:00001..00400: unique text, far from the agreement docs


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    """Write ``docs`` one per line; returns ``path``."""
    with path.open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/ner-cli-train"))
    parser.add_argument("-o", "--output", type=Path, default=Path("models/ner-news"))
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--rehearsal-text", choices=("gold", "frwiki", "none"), default="gold",
                        help="text the base model labels for rehearsal: the shipped gold files' "
                        "own texts (default: licence-clean), frwiki_2m (CC BY-NC-SA: "
                        "experiments only), or none")
    parser.add_argument("--dry-run", action="store_true")
    args, train_options = parser.parse_known_args()
    if not (args.data / "gold").is_dir():
        print(f"skipped: no gold data at {args.data}/gold", file=sys.stderr)
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    train, validation = sequoia_split(read_jsonl(args.data / "gold" / "sequoia_other.jsonl"))
    sequoia_train = write_jsonl(args.work / "sequoia_other.train.jsonl", train)
    sequoia_val = write_jsonl(args.work / "sequoia_other.validation.jsonl", validation)
    held_out = write_jsonl(args.work / "frwiki_2m.r0-01001-01149.jsonl",
                           agreement_docs(args.data / "bench" / "frwiki_2m.jsonl"))
    gold = [sequoia_train, args.data / "train" / "newseye_dev2.jsonl"]
    rehearsal = {"gold": gold, "frwiki": [args.data / "bench" / "frwiki_2m.jsonl"],
                 "none": []}[args.rehearsal_text]
    command = [
        str(Path(sys.executable).with_name("ner-cli")), "train",
        *map(str, gold),
        *map(str, args.extra),
        "--dev", str(sequoia_val),
        *(arg for name in HIPE_SETS
          for arg in ("--dev", str(args.data / "gold" / f"{name}.jsonl"))),
        *(arg for path in rehearsal for arg in ("--rehearsal", str(path))),
        "--rehearsal-docs", str(REHEARSAL_DOCS),
        "--agreement", str(held_out),
        "--seed", "0", "--epochs", "10", "--lr", "5e-4", "--dropout", "0.25",
        "--batch-size", "16", "--chunk-tokens", "80", "--rehearsal-ratio", "0.75",
        *[o for o in train_options if o != "--"],
        "-o", str(args.output),
    ]
    print(shlex.join(command), file=sys.stderr)
    if args.dry_run:
        return 0
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
