"""Timing one pass of each engine on the same network, data and SGD, interleaved and repeated.

Every engine starts from the same blueprint, sees the examples in the order `Network.fit` draws from
seed 0, and is timed in CPU seconds of this process (or of the C program's) over the pass: learning,
and scoring every example's loss and hit at the pass's end, as the actors do when nobody watches.
Each run's learned weights are checked against the actors' of the same repeat.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from exmachina import Network
from exmachina.actors.losses import loss
from exmachina.network.blueprint import Blueprint, layered

from . import baseline, reference
from .workloads import ACTIVATION, CASES, LEARNING_RATE, LOSS, Case, data_for

LEAN, TORCH, C_PROGRAM = "lean NumPy", "PyTorch", "C program"
HAS_TORCH = importlib.util.find_spec("torch") is not None
ENGINES = ("actors", "matrix", LEAN) + ((TORCH,) if HAS_TORCH else ())  # the C program: online only
# speed ratios, each repeat's own: how many times faster the first engine ran than the second
RATIOS = {
    "actors/lean NumPy": ("actors", LEAN),
    "actors/PyTorch": ("actors", TORCH),
    "actors/C program": ("actors", C_PROGRAM),
    "matrix/lean NumPy": ("matrix", LEAN),
}
SAME_WEIGHTS = 1e-12  # the largest relative difference from the actors' weights a peer may show
ROOT = Path(__file__).resolve().parents[1]
_program: list[Path] = []  # built once per run


def program() -> Path:
    if not _program:
        _program.append(reference.build(Path(tempfile.mkdtemp(prefix="exmachina-bench-"))))
    return _program[0]


def blueprint_for(case: Case, seed: int = 0) -> Blueprint:
    return layered(case.sizes, ACTIVATION, loss=LOSS, seed=seed)


def score(outputs: np.ndarray, desired: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The pass's mean loss and accuracy from each example's outputs, as `Network.fit` scores a pass."""
    losses, _ = loss(LOSS).measure(outputs.T, desired.T)
    return float(losses.mean()), float(np.mean(outputs.argmax(axis=1) == labels))


def train(engine: str, blueprint: Blueprint, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, Any]:
    """One pass of SGD from `blueprint` on one engine: `cpu_seconds` and `seconds` (wall) of the pass,
    setup excluded, `examples`, the `learned` blueprint, and for the actors `messages`."""
    if engine in ("actors", "matrix"):
        network = Network(blueprint.copy())
        figures = network.fit(x, y, epochs=1, learning_rate=LEARNING_RATE, batch_size=batch_size, engine=engine)[0]
        return figures | {"learned": network.blueprint}
    desired = np.eye(blueprint.outputs.size)[y]
    order = np.random.default_rng(0).permutation(len(x))  # as Network.fit draws it
    if engine == C_PROGRAM:
        return _c_program(blueprint, x[order], desired[order])
    layers = baseline.layers_of(blueprint)
    if engine == TORCH:
        from . import torch_cpu

        model = torch_cpu.model_of(layers)
        learn = torch_cpu.learn
    else:
        model, learn = layers, baseline.learn
    wall, cpu = time.perf_counter(), time.process_time()
    xs, ds = x[order], desired[order]
    outputs = learn(model, xs, ds, LEARNING_RATE, batch_size)
    loss_, accuracy = score(outputs, ds, y[order])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if engine == TORCH:
        layers = torch_cpu.layers_from(model)
    return {"examples": len(x), "seconds": wall, "cpu_seconds": cpu, "loss": loss_, "accuracy": accuracy,
            "learned": baseline.into(blueprint, layers)}


