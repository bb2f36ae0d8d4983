"""Data sets that need no download, shipped in the package: the digits, iris and wine tables as
scikit-learn ships them (read here without importing scikit-learn, which costs a second of
start-up), and the Semeion digits (the Exmachina reference's own data). `data/README.md` says
where each comes from and under which licence.
"""

from __future__ import annotations

import gzip
from importlib.resources import as_file, files

import numpy as np

from . import datasets

SETS = ("digits", "semeion", "iris", "wine")


def load(name: str) -> datasets.DataSet:
    """The built-in data set called `name` (one of `SETS`)."""
    if name == "semeion":
        with as_file(files(__package__) / "data" / "semeion.data.gz") as path:
            found = datasets.semeion(path)
        found.where = [f"semeion, line {line.rpartition(' ')[2]}" for line in found.where]
        found.name = "semeion"
        return found
    inputs, labels, names = _table(name)
    if name == "digits":  # 8x8 pixels, scaled from 0..16 to 0..1
        return datasets.DataSet("digits", inputs / 16.0, labels, list(range(10)))
    if name == "iris":  # the species by name
        labels = np.array(names, dtype=object)[labels]
    return datasets.DataSet(name, inputs, labels, sorted(set(labels.tolist())),
                            defaults={**datasets.DEFAULTS, "scale": "standard"})  # measured in any units


def _table(name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A shipped table: features, then a class number, per row. The iris and wine tables start with
    a line `examples,features,class 0's name,class 1's name,...`; the digits have none."""
    packed = (files(__package__) / "data" / f"{name}.csv.gz").read_bytes()
    lines = gzip.decompress(packed).decode().splitlines()
    names = lines.pop(0).split(",")[2:] if name != "digits" else []
    table = np.loadtxt(lines, delimiter=",", ndmin=2)
    return table[:, :-1], table[:, -1].astype(np.int64), names
