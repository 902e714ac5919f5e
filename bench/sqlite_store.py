"""The corpus database (`-o news.db`, issue 15) against `-o out.jsonl`, on the bench corpus.

Usage: python bench/sqlite_store.py [--data ../shared/data/bench] [--fraction 1.0] [--repeat 1]
       python bench/sqlite_store.py --reuse   # only the rerun, stats and size, on the last db

In one run:
- writes the corpus out as a folder of .txt files (bench/out/frwiki_txt/, not committed);
- times `ner-cli extract FOLDER -o out.jsonl` and `-o news.db` (a new database each time),
  interleaved, on the first ``--fraction`` of the documents, `-j 1`; start-up (the same
  command on a 1-document folder) is subtracted to give steady-state words/s, and words per
  CPU-second are given too (less sensitive to other jobs on the machine);
- on a database of the whole corpus: a rerun with nothing changed (median of 3), `stats
  news.db` against `stats out.jsonl` (median of 3), and the file size per million words.
Skips with a message when the shared data is absent.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from throughput import bench_documents, ner_cli, timed, write_corpus  # noqa: E402


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def report_store(exe: str, full_db: Path, full_jsonl: Path, documents: int,
                 all_words: int) -> None:
    """Rerun with nothing changed, stats on the database and on the JSONL, file sizes."""
    folder = OUT / "frwiki_txt"

    def median_of_3(command: list[str]) -> tuple[float, float]:
        runs = [timed(command) for _ in range(3)]
        return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))

    rerun = median_of_3([exe, "extract", str(folder), "-q", "-o", str(full_db)])
    stats_db = median_of_3([exe, "stats", str(full_db), "-q", "-f", "json"])
    stats_jsonl = median_of_3([exe, "stats", str(full_jsonl), "-q", "-f", "json"])
    size, jsonl_size = full_db.stat().st_size, full_jsonl.stat().st_size
    print(f"whole corpus: {documents:,} documents, {all_words:,} words; medians of 3, "
          "wall (CPU) seconds")
    print(f"- rerun with nothing changed: {rerun[0]:.2f} s ({rerun[1]:.2f} s CPU)")
    print(f"- stats news.db: {stats_db[0]:.2f} s ({stats_db[1]:.2f} s CPU); stats news.jsonl: "
          f"{stats_jsonl[0]:.2f} s ({stats_jsonl[1]:.2f} s CPU)")
    print(f"- news.db: {size / 1e6:.1f} MB, {size / 1e6 / (all_words / 1e6):.1f} MB per "
          f"million words (news.jsonl: {jsonl_size / 1e6:.1f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path,
                        default=HERE.parent.parent / "shared" / "data" / "bench")
    parser.add_argument("--fraction", type=float, default=1.0,
                        help="share of the corpus for the words/s comparison")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--reuse", action="store_true",
                        help="skip the words/s runs; time the rerun and stats on the "
                        "bench/out/news.db and news.jsonl of an earlier run")
    args = parser.parse_args()
    docs = bench_documents(args.data)
    if docs is None:
        return 0
    OUT.mkdir(exist_ok=True)
    full_db, full_jsonl = OUT / "news.db", OUT / "news.jsonl"
    exe = ner_cli()
    if args.reuse:
        if not (full_db.exists() and full_jsonl.exists()):
            print(f"--reuse: no {full_db} or {full_jsonl}; run without --reuse first",
                  file=sys.stderr)
            return 2
        report_store(exe, full_db, full_jsonl, len(docs),
                     sum(len(d["text"].split()) for d in docs))
        return 0
    all_words = write_corpus(docs, OUT / "frwiki_txt", OUT / "frwiki.jsonl")
    part = docs[: max(1, int(len(docs) * args.fraction))]
    words = write_corpus(part, OUT / "part_txt", OUT / "part.jsonl")
    write_corpus(docs[:1], OUT / "one_txt", OUT / "one.jsonl")

    def extract(folder: str, output: Path) -> list[str]:
        return [exe, "extract", str(OUT / folder), "-q", "-o", str(output)]

    speeds: dict[str, list[float]] = {"jsonl": [], "db": []}
    cpu_speeds: dict[str, list[float]] = {"jsonl": [], "db": []}
    outputs = {"jsonl": OUT / "store.jsonl", "db": OUT / "store.db"}
    for _ in range(args.repeat):  # interleaved, so a load change hits both alike
        for name, output in outputs.items():
            one = OUT / f"one.{name}"
            startup, startup_cpu = timed(extract("one_txt", fresh(one)))
            total, total_cpu = timed(extract("part_txt", fresh(output)))
            speeds[name].append(words / max(total - startup, 1e-9))
            cpu_speeds[name].append(words / max(total_cpu - startup_cpu, 1e-9))
    speed = {name: statistics.median(v) for name, v in speeds.items()}
    cpu = {name: statistics.median(v) for name, v in cpu_speeds.items()}

    # the whole corpus in one database (and one JSONL) for the rerun, stats and size
    if args.fraction >= 1.0:
        os.replace(outputs["db"], fresh(full_db))
        os.replace(outputs["jsonl"], full_jsonl)
    else:
        subprocess.run(extract("frwiki_txt", fresh(full_db)), check=True)
        subprocess.run(extract("frwiki_txt", full_jsonl), check=True)

    print(f"# {date.today()}, {platform.node()} ({platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}), -j 1")
    print(f"words/s on {len(part):,} documents ({words:,} words), median of {args.repeat}, "
          "start-up subtracted:")
    print("| output | words/s, wall | words per CPU-second |")
    print("|---|---:|---:|")
    for name in ("jsonl", "db"):
        print(f"| -o {outputs[name].name} | {speed[name]:,.0f} | {cpu[name]:,.0f} |")
    print(f"| db / jsonl | {speed['db'] / speed['jsonl']:.3f}x | "
          f"{cpu['db'] / cpu['jsonl']:.3f}x |")
    report_store(exe, full_db, full_jsonl, len(docs), all_words)
    return 0


if __name__ == "__main__":
    sys.exit(main())
