"""Shards against one process, side by side on this machine, and a network spread over processes.

`compare` times one pass of SGD on each workload, alternating the single process and 2 shards on Ray
(started once, here), and reports for each: examples/s, the machine's CPU-seconds per wall-second
while the pass ran (from /proc/stat: every process counts, Ray's own included), transfers per
example, bytes per transfer, rounds per example and the share of the pass each shard spent working.

`spread_out` builds a sparse network too large to be comfortable in one process, splits it over
shards and runs one example forward and backward, then reports each process's peak memory.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from exmachina import Network

WORKLOADS = [  # (name, sizes, fit options, examples, examples with --quick)
    ("784-100-10, online, 8 in flight", (784, 100, 10), {"in_flight": 8}, 160, 16),
    ("784-100-10, batch 64", (784, 100, 10), {"batch_size": 64}, 1280, 128),
    ("256-8-10, online", (256, 8, 10), {}, 600, 40),
    ("784-1000-1000-10, online", (784, 1000, 1000, 10), {}, 40, 0),  # 0: not with --quick (a minute more)
]
SHARDS = 2


def busy_cpu_seconds() -> float:
    """CPU-seconds this machine has spent working since it started, every process together."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / 100.0  # in USER_HZ, 100 a second on Linux


def one_pass(sizes: tuple[int, ...], options: dict, x: np.ndarray, y: np.ndarray, shards: int | None) -> dict:
    """One pass of SGD from the same first weights; the figures of the pass alone, setup excluded."""
    marks: dict[str, float] = {}

    def progress(epoch: int, board: Any) -> None:
        marks.setdefault("cpu", busy_cpu_seconds())

    def after(figures: dict) -> None:
        marks["cpu_end"] = busy_cpu_seconds()

    net = Network.layered(list(sizes), activation="sigmoid", loss="squared", seed=0)
    figures = net.fit(x, y, epochs=1, learning_rate=0.5, shuffle=False, shards=shards, on_progress=progress,
                      on_pass=after, **options)[0]
    passes = max(1, len(x) // options.get("batch_size", 1))  # examples (or batches) presented
    found = {
        "examples_per_second": figures["examples_per_second"],
        "cpu_per_wall": (marks["cpu_end"] - marks["cpu"]) / figures["seconds"],
        "weights": net.blueprint.weights.tobytes(),
    }
    if shards:
        found.update(
            transfers_per_example=figures["transfers"] / len(x),
            bytes_per_transfer=figures["bytes"] / max(figures["transfers"], 1),
            rounds_per_example=figures["rounds"] / passes,
            waves_per_example=figures["waves"] / len(x),
            bytes_per_example=figures["bytes"] / len(x),
            busy_share=[b / figures["seconds"] for b in figures["busy"]],
        )
    return found


def compare(quick: bool, repeats: int, log: Any = print) -> list[dict]:
    """Each workload: the single process and 2 shards in alternation, `repeats` times each."""
    rows = []
    for name, sizes, options, examples, few in WORKLOADS:
        examples = few if quick else examples
        if not examples:
            continue
        rng = np.random.default_rng(0)
        x, y = rng.random((examples, sizes[0])), rng.integers(0, sizes[-1], examples)
        log(f"shards: {name}, {examples} examples, {repeats} pairs")
        runs: dict[str, list[dict]] = {"one process": [], f"{SHARDS} shards": []}
        for _ in range(repeats):
            runs["one process"].append(one_pass(sizes, options, x, y, None))
            runs[f"{SHARDS} shards"].append(one_pass(sizes, options, x, y, SHARDS))
        weights = {r.pop("weights") for found in runs.values() for r in found}
        # with one example in flight, every run learns the same bits; with more, the interleaving counts
        same = len(weights) == 1 if options.get("in_flight", 1) == 1 else None
        rows.append({"workload": name, "examples": examples, "same_weights": same,
                     **{side: summary(found) for side, found in runs.items()}})
        one, split = rows[-1]["one process"], rows[-1][f"{SHARDS} shards"]
        rows[-1]["speedup"] = split["examples_per_second"]["median"] / one["examples_per_second"]["median"]
    return rows


def summary(runs: list[dict]) -> dict:
    """Median, least and most of each figure over the runs (and of each shard's busy share)."""
    found: dict[str, Any] = {}
    for key in runs[0]:
        if key == "busy_share":
            found[key] = [statistics.median(r[key][i] for r in runs) for i in range(len(runs[0][key]))]
            continue
        values = [r[key] for r in runs]
        found[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    return found


def spread_out(layers: int, width: int, fan_in: int, shards: int, log: Any = print) -> dict:
    """A sparse network over `shards` processes: one example forward and backward; each one's peak memory;
    then the same example in one process, timed, and whether both learned the same bits."""
    from exmachina.actors.runtime import LocalRuntime
    from exmachina.actors.society import Society
    from exmachina.shards.sharded import Shards

    from .sparse import sparse_blueprint

    started = time.perf_counter()
    blueprint = sparse_blueprint(layers, width, fan_in)
    log(f"shards: {layers} layers of {width}, fan-in {fan_in}: {len(blueprint.weights):,} synapses "
        f"over {shards} shards")
    built = time.perf_counter()
    seen = []
    society = Shards(blueprint, shards, lambda tag, outputs, losses: seen.append(tag), learning_rate=0.1,
                     partition="spread")
    ready = time.perf_counter()
    rng = np.random.default_rng(0)
    example = (0, rng.random(width).tolist(), rng.random(width))
    society.feed([example])
    ran = time.perf_counter()
    peaks = society.peaks()  # before one process is built here, which would count as the driver's
    learned = society.state().weights
    society.close()
    del society
    log("the same example in one process")
    alone = Society(blueprint, LocalRuntime(), None, 0.1)
    before = time.perf_counter()
    alone.feed([example])
    one = time.perf_counter() - before
    same = bool(np.array_equal(learned, alone.state().weights))
    return {
        "neurons": blueprint.size, "synapses": len(blueprint.weights), "shards": shards, "scored": seen == [0],
        "seconds": {"blueprint": built - started, "shards": ready - built, "example": ran - ready,
                    "one process": one},
        "same_bits": same, "peak_rss_mib": peaks,
    }
