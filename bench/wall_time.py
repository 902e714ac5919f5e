"""Wall time of one `ner-cli extract` run on the seed sample: median of N runs.

Usage: python bench/wall_time.py [--runs 5] [--baseline] [-- extra ner-cli arguments]
Also times `ner-cli --help` (no spaCy import) for comparison. --baseline also times the same
command on spaCy's stock loading path (NER_CLI_STOCK_TOKENIZER=1: spaCy's own French
TOKEN_MATCH, compiled twice; NER_CLI_ALL_STRINGS=1: the model's whole string table), the two
commands taking turns so that both see the same load on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "rpdc-russie-vostotchny.txt"


STOCK = {"NER_CLI_STOCK_TOKENIZER": "1", "NER_CLI_ALL_STRINGS": "1"}


def seconds(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``command`` (output discarded).

    On a busy machine the CPU time moves less than the wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   env=None if env is None else {**os.environ, **env})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def medians(timings: list[tuple[float, float]]) -> str:
    wall = statistics.median(t[0] for t in timings)
    cpu = statistics.median(t[1] for t in timings)
    return f"{wall:.2f} s (CPU {cpu:.2f} s)"


def median_seconds(command: list[str], runs: int) -> str:
    """Median wall and CPU time of ``command`` over ``runs`` runs (output discarded)."""
    return medians([seconds(command) for _ in range(runs)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", action="store_true",
                        help="also time spaCy's stock loading path, for comparison")
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()
    exe = shutil.which("ner-cli") or str(Path(sys.executable).with_name("ner-cli"))
    extract = [exe, "extract", str(SAMPLE), "--format", "jsonl", *args.extra]
    print(f"# {date.today()}, {platform.node()} ({platform.machine()}, {os.cpu_count()} cores), "
          f"Python {platform.python_version()}, median of {args.runs}")
    print(f"ner-cli --help: {median_seconds([exe, '--help'], args.runs)}")
    shown = " ".join(["ner-cli", *extract[1:]])
    if not args.baseline:
        print(f"{shown}: {median_seconds(extract, args.runs)}")
        return 0
    fast, stock = [], []
    for _ in range(args.runs):
        fast.append(seconds(extract))
        stock.append(seconds(extract, STOCK))
    print(f"{shown}: {medians(fast)}")
    print(f"  same, stock loading path ({' '.join(f'{k}={v}' for k, v in STOCK.items())}): "
          f"{medians(stock)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
