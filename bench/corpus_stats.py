"""Time and peak memory of `ner-cli stats` (and `graph`) on the 2 M-word bench corpus (issue 6).

Usage: python bench/corpus_stats.py [--data ../shared/data/bench/frwiki_2m.jsonl] [--jobs 1]

Runs, one after the other, each as its own process (wall time, peak RSS):
1. `ner-cli extract CORPUS -o out/frwiki_entities.jsonl` (the JSONL that stats reads back);
2. `ner-cli stats` on 10% and on 100% of that JSONL (memory must stay flat);
3. `ner-cli graph` on that JSONL (document window), to .gexf;
4. `ner-cli stats CORPUS`: straight from text, the pipeline runs inside stats;
and checks that 2 (100%) and 4 give the same statistics; counts the graph's links.
Writes under bench/out/ (not committed). Skips with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def ner_cli() -> str:
    beside = Path(sys.executable).with_name("ner-cli")
    return str(beside) if beside.exists() else shutil.which("ner-cli") or "ner-cli"


# A fresh, small interpreter runs the command: on Linux a child's peak RSS starts at its
# parent's at fork time, so measuring from this process (which holds the corpus) would
# report this process's memory. RUSAGE_CHILDREN also covers -j worker processes.
PROBE = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
         "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
         "seconds = time.perf_counter() - start; "
         "sys.stderr.write(done.stderr.decode('utf-8', 'replace')) if done.returncode else None; "
         "print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
         "sys.exit(done.returncode)")


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of ``command``; it must succeed."""
    done = subprocess.run([sys.executable, "-c", PROBE, *command], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    seconds, kib = done.stdout.split()
    return float(seconds), int(kib) / 1024


def document_links(jsonl: Path) -> dict[int, int]:
    """Number of document-window links of weight >= 1, 2 and 5 in an extract JSONL."""
    from ner_cli.corpus import CorpusCounter, Window, read_records

    counter = CorpusCounter(window=Window.document)
    with jsonl.open("rb") as handle:
        for record in read_records(handle, jsonl.name):
            counter.add(record)
    return {weight: sum(1 for _ in counter.edges(weight)) for weight in (1, 2, 5)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path,
                        default=HERE.parent.parent / "shared/data/bench/frwiki_2m.jsonl")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: no benchmark corpus at {args.data}", file=sys.stderr)
        return 0
    OUT.mkdir(exist_ok=True)
    exe, jobs = ner_cli(), ["-j", str(args.jobs)]
    lines = args.data.read_text(encoding="utf-8").splitlines()
    words = sum(len(json.loads(line)["text"].split()) for line in lines)
    entities = OUT / "frwiki_entities.jsonl"
    tenth = OUT / "frwiki_entities_10pct.jsonl"

    rows = []
    seconds, peak = measure([exe, "extract", str(args.data), "-q", *jobs, "-o", str(entities)])
    rows.append(("extract → JSONL (for reference)", "text", seconds, peak))
    analysed = entities.read_text(encoding="utf-8").splitlines(keepends=True)
    tenth.write_text("".join(analysed[: len(analysed) // 10]), encoding="utf-8")
    for name, path in (("stats, 10% of the JSONL", tenth), ("stats", entities)):
        out = OUT / f"stats_{path.stem}.json"
        seconds, peak = measure([exe, "stats", str(path), "-q", "-f", "json", "-o", str(out)])
        rows.append((name, "extract JSONL", seconds, peak))
    seconds, peak = measure([exe, "graph", str(entities), "-q", "-o", str(OUT / "frwiki.gexf")])
    rows.append(("graph (document window) → .gexf", "extract JSONL", seconds, peak))
    from_text = OUT / "stats_from_text.json"
    seconds, peak = measure([exe, "stats", str(args.data), "-q", *jobs, "-f", "json", "-o",
                             str(from_text)])
    rows.append(("stats", "text", seconds, peak))

    links = document_links(entities)
    gexf_mb = (OUT / "frwiki.gexf").stat().st_size / 1e6
    from_jsonl = json.loads((OUT / f"stats_{entities.stem}.json").read_text(encoding="utf-8"))
    from_texts = json.loads(from_text.read_text(encoding="utf-8"))
    print(f"# {date.today()}, {platform.node()} (2-core VM), {args.data.name}: "
          f"{len(lines):,} documents, {words:,} words, -j {args.jobs}")
    print("| run | input | seconds | peak RSS (MB) |")
    print("|---|---|---:|---:|")
    for name, source, seconds, peak in rows:
        print(f"| {name} | {source} | {seconds:,.1f} | {peak:,.0f} |")
    print(f"\n{from_texts['documents']:,} documents, {from_texts['mentions']:,} mentions, "
          f"{from_texts['distinct_entities']:,} distinct entities; "
          f"same statistics from text and from JSONL: {from_jsonl == from_texts}")
    print(f"document-window graph: {links[1]:,} links, {links[2]:,} of weight >= 2, "
          f"{links[5]:,} of weight >= 5; GEXF file {gexf_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
