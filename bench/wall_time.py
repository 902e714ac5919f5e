"""Wall time of one `ner-cli extract` run on the seed sample: median of N runs.

Usage: python bench/wall_time.py [--runs 5] [-- extra ner-cli arguments]
Also times `ner-cli --help` (no spaCy import) for comparison.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "rpdc-russie-vostotchny.txt"


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time of ``command`` over ``runs`` runs (output discarded)."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()
    exe = shutil.which("ner-cli") or str(Path(sys.executable).with_name("ner-cli"))
    extract = [exe, "extract", str(SAMPLE), "--format", "jsonl", *args.extra]
    print(f"# {date.today()}, {platform.node()} ({platform.machine()}), median of {args.runs}")
    print(f"ner-cli --help: {median_seconds([exe, '--help'], args.runs):.2f} s")
    print(f"{' '.join(['ner-cli', *extract[1:]])}: {median_seconds(extract, args.runs):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
