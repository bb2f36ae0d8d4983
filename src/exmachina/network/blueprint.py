"""The network's description as data: neurons, synapses, weights, biases (saved by `modelfile`).

Neurons are numbered so that every synapse goes from a lower number to a higher one, which makes
any wiring described here acyclic by construction. Sensors come first and outputs last.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..actors.activations import ACTIVATIONS
from ..actors.lines import CHUNK, counting_sort
from ..actors.losses import LOSSES
from ..actors.losses import loss as find_loss
from ..data.scaling import Scaling
from . import modelfile

KINDS = ("sensor", "hidden", "output")


@dataclass
class Blueprint:
    """Topology, activations, weights and biases: everything either engine needs to run a network."""

    kinds: list[str]
    activations: list[str]
    biases: np.ndarray
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    loss: str
    classes: list | None = None
    training: dict[str, Any] = field(default_factory=dict)
    scaling: Scaling | None = None  # applied to every input before the sensors see it
    features: list[str] | None = None  # the inputs' names, sensor by sensor (a CSV file's columns)
    label: str | None = None  # the name of the column of classes it learned from

    def __post_init__(self) -> None:
        self.biases = np.asarray(self.biases, dtype=float)
        self.sources = np.asarray(self.sources, dtype=np.int64)
        self.targets = np.asarray(self.targets, dtype=np.int64)
        self.weights = np.asarray(self.weights, dtype=float)
        self.validate()

    # -- what it describes -------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.kinds)

    @property
    def sensors(self) -> np.ndarray:
        return np.flatnonzero(np.asarray(self.kinds) == "sensor")

    @property
    def outputs(self) -> np.ndarray:
        return np.flatnonzero(np.asarray(self.kinds) == "output")

    def layers(self) -> list[np.ndarray]:
        """Neurons grouped by depth: sensors, then each neuron one step past its deepest input.

        Level by level from the sensors (Kahn's order): a neuron's depth is known once its last
        input's is, and each synapse is looked at once, so a network 40,000 layers deep costs what a
        wide one of as many synapses does (going over every synapse once per layer did not).
        """
        n = self.size
        order = counting_sort(self.sources, n, None)  # 32-bit, a chunk at a time: a few bytes a synapse
        onward = np.empty(len(order), dtype=np.int32)  # each synapse's target, grouped by its source
        for a in range(0, len(order), CHUNK):
            onward[a:a + CHUNK] = self.targets[order[a:a + CHUNK]]
        del order
        first = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.sources, minlength=n), out=first[1:])
        waiting = np.bincount(self.targets, minlength=n)  # inputs whose depth is not known yet
        depth = np.zeros(n, dtype=np.int64)
        ready = np.flatnonzero(waiting == 0)
        while len(ready):
            counts = first[ready + 1] - first[ready]
            total = int(counts.sum())
            if not total:
                break
            reached = onward[np.repeat(first[ready] - np.cumsum(counts) + counts, counts) + np.arange(total)]
            np.maximum.at(depth, reached, np.repeat(depth[ready] + 1, counts))
            np.subtract.at(waiting, reached, 1)
            ready = np.unique(reached[waiting[reached] == 0])
        depth[self.outputs] = depth.max()  # outputs all belong to the last layer
        ranked = np.argsort(depth, kind="stable")
        return np.split(ranked, np.flatnonzero(np.diff(depth[ranked])) + 1)

    def copy(self) -> Blueprint:
        """An independent copy of what learning changes; it skips validation, since this blueprint is
        already valid. The wiring (`sources`, `targets`), which nothing changes, is shared."""
        twin = copy.copy(self)
        twin.kinds, twin.activations = list(self.kinds), list(self.activations)
        for name in ("biases", "weights"):
            setattr(twin, name, getattr(self, name).copy())
        twin.classes = None if self.classes is None else list(self.classes)
        twin.features = None if self.features is None else list(self.features)
        twin.training = dict(self.training)
        return twin

    # -- checks --------------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise ValueError with what is wrong, so that neither engine ever meets a broken network."""
        n = self.size
        if len(self.activations) != n or len(self.biases) != n:
            raise ValueError(
                f"{n} neurons but {len(self.activations)} activations and {len(self.biases)} biases"
            )
        for i, (kind, name) in enumerate(zip(self.kinds, self.activations)):
            if kind not in KINDS:
                raise ValueError(f"neuron {i}: unknown kind {kind!r}; expected one of {KINDS}")
            if name not in ACTIVATIONS:
                raise ValueError(f"neuron {i}: unknown activation {name!r}")
        find_loss(self.loss)
        if not (len(self.sources) == len(self.targets) == len(self.weights)):
            raise ValueError("synapses need as many sources, targets and weights")
        if not (np.isfinite(self.weights).all() and np.isfinite(self.biases).all()):
            raise ValueError("weights and biases must be finite numbers")
        if len(self.sources):
            if self.sources.min() < 0 or self.targets.max() >= n:
                raise ValueError(f"a synapse names a neuron outside 0..{n - 1}")
            backwards = np.flatnonzero(self.sources >= self.targets)
            if len(backwards):
                i = backwards[0]
                raise ValueError(
                    f"synapse {self.sources[i]}->{self.targets[i]} does not go forward: "
                    "number the neurons so that every synapse goes to a higher number"
                )
            pairs = self.sources * n
            pairs += self.targets
            pairs.sort()  # in place: a hundred million synapses cost no second copy
            if (pairs[1:] == pairs[:-1]).any():
                raise ValueError("two synapses join the same pair of neurons")
        kinds = np.asarray(self.kinds)
        if not (kinds == "sensor").any() or not (kinds == "output").any():
            raise ValueError("a network needs at least one sensor and one output neuron")
        fan_in = np.bincount(self.targets, minlength=n)
        fan_out = np.bincount(self.sources, minlength=n)
        for i, kind in enumerate(self.kinds):
            if kind == "sensor" and fan_in[i]:
                raise ValueError(f"sensor {i} has incoming synapses")
            if kind == "sensor" and (self.biases[i] != 0 or self.activations[i] != "identity"):
                raise ValueError(f"sensor {i} has a bias or an activation: a sensor's activity is its input value")
            if kind != "sensor" and not fan_in[i]:
                raise ValueError(f"{kind} neuron {i} has no incoming synapse")
            if kind == "output" and fan_out[i]:
                raise ValueError(f"output neuron {i} has outgoing synapses")
            if kind != "output" and not fan_out[i]:
                raise ValueError(f"{kind} neuron {i} has no outgoing synapse")
        if self.loss == "cross_entropy" and len(self.outputs) < 2:
            raise ValueError("cross_entropy needs an output neuron per class; with one output use squared or mse")
        binary = len(self.outputs) == 1 and self.classes is not None and len(self.classes) == 2
        if self.classes is not None and len(self.classes) != len(self.outputs) and not binary:
            raise ValueError(f"{len(self.classes)} classes but {len(self.outputs)} output neurons")
        if self.features is not None and len(self.features) != len(self.sensors):
            raise ValueError(f"{len(self.features)} feature names but {len(self.sensors)} sensors")
        if self.scaling is not None and self.scaling.features != len(self.sensors):
            raise ValueError(f"the scaling has {self.scaling.features} features but the network "
                             f"{len(self.sensors)} sensors")

    # -- files ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The file's fields; the numbers stay NumPy arrays (`json.loads` of the file gives lists)."""
        return modelfile.fields_of(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Blueprint:
        """A blueprint from a model file's fields, every one checked."""
        return cls._from_fields(modelfile.checked(data))

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> Blueprint:
        return cls(
            kinds=fields["kind"], activations=fields["activation"], biases=fields["bias"],
            sources=fields["source"], targets=fields["target"], weights=fields["weight"],
            loss=fields["loss"], classes=fields["classes"], training=fields["training"],
            scaling=Scaling.from_dict(fields["scaling"]), features=fields["features"], label=fields["label"],
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write the network atomically (a crash mid-write leaves the previous file as it was): JSON,
        or NumPy's .npz when `path` ends in .npz. A diverged network is refused, not saved."""
        modelfile.save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Blueprint:
        """Read a saved network (JSON, or .npz by the extension); any problem is a one-line ValueError
        that names the file."""
        fields = modelfile.load(path)
        try:
            return cls._from_fields(fields)
        except ValueError as bad:
            raise ValueError(f"{path}: {bad}") from None


def layered(
    sizes: Sequence[int],
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "cross_entropy",
    seed: int | None = 0,
) -> Blueprint:
    """A fully connected network with layers of the given sizes, weights drawn at random (seeded).

    Weights are uniform in +-sqrt(6 / (fan_in + fan_out)) (Glorot), or +-sqrt(6 / fan_in) under
    ReLU (He), so that signals neither vanish nor explode; biases start at zero.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layers must be at least two positive sizes, got {sizes}")
    if output_activation is None:
        output_activation = LOSSES[loss].output_activation if loss in LOSSES else None
        output_activation = output_activation or activation
    rng = np.random.default_rng(seed)
    first = np.cumsum([0] + sizes)
    kinds, activations = [], []
    for layer, size in enumerate(sizes):
        if layer == 0:
            kinds += ["sensor"] * size
            activations += ["identity"] * size
        elif layer == len(sizes) - 1:
            kinds += ["output"] * size
            activations += [output_activation] * size
        else:
            kinds += ["hidden"] * size
            activations += [activation] * size
    # each layer's synapses written into arrays made once: a 3 M-synapse network peaks at its own size
    # plus one layer's random draw, not twice its size
    total = sum(a * b for a, b in zip(sizes, sizes[1:]))
    sources, targets, weights = np.empty(total, np.int64), np.empty(total, np.int64), np.empty(total)
    at = 0
    for layer in range(len(sizes) - 1):
        fan_in, fan_out = sizes[layer], sizes[layer + 1]
        relu = activation in ("relu", "leaky_relu")
        limit = np.sqrt(6.0 / fan_in) if relu else np.sqrt(6.0 / (fan_in + fan_out))
        span = slice(at, at + fan_in * fan_out)  # source-major: each source's synapses to every target
        sources[span].reshape(fan_in, fan_out)[:] = np.arange(first[layer], first[layer + 1])[:, None]
        targets[span].reshape(fan_in, fan_out)[:] = np.arange(first[layer + 1], first[layer + 2])
        weights[span] = rng.uniform(-limit, limit, fan_in * fan_out)
        at += fan_in * fan_out
    return Blueprint(kinds, activations, np.zeros(len(kinds)), sources, targets, weights, loss)
