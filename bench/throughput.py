"""Steady-state throughput and memory of `ner-cli extract` against plain spaCy (issue 3).

Usage: python bench/throughput.py [--data ../shared/data/bench] [--fraction 1.0] [--repeat 1]

In one run, on the same texts:
- writes the corpus out as a folder of .txt files (bench/out/frwiki_txt/, not committed);
- times bench/plain_spacy.py (same components, plain nlp.pipe -> JSONL) and
  `ner-cli extract FOLDER -o out.jsonl` at -j 1 and -j 2;
- subtracts start-up (the same command on a 1-document corpus) to get words/s;
- peak RSS of ner-cli -j 1 on 10% and on 100% of the corpus;
- runs long_doc.txt (1.5 M characters) and checks entities are found across all of it.
Skips with a message when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RSS_PROBE = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def ner_cli() -> str:
    return shutil.which("ner-cli") or str(Path(sys.executable).with_name("ner-cli"))


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, children included) of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def peak_rss_mb(command: list[str]) -> float:
    """Peak resident memory of ``command`` and its children, in MB."""
    out = subprocess.run([sys.executable, "-c", RSS_PROBE, *command], capture_output=True,
                         text=True, check=True).stdout
    return int(out.strip()) / 1024


def bench_documents(data: Path, fraction: float = 1.0) -> list[dict] | None:
    """The first ``fraction`` of the bench corpus in ``data``, or None (said on stderr)."""
    source = data / "frwiki_2m.jsonl"
    if not source.exists():
        print(f"skipped: no benchmark corpus at {source}", file=sys.stderr)
        return None
    docs = [json.loads(line) for line in source.open(encoding="utf-8")]
    return docs[: max(1, int(len(docs) * fraction))]


def write_corpus(docs: list[dict], folder: Path, jsonl: Path) -> int:
    """The docs as one .txt file each, and as a JSONL file; returns the word count."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    words = 0
    with jsonl.open("w", encoding="utf-8") as out:
        for i, doc in enumerate(docs):
            (folder / f"{i:05d}.txt").write_text(doc["text"], encoding="utf-8")
            out.write(json.dumps({"id": doc["id"], "text": doc["text"]}, ensure_ascii=False)
                      + "\n")
            words += len(doc["text"].split())
    return words


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path,
                        default=HERE.parent.parent / "shared" / "data" / "bench")
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-long", action="store_true")
    args = parser.parse_args()
    docs = bench_documents(args.data, args.fraction)
    if docs is None:
        return 0
    OUT.mkdir(exist_ok=True)
    words = write_corpus(docs, OUT / "frwiki_txt", OUT / "frwiki.jsonl")
    write_corpus(docs[:1], OUT / "one_txt", OUT / "one.jsonl")
    tenth = max(1, len(docs) // 10)
    write_corpus(docs[:tenth], OUT / "tenth_txt", OUT / "tenth.jsonl")
    exe, py = ner_cli(), sys.executable
    plain = [py, str(HERE / "plain_spacy.py")]
    commands = {
        "plain spaCy script": (plain + [str(OUT / "frwiki.jsonl"), str(OUT / "plain.jsonl")],
                               plain + [str(OUT / "one.jsonl"), str(OUT / "plain1.jsonl")]),
        "ner-cli -j 1": ([exe, "extract", str(OUT / "frwiki_txt"), "-q", "-o",
                          str(OUT / "cli1.jsonl")],
                         [exe, "extract", str(OUT / "one_txt"), "-q", "-o",
                          str(OUT / "cli1s.jsonl")]),
        "ner-cli -j 2": ([exe, "extract", str(OUT / "frwiki_txt"), "-q", "-j", "2", "-o",
                          str(OUT / "cli2.jsonl")],
                         [exe, "extract", str(OUT / "one_txt"), "-q", "-j", "2", "-o",
                          str(OUT / "cli2s.jsonl")]),
    }
    speeds: dict[str, list[float]] = {name: [] for name in commands}
    cpu_speeds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):  # interleaved, so a load change hits every command alike
        for name, (full, one) in commands.items():
            startup, startup_cpu = timed(one)
            total, total_cpu = timed(full)
            speeds[name].append(words / max(total - startup, 1e-9))
            cpu_speeds[name].append(words / max(total_cpu - startup_cpu, 1e-9))
    speed = {name: statistics.median(values) for name, values in speeds.items()}
    cpu = {name: statistics.median(values) for name, values in cpu_speeds.items()}
    plain_name = "plain spaCy script"
    print(f"# {date.today()}, {platform.node()} ({platform.machine()}, 2 cores), "
          f"{len(docs):,} documents, {words:,} words, median of {args.repeat}")
    print("| run | words/s, wall | vs plain | words per CPU-second | vs plain |")
    print("|---|---:|---:|---:|---:|")
    for name in commands:
        print(f"| {name} | {speed[name]:,.0f} | {speed[name] / speed[plain_name]:.2f}x "
              f"| {cpu[name]:,.0f} | {cpu[name] / cpu[plain_name]:.2f}x |")
    print("(start-up, timed on a 1-document corpus, subtracted from each)")
    # paired: each repeat's ratio, taken from runs back to back (a load change between
    # repeats moves both sides of a ratio, not one)
    for name in ("ner-cli -j 1",):
        wall = [a / b for a, b in zip(speeds[name], speeds[plain_name], strict=True)]
        per_cpu = [a / b for a, b in zip(cpu_speeds[name], cpu_speeds[plain_name], strict=True)]
        print(f"{name} / plain, per repeat: wall {', '.join(f'{r:.3f}' for r in wall)} "
              f"(median {statistics.median(wall):.3f}); per CPU-second "
              f"{', '.join(f'{r:.3f}' for r in per_cpu)} (median {statistics.median(per_cpu):.3f})")
    print(f"\n-j 2 / -j 1 (wall): {speed['ner-cli -j 2'] / speed['ner-cli -j 1']:.2f}x")
    small = peak_rss_mb([exe, "extract", str(OUT / "tenth_txt"), "-q", "-o",
                         str(OUT / "rss10.jsonl")])
    large = peak_rss_mb([exe, "extract", str(OUT / "frwiki_txt"), "-q", "-o",
                         str(OUT / "rss100.jsonl")])
    print(f"peak RSS, ner-cli -j 1: {small:,.0f} MB at 10% ({tenth:,} docs), "
          f"{large:,.0f} MB at 100% ({len(docs):,} docs): {large / small - 1:+.1%}")
    long_doc = args.data / "long_doc.txt"
    if long_doc.exists() and not args.skip_long:
        start = time.perf_counter()
        result = subprocess.run([exe, "extract", str(long_doc), "-q", "-f", "jsonl"],
                                capture_output=True, text=True)
        seconds = time.perf_counter() - start
        record = json.loads(result.stdout)
        text = long_doc.read_text(encoding="utf-8")
        ents = record.get("entities", [])
        exact = all(text[e["start"]:e["end"]] == e["text"] for e in ents)
        last_decile = sum(1 for e in ents if e["start"] > 0.9 * len(text))
        print(f"long_doc.txt ({len(text):,} chars): exit {result.returncode}, "
              f"{len(ents):,} mentions, {last_decile:,} in its last 10%, offsets exact: "
              f"{exact}, {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
