"""The labels of a CSV file: class names, checked to look like classes before a network learns them.

The label column is the last one unless `--label` names another. A file whose classes sit in the
middle would otherwise teach a measurement as a hundred "classes" and score nothing, with nothing
said: a column of real numbers with many values, or one with more classes than half its rows, is
refused, naming the column and `--label`.
"""

from __future__ import annotations

import math
import os

import numpy as np

MANY = 10  # classes past which a real-valued or sparse column looks like a measurement or an identifier


def check(path: str | os.PathLike, names: list[str], column: int, labels: list[str], given: bool) -> None:
    """Raise a ValueError naming the column and `--label` when `labels` do not look like classes."""
    distinct = sorted(set(labels))
    if len(distinct) <= MANY:
        return
    real = [v for v in distinct if _real(v)]
    if len(real) == len(distinct) and any(not float(v).is_integer() for v in real):
        looks = "real numbers, a measurement"
    elif len(distinct) > len(labels) / 2:
        looks = "more classes than half its rows"
    else:
        return
    which = f"--label {names[column]}" if given else f"the label column, {names[column]!r} (the last, by default)"
    examples = ", ".join(distinct[:3])
    others = [n for i, n in enumerate(names) if i != column]
    hint = ("is it the column of classes?" if given else
            f"name the column of classes with --label (the others are {', '.join(others[:8])}"
            f"{', ...' if len(others) > 8 else ''})")
    raise ValueError(f"{path}: {which} holds {len(distinct):,} different values in {len(labels):,} rows "
                     f"({examples}, ...): {looks}, not classes to learn; {hint}")


def values(labels: list[str]) -> np.ndarray:
    """Labels that are all whole numbers (that a 64-bit integer holds) become integers; else words."""
    try:
        return np.array([int(v) for v in labels], dtype=np.int64)
    except (ValueError, OverflowError):
        return np.array(labels, dtype=object)


def _real(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
