"""A very large sparse network: build, one example forward and backward, save, load; time and memory.

Each size runs in its own process (`python -m bench.scale LAYERS WIDTH FAN_IN FOLDER`, JSON on
stdout) so that its peak resident memory is its own. The process caps its address space, so a size
that does not fit fails with a MemoryError, reported with the stage it reached, instead of
starving the machine. `--breakdown` instead traces, line by line, where the memory goes.
"""

from __future__ import annotations

import argparse
import gc
import json
import linecache
import resource
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from exmachina import Network
from exmachina.actors.runtime import LocalRuntime
from exmachina.actors.society import Society

from .memory import MIB, peak_rss, reset_peak, rss
from .sparse import sparse_blueprint

LEARNING_RATE = 0.1


def one_example(width: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random input (one value per sensor) and random desired outputs."""
    rng = np.random.default_rng(seed)
    return rng.random((1, width)), rng.random((1, width))


def stages(layers: int, width: int, fan_in: int, folder: Path) -> dict[str, Any]:
    """Build, fit one example, save and load, each with its time and its own peak RSS."""
    found: dict[str, Any] = {"layers": layers, "width": width, "fan_in": fan_in, "stages": {}}
    keep: dict[str, Any] = {}

    def stage(name: str, work: Callable[[], Any]) -> Any:
        found["running"] = name
        gc.collect()
        before = rss()
        reset_peak()
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        found["stages"][name] = {
            "seconds": seconds, "rss_before_mib": before / MIB, "peak_rss_mib": peak_rss() / MIB,
            "rss_after_mib": rss() / MIB,
        }
        return result

    try:
        blueprint = stage("build", lambda: sparse_blueprint(layers, width, fan_in))
        found["neurons"], found["synapses"] = blueprint.size, int(len(blueprint.weights))
        network = keep["network"] = Network(blueprint)
        del blueprint
        x, desired = one_example(width)
        history = stage("fit", lambda: network.fit(x, desired, epochs=1, learning_rate=LEARNING_RATE))
        found["stages"]["fit"]["pass_seconds"] = history[0]["seconds"]
        found["stages"]["fit"]["messages"] = history[0]["messages"]
        path = folder / "sparse.npz"
        stage("save", lambda: network.save(path))
        found["file_mib"] = path.stat().st_size / MIB
        loaded = stage("load", lambda: Network.load(path))
        found["loaded_equal"] = bool(
            np.array_equal(loaded.blueprint.weights, network.blueprint.weights)
            and np.array_equal(loaded.blueprint.biases, network.blueprint.biases)
        )
        path.unlink()
    except MemoryError:
        found["error"] = f"MemoryError in the {found['running']} stage"
    found["peak_rss_mib"] = max((s["peak_rss_mib"] for s in found["stages"].values()), default=0.0)
    return found


def breakdown(layers: int, width: int, fan_in: int, folder: Path, top: int = 12) -> dict[str, Any]:
    """Where the bytes go: the actor society's resident structures by source line, and the peaks
    of one example, of saving and of loading, all per synapse."""
    blueprint = sparse_blueprint(layers, width, fan_in)
    synapses, neurons = len(blueprint.weights), blueprint.size
    arrays = sum(a.nbytes for a in (blueprint.sources, blueprint.targets, blueprint.weights, blueprint.biases))
    found: dict[str, Any] = {"neurons": neurons, "synapses": synapses,
                             "blueprint_arrays_bytes_per_synapse": arrays / synapses}
    x, desired = one_example(width)
    gc.collect()
    tracemalloc.start()
    society = Society(blueprint, LocalRuntime(), lambda tag, outputs, losses: None, LEARNING_RATE)
    built = tracemalloc.take_snapshot()
    found["society_bytes_per_synapse"] = tracemalloc.get_traced_memory()[0] / synapses
    found["society_build_peak_bytes_per_synapse"] = tracemalloc.get_traced_memory()[1] / synapses
    found["society_by_line"] = [
        {"line": f"{s.traceback[0].filename.split('/src/')[-1]}:{s.traceback[0].lineno}",
         "code": linecache.getline(s.traceback[0].filename, s.traceback[0].lineno).strip(),
         "bytes_per_synapse": s.size / synapses, "blocks": s.count}
        for s in built.filter_traces([tracemalloc.Filter(True, "*exmachina*")]).statistics("lineno")[:top]
    ]
    del built
    tracemalloc.reset_peak()
    resident = tracemalloc.get_traced_memory()[0]
    society.feeder.feed(iter([(0, x[0].tolist(), desired[0])]))
    society.runtime.run()
    found["one_example_peak_bytes_per_synapse"] = (tracemalloc.get_traced_memory()[1] - resident) / synapses
    learned = society.state()
    del society
    gc.collect()
    path = folder / "breakdown.npz"
    for name, work in (("save", lambda: learned.save(path)), ("load", lambda: Network.load(path))):
        gc.collect()
        tracemalloc.reset_peak()
        resident = tracemalloc.get_traced_memory()[0]
        work()
        found[f"{name}_peak_bytes_per_synapse"] = (tracemalloc.get_traced_memory()[1] - resident) / synapses
    found["file_bytes_per_synapse"] = path.stat().st_size / synapses
    path.unlink()
    tracemalloc.stop()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("layers", type=int)
    parser.add_argument("width", type=int)
    parser.add_argument("fan_in", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit-gib", type=float, default=8.0, help="address-space cap for this process")
    parser.add_argument("--breakdown", action="store_true")
    options = parser.parse_args()
    cap = int(options.limit_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    work = breakdown if options.breakdown else stages
    print(json.dumps(work(options.layers, options.width, options.fan_in, options.folder)))


if __name__ == "__main__":
    main()
