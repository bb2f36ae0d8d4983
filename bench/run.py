"""The benchmark suite's one command.

    python bench/run.py [--quick] [--json bench/results/latest.json]      the speed table
    python bench/run.py --semeion                                         the Exmachina set-up
    python bench/run.py --scale [--neurons 1000000 --synapses 10000000]   the large sparse network
    python bench/run.py --shards                                          2 shards against one process
    python bench/run.py --cost-model                                      the shards' cost model, 1-3 shards
    python bench/run.py --transports                                      a parcel's round trip, by transport
    python bench/run.py --shard-scale [--shard-layers 21]                 a large network over 4 shards
    python bench/run.py --view                                            what the live view costs (paired)
    python bench/run.py --mnist                                           one pass over MNIST-format files

Section flags add up (`--table --semeion --scale` runs all three); with none, the table runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make the `bench` package importable
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")  # the matrix engine on one core, as the actors run: a fair comparison

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402

from bench.report import show  # noqa: E402
from bench.speed import memory_case, time_case  # noqa: E402
from bench.workloads import CASES, SEMEION  # noqa: E402
from exmachina.data.files import atomic_file  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "latest.json"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = Parser(prog="python bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer examples and repeats (about 30 s)")
    parser.add_argument("--json", type=Path, default=RESULTS,
                        help=f"where to write the figures ({RESULTS.relative_to(ROOT)})")
    parser.add_argument("--table", action="store_true", help="the speed table (the default section)")
    parser.add_argument("--repeats", type=int, help="timed runs per engine (default 5, quick 3)")
    parser.add_argument("--network", action="append", choices=[c.name for c in CASES],
                        help="only this network (repeatable)")
    parser.add_argument("--no-memory", action="store_true", help="skip the per-engine memory probes")
    parser.add_argument("--semeion", action="store_true", help="the Exmachina set-up on the Semeion digits")
    parser.add_argument("--semeion-data", type=Path, default=SEMEION, help="semeion.data (../shared/data/semeion.data)")
    parser.add_argument("--passes", type=int, help="passes over Semeion (default 20, quick 3)")
    parser.add_argument("--scale", action="store_true", help="the large sparse network")
    parser.add_argument("--neurons", type=int, default=1_000_000, help="largest network's neurons (1,000,000)")
    parser.add_argument("--synapses", type=int, default=10_000_000, help="largest network's synapses (10,000,000)")
    parser.add_argument("--width", type=int, default=1000, help="neurons per layer of the sparse network (1000)")
    parser.add_argument("--limit-gib", type=float, default=8.0, help="address-space cap of each scale process (8)")
    parser.add_argument("--shards", action="store_true", help="2 shards on Ray against one process")
    parser.add_argument("--cost-model", action="store_true",
                        help="the shards' cost model: constants measured, checked on 1-3 shards, 4-16 predicted")
    parser.add_argument("--transports", action="store_true",
                        help="a parcel's round trip between two processes: Ray, ZeroMQ, a pipe, shared memory")
    parser.add_argument("--mnist", action="store_true",
                        help="one online pass of `exmachina learn --data mnist:DIR --layers 784,100,10`, timed")
    parser.add_argument("--shard-scale", action="store_true", help="a large network over 4 shards: peak memory")
    parser.add_argument("--shard-layers", type=int, default=21,
                        help="layers of 1000 neurons, fully connected, of --shard-scale (21: 20 M synapses)")
    parser.add_argument("--view", action="store_true", help="the live view's cost: paired runs, page open or not")
    found = parser.parse_args(argv)
    for name in ("repeats", "passes"):
        if getattr(found, name) is not None and getattr(found, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(found, name)}")
    if found.neurons < 2 or found.synapses < found.neurons // 2 or found.width < 1:
        parser.error("--neurons must be at least 2, --synapses at least half of --neurons, --width at least 1")
    if not (found.table or found.semeion or found.scale or found.shards or found.shard_scale or found.view
            or found.mnist or found.cost_model or found.transports):
        found.table = True
    return found


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    return {
        "cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
        "platform": platform.platform(), "commit": commit,
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def table(quick: bool, repeats: int | None, networks: list[str] | None, memory: bool, console: Console) -> list:
    rows = []
    for case in CASES:
        if networks and case.name not in networks or quick and not networks and case is CASES[-1]:
            continue  # --quick leaves out the slow MNIST-shaped network unless asked for
        for batch in (1, 64):
            examples = (case.quick_online if batch == 1 else case.quick_batched) if quick else \
                (case.online_examples if batch == 1 else case.batched_examples)
            console.log(f"timing {case.name}, batch {batch}, {examples} examples")
            row = time_case(case, batch, examples, repeats or (3 if quick else 5))
            if memory:
                row["memory"] = memory_case(case, batch, min(examples, 2 * batch if batch > 1 else 5))
            rows.append(row)
    return rows


def scale(neurons: int, synapses: int, width: int, limit: float, quick: bool, console: Console) -> dict:
    """From 10^4 neurons up to `neurons` by factors of ten, each size in its own process."""
    from bench.sparse import shape_for

    ladder = [n for n in (10**4, 10**5, 10**6, 10**7) if n < neurons] + [neurons]
    if quick:
        ladder = [min(neurons, 10**4)]
    sizes, breakdown = [], None
    with tempfile.TemporaryDirectory() as folder:
        for n in ladder:
            layers, w, fan_in = shape_for(n, round(synapses * n / neurons), width)
            console.log(f"scale: {layers} layers of {w}, fan-in {fan_in} ({layers * w:,} neurons)")
            sizes.append(_scale_process([str(layers), str(w), str(fan_in), folder, "--limit-gib", str(limit)]))
            if breakdown is None:
                console.log("scale: tracing where the memory goes")
                breakdown = _scale_process([str(layers), str(w), str(fan_in), folder, "--breakdown"])
            if "error" in sizes[-1]:
                break
    return {"sizes": sizes, "breakdown": breakdown, "limit_gib": limit}


def _scale_process(arguments: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.scale", *arguments], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"bench.scale {' '.join(arguments)} failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout)


def write(path: Path, results: dict) -> None:
    """Atomically: an interrupted run leaves the previous results as they were."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as f:
        json.dump(results, f, indent=1)


