"""Load on `ner-cli serve`: requests/s and latency at a given concurrency, against the batch
throughput of `ner-cli extract` on the same text (README, "Speed", "`ner-cli serve`").

Usage: python bench/serve_load.py [--requests 2000] [--concurrency 8] [--jobs 2]
                                  [--batch-copies 500] [--rounds 2] [--runs 5] [--compare-j1 N]

- starts `ner-cli serve -j JOBS --port 0` on loopback and waits for its ready line;
- sends REQUESTS POST /v1/extract (JSON) of one news article (samples/
  rpdc-russie-vostotchny.txt, 368 words) from CONCURRENCY threads, each with its own
  keep-alive http.client connection; reports requests/s, words/s, p50/p90/p99 latency and
  errors (any status but 200, or a record without entities);
- times `ner-cli extract -j JOBS` on the same text repeated BATCH_COPIES times (a JSONL
  corpus), less its start-up (the same command on one copy): batch words/s; the two take
  turns ROUNDS times, and each round gives its serve/batch ratio;
- the latency at concurrency 1 (200 requests);
- times `ner-cli extract --server URL` on the article end to end, and `ner-cli --help`:
  medians of RUNS;
- --compare-j1 N: N requests at the same concurrency to a one-job service run in this
  process's thread (what `serve -j 1` does) and to one worker process (a pool of one),
  to show which -j 1 should use.
The machine is shared and noisy: compare figures from one run, and say so.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from wall_time import SAMPLE, seconds  # noqa: E402

# A one-job service as `serve -j 1` runs it (a thread) or in a pool of one process.
ONE_JOB_SERVICE = """
import sys, uvicorn
from ner_cli.cli.serve import listen, url_of
from ner_cli.options import PipelineOptions
from ner_cli.service import Workers, create_app
workers = Workers(PipelineOptions(), jobs=1, processes=sys.argv[1] == "process")
workers.start()
listening = listen("127.0.0.1", 0)
print(url_of(listening), file=sys.stderr, flush=True)
uvicorn.Server(uvicorn.Config(create_app(workers), log_config=None, log_level="warning",
                              access_log=False, lifespan="off")).run(sockets=[listening])
"""


def ner_cli() -> str:
    beside = Path(sys.executable).with_name("ner-cli")
    return str(beside) if beside.exists() else "ner-cli"


def start(command: list[str]) -> tuple[subprocess.Popen, str]:
    """Start a service; returns the process and its URL (from its first stderr line)."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    url = next((w for w in line.split() if w.startswith("http://")), None)
    if url is None:
        process.kill()
        raise SystemExit(f"the service did not start: {line.strip()}")
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(30)


def load(url: str, body: bytes, requests: int, concurrency: int) -> dict:
    """REQUESTS POSTs from CONCURRENCY threads with keep-alive connections."""
    parts = urlsplit(url)
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(requests))
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            begun = time.perf_counter()
            try:
                connection.request("POST", "/v1/extract", body,
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
                elapsed = time.perf_counter() - begun
                if response.status != 200 or not json.loads(payload).get("entities"):
                    errors.append(f"{response.status}: {payload[:100]!r}")
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                latencies.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - begun
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"requests": requests, "seconds": wall, "per_second": len(latencies) / wall,
            "p50": percentile(50), "p90": percentile(90), "p99": percentile(99),
            "errors": len(errors), "first_errors": errors[:3]}


def batch_words_per_second(text: str, copies: int, jobs: int) -> float:
    """`ner-cli extract -j JOBS` on COPIES copies of ``text`` (JSONL), start-up subtracted."""
    words = len(text.split())
    with tempfile.TemporaryDirectory() as folder:
        many, one = Path(folder, "many.jsonl"), Path(folder, "one.jsonl")
        line = json.dumps({"text": text}, ensure_ascii=False) + "\n"
        many.write_text(line * copies, encoding="utf-8")
        one.write_text(line, encoding="utf-8")
        command = [ner_cli(), "extract", "-f", "jsonl", "-q", "-j", str(jobs)]
        start_up = seconds([*command, str(one)])[0]
        wall = seconds([*command, str(many)])[0]
    return words * (copies - 1) / (wall - start_up)


def show(name: str, result: dict, words: int) -> None:
    print(f"{name}: {result['requests']} requests in {result['seconds']:.1f} s, "
          f"{result['per_second']:.1f} requests/s ({result['per_second'] * words:,.0f} "
          f"words/s), latency p50 {result['p50']:.0f} ms, p90 {result['p90']:.0f} ms, "
          f"p99 {result['p99']:.0f} ms, {result['errors']} errors {result['first_errors']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch-copies", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--compare-j1", type=int, default=0, metavar="N")
    args = parser.parse_args()
    text = SAMPLE.read_text(encoding="utf-8")
    words = len(text.split())
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    print(f"# {date.today()}, {platform.node()} ({platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at start), Python "
          f"{platform.python_version()}; article {SAMPLE.name} ({words} words)")

    service, url = start([ner_cli(), "serve", "--port", "0", "-j", str(args.jobs)])
    ratios = []
    try:
        load(url, body, 4 * args.concurrency, args.concurrency)  # warm-up, not counted
        for round_ in range(1, args.rounds + 1):
            # the two measures take turns, so that each pair sees the same load on the machine
            served = load(url, body, args.requests, args.concurrency)
            show(f"[round {round_}] ner-cli serve -j {args.jobs}, concurrency "
                 f"{args.concurrency}", served, words)
            batch = batch_words_per_second(text, args.batch_copies, args.jobs)
            ratios.append(served["per_second"] * words / batch)
            print(f"[round {round_}] ner-cli extract -j {args.jobs} on {args.batch_copies} "
                  f"copies (start-up subtracted): {batch:,.0f} words/s; serve/batch: "
                  f"{ratios[-1]:.2f}x (load average {os.getloadavg()[0]:.1f})", flush=True)
        single = load(url, body, min(200, args.requests), 1)
        show(f"ner-cli serve -j {args.jobs}, concurrency 1", single, words)
        help_ = [seconds([ner_cli(), "--help"])[0] for _ in range(args.runs)]
        remote = [seconds([ner_cli(), "extract", str(SAMPLE), "-f", "jsonl", "-q", "--server",
                           url])[0] for _ in range(args.runs)]
        print(f"ner-cli extract --server URL {SAMPLE.name}: median of {args.runs} "
              f"{statistics.median(remote):.2f} s (min {min(remote):.2f} s); ner-cli --help: "
              f"{statistics.median(help_):.2f} s (min {min(help_):.2f} s)")
    finally:
        stop(service)

    if args.compare_j1:
        for how in ("thread", "process"):
            service, url = start([sys.executable, "-c", ONE_JOB_SERVICE, how])
            try:
                load(url, body, 4 * args.concurrency, args.concurrency)
                result = load(url, body, args.compare_j1, args.concurrency)
                show(f"one job in a {how}, concurrency {args.concurrency}", result, words)
            finally:
                stop(service)
    return 0


if __name__ == "__main__":
    sys.exit(main())
