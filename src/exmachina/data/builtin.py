"""Data sets that need no download. Shipped in the package: the digits, iris and wine tables as
scikit-learn ships them (read here without importing scikit-learn, which costs a second of
start-up), and the Semeion digits (the Exmachina reference's own data). `data/README.md` says
where each comes from and under which licence. Made on the spot: the truth tables and the
two-dimensional sets of TensorFlow Playground.
"""

from __future__ import annotations

import gzip
import math
from importlib.resources import as_file, files
from typing import Any

import numpy as np

from .dataset import DEFAULTS, DataSet
from .formats import semeion

SETS = ("digits", "semeion", "iris", "wine")
TRUTH_TABLES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "xor": [0, 1, 1, 0],
}
PLANES = ("circle", "xor2d", "gauss", "spiral")  # TensorFlow Playground's classification sets
PLANE_SCALE = 6.0  # the Playground draws its points in -6..6; inputs are scaled to about -1..1
DEFAULT_POINTS = 500
# A truth table has four rows: one output neuron (above 0.5 means 1), squared error, and many passes.
TRUTH_DEFAULTS: dict[str, Any] = {
    "hidden": [3],
    "activation": "sigmoid",
    "loss": "squared",
    "learning_rate": 2.0,
    "epochs": 1000,
    "outputs": 1,
}
PLANE_DEFAULTS: dict[str, dict[str, Any]] = {
    "circle": {"hidden": [8], "activation": "tanh", "learning_rate": 0.1, "epochs": 30},
    "xor2d": {"hidden": [8], "activation": "tanh", "learning_rate": 0.1, "epochs": 30},
    "gauss": {"hidden": [2], "activation": "tanh", "learning_rate": 0.1, "epochs": 10},
    "spiral": {"hidden": [16, 16], "activation": "leaky_relu", "learning_rate": 0.03, "epochs": 200},
}


def load(name: str) -> DataSet:
    """The built-in data set called `name` (one of `SETS`)."""
    if name == "semeion":
        with as_file(files(__package__) / "semeion.data.gz") as path:
            found = semeion(path)
        found.where = [f"semeion, line {line.rpartition(' ')[2]}" for line in found.where]
        found.name = "semeion"
        return found
    inputs, labels, names = _table(name)
    if name == "digits":  # 8x8 pixels, scaled from 0..16 to 0..1
        return DataSet("digits", inputs / 16.0, labels, list(range(10)))
    if name == "iris":  # the species by name
        labels = np.array(names, dtype=object)[labels]
    return DataSet(name, inputs, labels, sorted(set(labels.tolist())),
                   defaults={**DEFAULTS, "scale": "standard"})  # measured in any units


def _table(name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A shipped table: features, then a class number, per row. The iris and wine tables start with
    a line `examples,features,class 0's name,class 1's name,...`; the digits have none."""
    packed = (files(__package__) / f"{name}.csv.gz").read_bytes()
    lines = gzip.decompress(packed).decode().splitlines()
    names = lines.pop(0).split(",")[2:] if name != "digits" else []
    table = np.loadtxt(lines, delimiter=",", ndmin=2)
    return table[:, :-1], table[:, -1].astype(np.int64), names


def truth_table(name: str) -> DataSet:
    """The four rows of a logic gate; the network learns and is tested on all four."""
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return DataSet(name, inputs, np.array(TRUTH_TABLES[name], dtype=np.int64), [0, 1], split=False,
                   defaults=dict(TRUTH_DEFAULTS))


def plane(name: str, points: int = DEFAULT_POINTS, spread: float = 0.0, seed: int = 0) -> DataSet:
    """Two classes of points in the plane as TensorFlow Playground draws them (class 1 is its +1).

    `spread` is the Playground's noise (0 to 0.5 there): it blurs the classes into each other.
    """
    if points < 4:
        raise ValueError(f"--points must be at least 4, got {points}")
    if not (math.isfinite(spread) and 0.0 <= spread <= 1.0):
        raise ValueError(f"--spread must be between 0 and 1, got {spread}")
    rng = np.random.default_rng(seed)
    half = points // 2
    if name == "circle":
        radius = 5.0
        r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, points - half)])
        angle = rng.uniform(0, 2 * np.pi, points)
        xy = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
        blurred = xy + rng.uniform(-radius, radius, (points, 2)) * spread
        labels = np.hypot(blurred[:, 0], blurred[:, 1]) < radius * 0.5
    elif name == "xor2d":
        xy = rng.uniform(-5, 5, (points, 2))
        xy += np.where(xy > 0, 0.3, -0.3)  # keep the points off the axes
        blurred = xy + rng.uniform(-5, 5, (points, 2)) * spread
        labels = blurred[:, 0] * blurred[:, 1] >= 0
    elif name == "gauss":
        variance = 0.5 + (4.0 - 0.5) * spread / 0.5
        centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [half, points - half], axis=0)
        xy = centres + rng.normal(0, math.sqrt(variance), (points, 2))
        labels = np.arange(points) < half
    else:  # spiral
        i = np.concatenate([np.arange(half), np.arange(points - half)]).astype(float)
        n = np.where(np.arange(points) < half, half, points - half)
        r = i / n * 5
        t = 1.75 * i / n * 2 * np.pi + np.where(np.arange(points) < half, 0.0, np.pi)
        xy = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (points, 2)) * spread
        labels = np.arange(points) < half
    settings = dict(DEFAULTS)
    settings.update(PLANE_DEFAULTS[name])
    return DataSet(name, xy / PLANE_SCALE, labels.astype(np.int64), [0, 1], defaults=settings)
