"""The data a network learns from, named by one string: `digits`, `semeion:PATH`, `mnist:DIR`,
`csv:PATH`, the truth tables `and`, `or`, `nand`, `xor`, and the two-dimensional sets of
TensorFlow Playground `circle`, `xor2d`, `gauss`, `spiral`.

The readers of files are in `formats`, the sets that need no download in `builtin`.
"""

from __future__ import annotations

import difflib
import math

import numpy as np

from . import builtin, formats, splitting
from .dataset import DataSet

SOURCES = ("digits | semeion | iris | wine | semeion:PATH | mnist:DIR | csv:PATH | and | or | nand | xor | "
           "circle | xor2d | gauss | spiral")


def load(
    source: str,
    label: str | None = None,
    points: int = builtin.DEFAULT_POINTS,
    spread: float = 0.0,
    seed: int = 0,
    features: list[str] | None = None,
    known_label: str | None = None,
) -> DataSet:
    """The data set that `source` names; `label` picks a CSV column, `points`/`spread`/`seed`
    shape the generated two-dimensional sets. `features` and `known_label`, a model's, take a CSV
    file's columns by name (see `formats.table`)."""
    kind, colon, path = source.partition(":")
    if label is not None and kind != "csv":
        raise ValueError(f"--label names a column of a CSV file; --data {source} has none")
    if kind in builtin.SETS and not colon:
        return builtin.load(kind)
    if kind in ("semeion", "mnist", "csv") and not path:
        raise ValueError(f"--data {source}: give a path, e.g. {kind}:{'DIR' if kind == 'mnist' else 'FILE'}")
    if kind == "semeion":
        return formats.semeion(path)
    if kind == "mnist":
        return formats.mnist(path)
    if kind == "csv":
        return formats.table(path, label, features=features, known_label=known_label)
    if kind in builtin.TRUTH_TABLES and not path:
        return builtin.truth_table(kind)
    if kind in builtin.PLANES and not path:
        return builtin.plane(kind, points, spread, seed)
    names = ("semeion", "mnist", "csv") if colon else (*builtin.SETS, *builtin.TRUTH_TABLES, *builtin.PLANES)
    close = difflib.get_close_matches(kind.lower(), names, n=1)
    guess = f"did you mean {close[0] + colon + path!r}? " if close else ""
    raise ValueError(f"unknown data {source!r}; {guess}choose one of {SOURCES}")


def split(data: DataSet, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the examples to learn from and of those held back to test, stratified by class.

    A truth table is learned and tested whole. When some class is too rare to appear on both
    sides, the split is random but not stratified.
    """
    if not (math.isfinite(fraction) and 0.0 <= fraction < 1.0):
        raise ValueError(f"--test-fraction must be at least 0 and below 1, got {fraction}")
    everything = np.arange(data.examples)
    if not data.split:
        return everything, everything
    tested = int(math.ceil(fraction * data.examples))
    if tested == 0:
        return everything, everything[:0]
    if tested >= data.examples:
        raise ValueError(f"--test-fraction {fraction} leaves no example of {data.name} to learn from")
    labels = data.labels.astype(str)
    _, counts = np.unique(labels, return_counts=True)
    if counts.min() >= 2 and min(tested, data.examples - tested) >= len(counts):
        return splitting.stratified(labels, tested, seed)
    return splitting.shuffled(data.examples, tested, seed)
