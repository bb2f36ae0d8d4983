"""A run whose weights become NaN or infinite: stopped at the end of the pass, said in one line with
what to try, never saved, and reported in strict JSON (null where a figure is not a number)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np


class Diverged(Exception):
    """The weights or biases stopped being finite numbers during pass `epoch`."""

    def __init__(self, epoch: int, loss: float) -> None:
        super().__init__(epoch, loss)
        self.epoch, self.loss = epoch, loss


def check(blueprint: Any, figures: dict[str, Any]) -> None:
    """Raise Diverged after a pass that left a weight, a bias or the loss not finite."""
    finite = np.isfinite(blueprint.weights).all() and np.isfinite(blueprint.biases).all()
    if not (finite and math.isfinite(figures["loss"])):
        raise Diverged(figures["epoch"], figures["loss"])


def line(diverged: Diverged, learning_rate: float, save: Path | None) -> str:
    kept = f"{save} left as it was" if save is not None and save.exists() else "nothing saved"
    return (f"the weights diverged during pass {diverged.epoch} (the loss became {diverged.loss}): {kept}; "
            f"try a lower --learning-rate than {learning_rate:g}, such as {learning_rate / 10:g}")


def strict(value: Any) -> Any:
    """The figures with every NaN or infinity as None, so that the JSON holds no NaN token."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict(item) for item in value]
    return value


def strict_json(figures: dict[str, Any]) -> str:
    return json.dumps(strict(figures), indent=1, allow_nan=False) + "\n"
