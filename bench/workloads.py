"""The networks and data the suite measures: Semeion-, digits- and MNIST-shaped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEMEION = Path(__file__).resolve().parents[2] / "shared" / "data" / "semeion.data"  # ../shared/data


@dataclass(frozen=True)
class Case:
    """One row group of the table: a network shape, its data and how many examples to time."""

    name: str
    sizes: tuple[int, ...]
    online_examples: int
    batched_examples: int
    quick_online: int
    quick_batched: int


CASES = [
    Case("256-8-10", (256, 8, 10), 1000, 6400, 150, 640),
    Case("64-32-10", (64, 32, 10), 1000, 3584, 150, 640),
    Case("784-100-10", (784, 100, 10), 300, 3200, 30, 320),
]
ACTIVATION, LOSS, LEARNING_RATE = "sigmoid", "squared", 0.5  # the Exmachina set-up (its rate is 2.0)


def load_semeion(path: str | Path = SEMEION) -> tuple[np.ndarray, np.ndarray]:
    """The Semeion handwritten digits: 256 binary pixels and a one-hot digit per line."""
    try:
        table = np.loadtxt(path, ndmin=2)
    except OSError as bad:
        raise ValueError(f"{path}: {bad.strerror or bad}") from None
    except ValueError as bad:
        raise ValueError(f"{path}: not a table of numbers ({bad})") from None
    if table.shape[1] != 266:
        raise ValueError(f"{path}: expected 266 columns (256 pixels, 10 digits), got {table.shape[1]}")
    return table[:, :256], table[:, 256:].argmax(axis=1)


def data_for(case: Case, examples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """Inputs, labels and a word on where they come from; repeated or cut to `examples` rows."""
    rng = np.random.default_rng(seed)
    inputs = case.sizes[0]
    if inputs == 256 and SEMEION.exists():
        x, y, source = *load_semeion(), "Semeion digits"
    elif inputs == 256:
        x, y, source = rng.integers(0, 2, (examples, 256)).astype(float), rng.integers(0, 10, examples), "random binary"
    elif inputs == 64:
        from sklearn.datasets import load_digits  # imported here: it takes a second to import

        digits = load_digits()
        x, y, source = digits.data / 16.0, digits.target, "scikit-learn digits"
    else:
        x, y, source = rng.random((examples, inputs)), rng.integers(0, case.sizes[-1], examples), "random MNIST-shaped"
    repeat = -(-examples // len(x))
    return np.tile(x, (repeat, 1))[:examples], np.tile(y, repeat)[:examples], source
