"""`ner-cli extract --cluster` against `-j 2` on the same cores, a batch-size sweep, and what
the measured per-batch costs say for 8, 64 and 512 worker processes (issue 14).

Usage: python bench/cluster.py [--data ../shared/data/bench] [--words 300000]
                               [--batches 4000,16000,64000,256000] [--repeat 1]

In one run, on the first --words words of the bench corpus written as .txt files:
1. throughput: `-j 2` and `--cluster local:2`, start-up subtracted (the same command on a
   1-document folder), and whether both outputs are byte for byte the same; then the same
   two through the Python API, timed from the first record to the last (steady state
   without the start-up's variance);
2. sweep: a scheduler and two workers started apart (`dask scheduler`, `dask worker
   --nworkers 2 --nthreads 1`, warmed up once), then the corpus at each --cluster-batch,
   measuring wall time, the CPU time of the client (ner-cli), of the scheduler and of the
   workers, and the bytes sent each way per batch;
3. no-op tasks through the same scheduler: its cost per task with nothing to compute;
4. on paper (``on_paper``): for N worker processes, the tasks/s they ask for at the default
   and the largest batch size, and the load that puts on the client (one Python process
   reading, sending, writing), the scheduler (one event loop) and the client's network link
   (1 Gbit/s assumed); `--from FILE` prints this part again from a run's JSON line.
Skips with a message when the shared data is absent. The machine is a shared 2-core VM:
compare ratios within one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from throughput import OUT, bench_documents, ner_cli, timed, write_corpus  # noqa: E402

LINK_BYTES_PER_S = 125e6  # 1 Gbit/s at the client
IDLE_SECONDS = 5
# What README ("Scale-out") recommends for `dask worker`: what --cluster local sets.
WORKER_ENVIRONMENT = {
    "DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON": "{'MALLOC_TRIM_THRESHOLD_': None}",
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
}


def first_words(docs: list[dict], words: int) -> list[dict]:
    taken, count = [], 0
    for doc in docs:
        if count >= words:
            break
        taken.append(doc)
        count += len(doc["text"].split())
    return taken


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its living descendants."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total


class Scheduler:
    """`dask scheduler` and `dask worker --nworkers 2 --nthreads 1`, started apart."""

    def __init__(self, workers: int = 2) -> None:
        bin_dir = Path(sys.executable).parent
        self.address = f"tcp://127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
                 "env": {**os.environ, **WORKER_ENVIRONMENT}}
        self.scheduler = subprocess.Popen(
            [str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", port,
             "--no-dashboard"], **quiet)
        time.sleep(2)
        self.workers = subprocess.Popen(
            [str(bin_dir / "dask"), "worker", self.address, "--nworkers", str(workers),
             "--nthreads", "1", "--no-dashboard"], **quiet)

    def cpu(self) -> tuple[float, float]:
        return tree_cpu(self.scheduler.pid), tree_cpu(self.workers.pid)

    def close(self) -> None:
        for process in (self.workers, self.scheduler):
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def run_cli(args: list[str]) -> tuple[float, float]:
    return timed([ner_cli(), "extract", *args])


def noop_tasks(address: str, count: int, in_flight: int) -> float:
    """Wall seconds per no-op task, submitted and collected as ner-cli does (in order,
    ``in_flight`` at a time)."""
    from collections import deque

    from distributed import Client

    from ner_cli.processing import in_order

    with Client(address, set_as_default=False) as client:
        start = time.perf_counter()
        for _ in in_order(range(count), lambda i: client.submit(_noop, i, pure=False),
                          lambda f: f.result(), lambda: in_flight, deque()):
            pass
        return (time.perf_counter() - start) / count


def _noop(i: int) -> list:
    return [i]


def steady_rate(folder: Path, options: dict) -> float:
    """Words/s of Extractor(PipelineOptions(**options)) over ``folder``, from its first
    record to its last."""
    from ner_cli import Extractor, PipelineOptions
    from ner_cli.readers import read_documents

    first = last = None
    words = 0
    for processed in Extractor(PipelineOptions(**options)).process(
            read_documents([str(folder)])):
        if first is None:
            first = time.perf_counter()
        else:
            words += processed.words
        last = time.perf_counter()
    return words / max(last - first, 1e-9)


def batch_stats(folder: Path, characters: int) -> tuple[int, float, float]:
    """(batches, pickled bytes sent per batch, client seconds to read and pickle a batch)."""
    from ner_cli.cluster import batches_by_characters
    from ner_cli.readers import read_documents

    start = time.perf_counter()
    batches, sent = 0, 0
    for batch in batches_by_characters(read_documents([str(folder)]), characters):
        batches += 1
        sent += len(pickle.dumps(batch))
    return batches, sent / batches, (time.perf_counter() - start) / batches


def on_paper(rows: list[dict], characters: int) -> None:
    """What the sweep's costs say for 8, 64 and 512 worker processes, and where each of
    client, scheduler and network link saturates.

    The client's CPU over the corpus is fitted (least squares over the sweep) as a cost per
    task plus a cost per character (reading, unpickling records, writing JSON); the
    scheduler's is its median per task; a worker's speed and the bytes on the link per
    character come from the row at each batch size.
    """
    from ner_cli.options import CLUSTER_BATCH

    xs = [row["batches"] for row in rows]
    ys = [row["client_ms"] * row["batches"] / 1000 for row in rows]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    per_task = (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
                / sum((x - mean_x) ** 2 for x in xs))
    per_character = max(mean_y - per_task * mean_x, 0.0) / characters
    scheduler = statistics.median(row["scheduler_ms"] for row in rows) / 1000
    print(f"\nOn paper: the client spends {1000 * per_task:.2f} ms per task and "
          f"{1e6 * per_character:.3f} µs per character (fitted over the sweep), the scheduler "
          f"{1000 * scheduler:.2f} ms per task (median).")
    print("| --cluster-batch | worker chars/s | workers | tasks/s | client load (1 core) "
          "| scheduler load (1 core) | client link (1 Gbit/s) |\n"
          "|---:|---:|---:|---:|---:|---:|---:|")
    limits = []
    for row in rows:
        if row["size"] not in (CLUSTER_BATCH, max(r["size"] for r in rows)):
            continue
        size = row["size"]
        speed = size / row["worker_s"]  # characters one worker process does per second
        link = (row["sent"] + row["back"]) / size  # bytes per character, both ways
        client = per_task + per_character * size  # client seconds per task
        for workers in (8, 64, 512):
            tasks = workers * speed / size
            print(f"| {size:,} | {speed:,.0f} | {workers} | {tasks:,.1f} | {tasks * client:.0%} "
                  f"| {tasks * scheduler:.0%} "
                  f"| {workers * speed * link / LINK_BYTES_PER_S:.0%} |")
        limits.append((size, {"client": size / client / speed,
                              "scheduler": size / scheduler / speed,
                              "network": LINK_BYTES_PER_S / link / speed}))
    for size, saturation in limits:
        first = ", ".join(f"{name} at {workers:,.0f}" for name, workers in
                          sorted(saturation.items(), key=lambda item: item[1]))
        print(f"- --cluster-batch {size:,}: saturated first: {first} worker processes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path,
                        default=HERE.parent.parent / "shared" / "data" / "bench")
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--batches", default="4000,16000,64000,256000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--from", dest="saved", type=Path,
                        help="print part 4 again from the JSON line a run wrote on stderr")
    args = parser.parse_args()
    if args.saved is not None:
        saved = json.loads(args.saved.read_text(encoding="utf-8").strip().splitlines()[-1])
        characters = saved.get("characters") or sum(
            len(path.read_text(encoding="utf-8")) for path in (OUT / "cluster_txt").iterdir())
        on_paper(saved["sweep"], characters)
        return 0
    docs = bench_documents(args.data)
    if docs is None:
        return 0
    docs = first_words(docs, args.words)
    OUT.mkdir(exist_ok=True)
    folder, one = OUT / "cluster_txt", OUT / "cluster_one_txt"
    words = write_corpus(docs, folder, OUT / "cluster.jsonl")
    write_corpus(docs[:1], one, OUT / "cluster_one.jsonl")
    print(f"# {date.today()}, {platform.node()} ({platform.machine()}, {os.cpu_count()} cores, "
          f"shared with other work), {len(docs):,} documents, {words:,} words, "
          f"median of {args.repeat}")

    # 1. -j 2 against --cluster local:2, same cores
    runs = {"-j 2": ["-j", "2"], "--cluster local:2": ["--cluster", "local:2"]}
    outputs = {name: OUT / f"cluster_{i}.jsonl" for i, name in enumerate(runs)}
    speeds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):  # interleaved, so a load change hits both alike
        for name, flags in runs.items():
            startup, _ = run_cli([str(one), "-q", "-o", str(OUT / "c_one.jsonl"), *flags])
            total, _ = run_cli([str(folder), "-q", "-o", str(outputs[name]), *flags])
            speeds[name].append(words / max(total - startup, 1e-9))
    speed = {name: statistics.median(values) for name, values in speeds.items()}
    same = len({path.read_bytes() for path in outputs.values()}) == 1
    print("\n| run | words/s, steady state | vs -j 2 |\n|---|---:|---:|")
    for name in runs:
        print(f"| `ner-cli extract FOLDER {' '.join(runs[name])}` | {speed[name]:,.0f} "
              f"| {speed[name] / speed['-j 2']:.2f}x |")
    print(f"(start-up subtracted: the same command on 1 document; JSONL outputs identical: "
          f"{same})")
    # 1b. the same two, through the Python API, timed from the first record on: start-up
    # (spawning workers, loading the model) varies by seconds here, which the subtraction
    # above turns into tens of percent on a run this short
    api: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, options in (("-j 2", {"jobs": 2}), ("--cluster local:2",
                                                     {"cluster": "local:2"})):
            api[name].append(steady_rate(folder, options))
    steady = {name: statistics.median(values) for name, values in api.items()}
    print("\n| run (Python API, words/s after the first record) | words/s | vs -j 2 |\n"
          "|---|---:|---:|")
    for name in runs:
        print(f"| `{name}` | {steady[name]:,.0f} | {steady[name] / steady['-j 2']:.2f}x |")

    # 2. batch-size sweep on a scheduler and workers started apart (and warmed up)
    sizes = [int(size) for size in args.batches.split(",")]
    cluster = Scheduler()
    rows = []
    try:
        run_cli([str(one), "-q", "-o", str(OUT / "warm.jsonl"), "--cluster", cluster.address])
        startup, startup_cpu = run_cli([str(one), "-q", "-o", str(OUT / "warm.jsonl"),
                                        "--cluster", cluster.address])
        # what the scheduler and the workers burn idle (heartbeats), per second: subtracted
        idle_before = cluster.cpu()
        time.sleep(IDLE_SECONDS)
        idle = [(after - before) / IDLE_SECONDS
                for before, after in zip(idle_before, cluster.cpu(), strict=True)]
        for size in sizes:
            batches, sent, prepare = batch_stats(folder, size)
            scheduler_before, workers_before = cluster.cpu()
            wall, client_cpu = run_cli([str(folder), "-q", "-o", str(OUT / "sweep.jsonl"),
                                        "--cluster", cluster.address, "--cluster-batch",
                                        str(size)])
            scheduler_after, workers_after = cluster.cpu()
            back = (OUT / "sweep.jsonl").stat().st_size / batches  # JSON ~ pickled dicts
            rows.append({
                "size": size, "batches": batches, "words_s": words / max(wall - startup, 1e-9),
                "client_ms": 1000 * max(client_cpu - startup_cpu, 0) / batches,
                "prepare_ms": 1000 * prepare,
                "scheduler_ms": 1000 * max(scheduler_after - scheduler_before
                                           - idle[0] * wall, 0) / batches,
                "worker_s": (workers_after - workers_before - idle[1] * wall) / batches,
                "sent": sent, "back": back,
            })
        noop = noop_tasks(cluster.address, 2000, 6)
        scheduler_before, _ = cluster.cpu()
        start = time.perf_counter()
        noop_tasks(cluster.address, 2000, 6)
        scheduler_noop = (cluster.cpu()[0] - scheduler_before
                          - idle[0] * (time.perf_counter() - start)) / 2000
    finally:
        cluster.close()
    print("\n| --cluster-batch (chars) | batches | words/s | client CPU ms/batch (read+pickle "
          "alone) | scheduler CPU ms/batch | worker CPU s/batch | KB sent / back per batch |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['size']:,} | {row['batches']:,} | {row['words_s']:,.0f} "
              f"| {row['client_ms']:.1f} ({row['prepare_ms']:.1f}) | {row['scheduler_ms']:.2f} "
              f"| {row['worker_s']:.3f} | {row['sent'] / 1e3:,.0f} / {row['back'] / 1e3:,.0f} |")
    print(f"no-op tasks, 6 in flight on 2 workers: {1000 * noop:.2f} ms wall per task, "
          f"scheduler CPU {1000 * scheduler_noop:.2f} ms per task")

    # 3. on paper
    characters = sum(len(doc["text"]) for doc in docs)
    on_paper(rows, characters)
    shutil.rmtree(OUT / "cluster_one_txt", ignore_errors=True)
    print(json.dumps({"speeds": speed, "api": steady, "sweep": rows, "characters": characters}),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