def _c_program(blueprint: Blueprint, x: np.ndarray, desired: np.ndarray) -> dict[str, Any]:
    """The C program's CPU time for the pass: its process's, less that of a run that learns nothing
    (starting, reading the data, writing the weights). It scores nothing: it is the bare protocol."""
    spent = []
    for passes in (0, 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        learned, figures = reference.run(program(), blueprint, x, desired, LEARNING_RATE, passes)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {"examples": len(x), "seconds": figures["seconds"], "cpu_seconds": max(spent[1] - spent[0], 1e-9),
            "learned": learned}


def difference(learned: Blueprint, actors: Blueprint) -> float:
    """The largest change between two sets of weights and biases, relative to the largest of the actors'."""
    return max(float(np.abs(learned.weights - actors.weights).max() / np.abs(actors.weights).max()),
               float(np.abs(learned.biases - actors.biases).max() / max(np.abs(actors.biases).max(), 1e-300)))


def spread(values: list[float]) -> dict[str, Any]:
    median = statistics.median(values)
    return {
        "median": median, "min": min(values), "max": max(values),
        "spread_percent": 100.0 * (max(values) - min(values)) / 2.0 / median if median else 0.0,
        "runs": values,
    }


def time_case(case: Case, batch_size: int, examples: int, repeats: int) -> dict[str, Any]:
    """CPU seconds of every engine (and online, of the C program), each repeat running all of them
    in a rotating order; the ratios of each repeat, and each engine's weights against the actors'."""
    x, y, source = data_for(case, examples)
    blueprint = blueprint_for(case)
    engines = ENGINES + ((C_PROGRAM,) if batch_size == 1 else ())
    for engine in engines:  # warm-up: imports, caches, first-call costs
        train(engine, blueprint, x[: 2 * batch_size], y[: 2 * batch_size], batch_size)
    gc.collect()
    # what the imports made (PyTorch with its compiler: ~280,000 objects, 0.3 CPU-s a collect) stays out of
    # each run's collect
    gc.freeze()
    seconds: dict[str, list[float]] = {e: [] for e in engines}
    ratios: dict[str, list[float]] = {}
    differences: dict[str, float] = {}
    message_rates: list[float] = []
    messages_per_example = None
    for r in range(repeats):
        k = r % len(engines)
        learned: dict[str, Blueprint] = {}
        for engine in engines[k:] + engines[:k]:
            gc.collect()
            figures = train(engine, blueprint, x, y, batch_size)
            seconds[engine].append(figures["cpu_seconds"])
            learned[engine] = figures["learned"]
            if engine == "actors":
                message_rates.append(figures["messages"] / figures["cpu_seconds"])
                messages_per_example = figures["messages"] / figures["examples"]
        for engine in engines[1:]:
            found = difference(learned[engine], learned["actors"])
            differences[engine] = max(differences.get(engine, 0.0), found)
            limit = 0.0 if engine == C_PROGRAM else SAME_WEIGHTS  # the C program: the actors' very bits
            if found > limit:
                raise RuntimeError(f"{case.name}, batch {batch_size}: {engine} learned other weights than the "
                                   f"actors (relative difference {found:.2g})")
        for name, (first, second) in RATIOS.items():
            if first in seconds and second in seconds:
                ratios.setdefault(name, []).append(seconds[second][-1] / seconds[first][-1])
    found = {e: spread(v) for e, v in seconds.items()}
    for figures in found.values():
        figures["examples_per_cpu_second"] = examples / figures["median"]
    found["actors"]["messages_per_cpu_second"] = statistics.median(message_rates)
    found["actors"]["messages_per_example"] = messages_per_example
    return {
        "network": case.name, "sizes": list(case.sizes), "data": source, "batch_size": batch_size,
        "mode": "online" if batch_size == 1 else "batched", "examples": examples, "repeats": repeats,
        "synapses": int(len(blueprint.weights)), "cpu_seconds": found,
        "ratios": {name: spread(values) for name, values in ratios.items()},
        "weights_against_actors": differences,
    }


def memory_case(case: Case, batch_size: int, examples: int) -> dict[str, dict[str, float]]:
    """Peak memory of one pass of each engine, each in a fresh subprocess so nothing else counts."""
    x, y, _ = data_for(case, examples)
    found = {}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.npz"
        np.savez(data, x=x, y=y)
        for engine in ENGINES:
            command = [sys.executable, "-m", "bench.probe", case.name, engine, str(batch_size), str(data)]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
            if done.returncode:
                raise RuntimeError(f"memory probe {case.name} {engine} failed: {done.stderr.strip()[-500:]}")
            found[engine] = json.loads(done.stdout)
    return found


def case_named(name: str) -> Case:
    for case in CASES:
        if case.name == name:
            return case
    raise ValueError(f"unknown network {name!r}; choose one of {', '.join(c.name for c in CASES)}")
