"""Data sets that need no download: scikit-learn's digits, the Semeion digits shipped in the
package (the Exmachina reference's own data), and scikit-learn's iris and wine tables.

`semeion` is the Semeion Handwritten Digit data set (1998), Semeion Research Center of Sciences of
Communication, Rome, from the UCI Machine Learning Repository
(https://archive.ics.uci.edu/dataset/178/semeion+handwritten+digit), under the Creative Commons
Attribution 4.0 licence (CC BY 4.0); `data/semeion.data.gz` is the original file, gzipped.
"""

from __future__ import annotations

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
    from sklearn.datasets import load_digits, load_iris, load_wine

    if name == "digits":  # 8x8 pixels, scaled from 0..16 to 0..1
        found = load_digits()
        return datasets.DataSet("digits", found.data / 16.0, found.target.astype(np.int64), list(range(10)))
    if name == "iris":  # the species by name
        table = load_iris()
        labels = table.target_names[table.target].astype(object)
    else:
        table = load_wine()
        labels = table.target.astype(np.int64)
    return datasets.DataSet(name, table.data.astype(float), labels, sorted(set(labels.tolist())),
                            defaults={**datasets.DEFAULTS, "scale": "standard"})  # measured in any units