def main(argv: list[str] | None = None) -> int:
    chosen = options(argv)
    console = Console() if sys.stdout.isatty() else Console(width=160)  # logs and pipes: no wrapping
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "quick": chosen.quick}
    results.update(table=None, semeion=None, scale=None, shards=None, shard_scale=None, mnist=None,
                   cost_model=None, transports=None)
    try:
        if chosen.semeion:
            from bench.semeion import semeion  # checks the data before the long sections run

            console.log(f"Semeion: {chosen.semeion_data}")
            results["semeion"] = semeion(chosen.semeion_data, chosen.passes or (3 if chosen.quick else 20))
        if chosen.table:
            results["table"] = table(chosen.quick, chosen.repeats, chosen.network, not chosen.no_memory, console)
        if chosen.scale:
            results["scale"] = scale(chosen.neurons, chosen.synapses, chosen.width, chosen.limit_gib,
                                     chosen.quick, console)
        if chosen.shards:
            from bench.shards import compare

            results["shards"] = compare(chosen.quick, chosen.repeats or (2 if chosen.quick else 5), console.log)
        if chosen.cost_model:
            from bench.costmodel import measure

            results["cost_model"] = measure(chosen.quick, chosen.repeats or (1 if chosen.quick else 3), console.log)
        if chosen.transports:
            from bench.transport import measure as carry

            results["transports"] = carry(30 if chosen.quick else 300, console.log)
        if chosen.shard_scale:
            from bench.shards import spread_out

            results["shard_scale"] = spread_out(chosen.shard_layers, 1000, 1000, 4, console.log)
        if chosen.view:
            from bench import view

            results["view"] = view.measure(chosen.repeats or (2 if chosen.quick else 5))
            view.show(console, results["view"])
        if chosen.mnist:
            from bench import mnist

            with tempfile.TemporaryDirectory() as folder:
                console.log("MNIST: writing 70,000 images in MNIST's format")
                mnist.write(Path(folder))
                console.log("MNIST: one pass of exmachina learn, 784-100-10, online")
                results["mnist"] = mnist.one_pass(Path(folder))
    except ValueError as bad:
        console.print(f"error: {bad}", style="red", highlight=False)
        return 2
    results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["seconds"] = time.perf_counter() - started
    show(console, results)
    write(chosen.json, results)
    console.print(f"figures written to {chosen.json} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
