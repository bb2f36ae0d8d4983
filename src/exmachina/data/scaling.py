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
    def learn(cls, kind: str, inputs: np.ndarray, names: list[str] | None = None) -> Scaling | None:
        """The scaling of `kind` that suits these examples (None for `none`).

        A feature that never changes is shifted but not stretched: there is nothing to spread.
        Values too large for the arithmetic (a spread past 1e154 squares past the largest float) are
        measured in units of the largest; a feature that cannot be scaled even so is refused,
        named (`names`, else its number), since a model that holds an infinity could never be loaded.
        """
        if kind not in KINDS:
            raise ValueError(f"--scale {kind!r} is unknown; choose one of {', '.join(KINDS)}")
        if kind == "none":
            return None
        x = np.asarray(inputs, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            if kind == "standard":
                shift, factor = x.mean(axis=0), x.std(axis=0)
                huge = ~(np.isfinite(shift) & np.isfinite(factor))
                if huge.any():  # in units of each feature's largest value, then back
                    unit = np.abs(x[:, huge]).max(axis=0)
                    shift[huge], factor[huge] = (x[:, huge] / unit).mean(axis=0) * unit, \
                        (x[:, huge] / unit).std(axis=0) * unit
            else:
                shift, factor = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
            scaling = cls(kind, shift, np.where(factor > 0, factor, 1.0))
            scaled = (x - scaling.shift) / scaling.factor
        bad = ~np.isfinite(scaled).all(axis=0) | ~np.isfinite(scaling.factor) | ~np.isfinite(scaling.shift)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            name = repr(names[j]) if names else str(j + 1)
            raise ValueError(f"feature {name} runs from {x[:, j].min():g} to {x[:, j].max():g}: too large to scale "
                             f"({kind}) in floating point; divide the column by a power of ten, or use --scale none")
        return scaling

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        """The inputs scaled; a ValueError when one becomes too large for a float (so never fed as infinity)."""
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = (inputs - self.shift) / self.factor
        if not np.isfinite(scaled).all():
            example, column = np.argwhere(~np.isfinite(scaled))[0]
            raise ValueError(f"example {example}, column {column + 1}: {inputs[example, column]:g} is too large for "
                             "the model's scaling (it becomes infinite)")
        return scaled

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
