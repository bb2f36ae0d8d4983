"""The C program of the bare per-message work (`reference.c`): built here, run on a blueprint and data.

It learns online with the actors' arithmetic in the actors' order, so its weights must be the
actors' bits: the benchmark checks that before it compares times.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path

import numpy as np

from exmachina.network.blueprint import Blueprint

SOURCE = Path(__file__).with_name("reference.c")


def compiler() -> str:
    """The system's C compiler: $CC, Python's own, or cc."""
    for candidate in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc"):
        if candidate and shutil.which(candidate.split()[0]):
            return candidate.split()[0]
    raise RuntimeError("no C compiler found: set CC")


def build(folder: Path) -> Path:
    """Compile the program into `folder` (no fused multiply-add: each product is rounded, as in Python)."""
    program = folder / "reference"
    subprocess.run([compiler(), "-O2", "-ffp-contract=off", str(SOURCE), "-o", str(program), "-lm"], check=True,
                   capture_output=True, text=True)
    return program


def run(program: Path, blueprint: Blueprint, x: np.ndarray, desired: np.ndarray, learning_rate: float,
        passes: int = 1) -> tuple[Blueprint, dict]:
    """Learn online from `blueprint` on (x, desired) in the C program: the learned blueprint and its figures."""
    if blueprint.loss != "squared" or set(blueprint.activations) - {"sigmoid", "identity"}:
        raise ValueError("the C program knows the squared loss and sigmoid or identity neurons only")
    n, s = blueprint.size, len(blueprint.weights)
    sensors, outputs = blueprint.sensors, blueprint.outputs
    with tempfile.TemporaryDirectory() as folder:
        given, learned = Path(folder) / "in.bin", Path(folder) / "out.bin"
        with open(given, "wb") as f:
            np.array([n, s, len(sensors), len(outputs), len(x), passes], dtype="<i4").tofile(f)
            np.array([learning_rate], dtype="<f8").tofile(f)
            for array, kind in [(blueprint.sources, "<i4"), (blueprint.targets, "<i4"), (blueprint.weights, "<f8"),
                                (blueprint.biases, "<f8"),
                                (np.array([a == "sigmoid" for a in blueprint.activations]), "<i4"),
                                (sensors, "<i4"), (outputs, "<i4"), (x, "<f8"), (desired, "<f8")]:
                np.ascontiguousarray(array, dtype=kind).tofile(f)
        done = subprocess.run([str(program), str(given), str(learned)], capture_output=True, text=True, check=True)
        numbers = np.fromfile(learned, dtype="<f8")
    result = blueprint.copy()
    result.weights[:], result.biases[:] = numbers[:s], numbers[s:]
    return result, json.loads(done.stdout)
