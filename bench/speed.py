"""Timing one pass of each engine on the same network, data and SGD, interleaved and repeated."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from exmachina import Network
from exmachina.network.blueprint import Blueprint, layered

from . import reference
from .baseline import ObjectGraph
from .workloads import ACTIVATION, CASES, LEARNING_RATE, LOSS, Case, data_for

ENGINES = ("actors", "matrix", "object graph")
C_PROGRAM = "C program"  # online only: the bare per-message work (reference.c)
ROOT = Path(__file__).resolve().parents[1]
_program: list[Path] = []  # built once per run


def program() -> Path:
    if not _program:
        _program.append(reference.build(Path(tempfile.mkdtemp(prefix="exmachina-bench-"))))
    return _program[0]


def blueprint_for(case: Case, seed: int = 0) -> Blueprint:
    return layered(case.sizes, ACTIVATION, loss=LOSS, seed=seed)


def train(engine: str, blueprint: Blueprint, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, Any]:
    """One pass of SGD from `blueprint` on one engine: the pass's own figures (`seconds`, setup
    excluded), plus the wall and CPU time of the whole call, setup included (`call_seconds`,
    `cpu_seconds`: the process's CPU time, which a busy shared machine disturbs less)."""
    wall, cpu = time.perf_counter(), time.process_time()
    if engine == C_PROGRAM:
        _, figures = reference.run(program(), blueprint, x, np.eye(blueprint.outputs.size)[y], LEARNING_RATE)
        figures["examples"] = len(x)
    elif engine == "object graph":
        graph = ObjectGraph(blueprint)
        figures = graph.fit(x, np.eye(blueprint.outputs.size)[y], 1, LEARNING_RATE, batch_size)[0]
    else:
        network = Network(blueprint.copy())
        figures = network.fit(x, y, epochs=1, learning_rate=LEARNING_RATE, batch_size=batch_size, engine=engine)[0]
    figures["cpu_seconds"] = time.process_time() - cpu
    figures["call_seconds"] = time.perf_counter() - wall
    return figures


def spread(values: list[float]) -> dict[str, Any]:
    median = statistics.median(values)
    return {
        "median": median, "min": min(values), "max": max(values),
        "spread_percent": 100.0 * (max(values) - min(values)) / 2.0 / median if median else 0.0,
        "runs": values,
    }


def same_bits(blueprint: Blueprint, x: np.ndarray, y: np.ndarray) -> bool:
    """Whether the C program learns the actors' very weights: that it does the same work."""
    network = Network(blueprint.copy())
    network.fit(x, y, epochs=1, learning_rate=LEARNING_RATE, shuffle=False)
    learned, _ = reference.run(program(), blueprint, x, np.eye(blueprint.outputs.size)[y], LEARNING_RATE)
    return (learned.weights.tobytes() == network.blueprint.weights.tobytes()
            and learned.biases.tobytes() == network.blueprint.biases.tobytes())


def time_case(case: Case, batch_size: int, examples: int, repeats: int) -> dict[str, Any]:
    """Examples/s of every engine (and online, of the C program), each repeat running all of them
    in a rotating order."""
    x, y, source = data_for(case, examples)
    blueprint = blueprint_for(case)
    engines = ENGINES + ((C_PROGRAM,) if batch_size == 1 else ())
    if batch_size == 1 and not same_bits(blueprint, x[:20], y[:20]):
        raise RuntimeError(f"{case.name}: the C program did not learn the actors' weights")
    for engine in engines:  # warm-up: imports, caches, first-call costs
        train(engine, blueprint, x[: 2 * batch_size], y[: 2 * batch_size], batch_size)
    rates: dict[str, list[float]] = {e: [] for e in engines}
    cpu_rates: dict[str, list[float]] = {e: [] for e in engines}
    message_rates: list[float] = []
    messages_per_example = None
    for r in range(repeats):
        k = r % len(engines)
        for engine in engines[k:] + engines[:k]:
            gc.collect()
            figures = train(engine, blueprint, x, y, batch_size)
            rates[engine].append(figures["examples"] / figures["seconds"])
            cpu_rates[engine].append(figures["examples"] / figures["cpu_seconds"])
            if engine == "actors":
                message_rates.append(figures["messages"] / figures["seconds"])
                messages_per_example = figures["messages"] / figures["examples"]
    engines = {e: spread(v) for e, v in rates.items()}
    for engine, values in cpu_rates.items():
        engines[engine]["cpu"] = spread(values)  # examples per CPU second, setup included
    engines["actors"]["messages_per_second"] = statistics.median(message_rates)
    engines["actors"]["messages_per_example"] = messages_per_example
    return {
        "network": case.name, "sizes": list(case.sizes), "data": source, "batch_size": batch_size,
        "mode": "online" if batch_size == 1 else "batched", "examples": examples, "repeats": repeats,
        "synapses": int(len(blueprint.weights)), "engines": engines,
        "ratios": {
            "actors/matrix": engines["actors"]["median"] / engines["matrix"]["median"],
            "actors/object graph": engines["actors"]["median"] / engines["object graph"]["median"],
            **({"actors/C program": engines["actors"]["median"] / engines[C_PROGRAM]["median"]}
               if C_PROGRAM in engines else {}),
        },
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
