"""Scaling of features: the sensors of a network learn best from inputs of about -1..1.

A wine's proline runs to 1,680 while its hue stays near 1: fed raw, the large feature drowns the
others and the network stays at chance. The scaling is learned from the training examples only,
saved in the model, and applied to every input the network is given afterwards (`predict`,
`trace`, `watch`), so a model is always fed as it was taught.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

KINDS = ("standard", "minmax", "none")


@dataclass(frozen=True)
class Scaling:
    """`(x - shift) / factor` per feature: standard (mean 0, spread 1) or minmax (0..1)."""

    kind: str
    shift: np.ndarray
    factor: np.ndarray

    @classmethod
    def learn(cls, kind: str, inputs: np.ndarray) -> Scaling | None:
        """The scaling of `kind` that suits these examples (None for `none`).

        A feature that never changes is shifted but not stretched: there is nothing to spread.
        """
        if kind not in KINDS:
            raise ValueError(f"--scale {kind!r} is unknown; choose one of {', '.join(KINDS)}")
        if kind == "none":
            return None
        x = np.asarray(inputs, dtype=float)
        if kind == "standard":
            shift, factor = x.mean(axis=0), x.std(axis=0)
        else:
            shift, factor = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
        return cls(kind, shift, np.where(factor > 0, factor, 1.0))

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        return (inputs - self.shift) / self.factor

    @property
    def features(self) -> int:
        return len(self.shift)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "shift": self.shift.tolist(), "factor": self.factor.tolist()}

    @classmethod
    def from_dict(cls, data: Any) -> Scaling | None:
        """The saved scaling (None when the model has none, as every model saved before it had)."""
        if data is None:
            return None
        if not isinstance(data, dict) or data.get("kind") not in KINDS[:2]:
            raise ValueError(f"\"scaling\" must be null or an object with kind {' or '.join(KINDS[:2])}")
        try:
            shift = np.array(data["shift"], dtype=float)
            factor = np.array(data["factor"], dtype=float)
        except KeyError as missing:
            raise ValueError(f"\"scaling\" is missing {missing}") from None
        if shift.ndim != 1 or shift.shape != factor.shape:
            raise ValueError("\"scaling\" needs a shift and a factor per feature")
        if not (np.isfinite(shift).all() and np.isfinite(factor).all() and (factor > 0).all()):
            raise ValueError("\"scaling\": shifts must be finite and factors finite and positive")
        return cls(data["kind"], shift, factor)
