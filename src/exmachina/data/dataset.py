"""What a network learns from: examples, their labels, where each came from, and the settings that suit them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Settings that suit most data: measured to reach >= 95% test accuracy on the digits in 10 passes.
DEFAULTS: dict[str, Any] = {
    "hidden": [32],
    "activation": "sigmoid",
    "loss": "cross_entropy",
    "learning_rate": 0.1,
    "epochs": 10,
}


@dataclass
class DataSet:
    """Examples to learn from: inputs (examples, features), a class label each, and their origin."""

    name: str
    inputs: np.ndarray
    labels: np.ndarray
    classes: list
    split: bool = True  # False for the truth tables: four rows are both what to learn and the test
    defaults: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    where: list[str] | None = None  # where each example came from ("line 7"), for error messages
    names: list[str] | None = None  # the features' names (a CSV file's header), kept in the model
    label: str | None = None  # the label column's name (a CSV file's)

    @property
    def features(self) -> int:
        return self.inputs.shape[1]

    @property
    def examples(self) -> int:
        return len(self.inputs)

    def origin(self, example: int) -> str:
        """Where an example came from, e.g. `data.csv, line 7`, for messages about it."""
        return self.where[example] if self.where else f"{self.name}, example {example}"
