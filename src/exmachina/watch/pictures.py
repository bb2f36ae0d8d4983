"""What the page draws, computed from a snapshot of the weights: numbers ready to be painted.

Everything here reads a copy of the network (a `Blueprint` taken between two examples), so the
pictures cost the training nothing but that copy. The examples shown as current and recent are the
ones the teacher just scored, with the outputs it saw; the hidden activities of the current one, and
activities over a data set, come from the matrix engine, which computes exactly what the neurons
compute (the messages of one example come from the tracer: `messages.py`).
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from ..actors.losses import loss as find_loss
from ..network.blueprint import Blueprint
from ..network.examples import check_inputs, classes_of, decode, encode
from ..network.matrix import MatrixEngine
from .plane import Plane

HELD_OUT_LIMIT = 1000  # held-out examples scored per picture
# NumPy's BLAS runs the pictures' matrix products on one thread: its helper threads spin while they wait,
# on the other core, the one the training needs (they doubled the CPU a plane's maps cost)
BLAS = ThreadpoolController()
IMAGE_SIDES = {64: 8, 256: 16, 784: 28}  # digits, Semeion, MNIST


def bytes64(values: np.ndarray) -> str:
    """Numbers in 0..255 as base64 text: a compact way to ship pictures in JSON."""
    return base64.b64encode(np.clip(np.rint(values), 0, 255).astype(np.uint8).tobytes()).decode("ascii")


def floats64(values: np.ndarray) -> str:
    """Floats as base64 text of little-endian float64: every bit of a weight, compactly."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def number(value: Any) -> float | None:
    """A float JSON can carry (None for NaN or infinity)."""
    value = float(value)
    return value if math.isfinite(value) else None


class Pictures:
    """The data set, the way it is drawn, and the pictures of one snapshot of the network."""

    def __init__(self, blueprint: Blueprint, inputs: Any, targets: Any, held_out: tuple | None = None,
                 shape: tuple[int, int] | None = None, seed: int = 0) -> None:
        scaled = blueprint.scaling or (lambda x: x)  # the inputs as the sensors receive them
        self.x = scaled(check_inputs(inputs, len(blueprint.sensors)))
        self.targets = np.asarray(targets)
        if len(self.targets) != len(self.x):
            raise ValueError(f"{len(self.targets)} targets for {len(self.x)} examples")
        self.labelled = self.targets.ndim == 1
        self.held_out = None
        if held_out is not None:
            held_x, held_y = held_out
            held_x = scaled(check_inputs(held_x, len(blueprint.sensors))[:HELD_OUT_LIMIT])
            self.held_out = (held_x, np.asarray(held_y)[:HELD_OUT_LIMIT])
        sensors = len(blueprint.sensors)
        if shape is None and sensors in IMAGE_SIDES:
            shape = (IMAGE_SIDES[sensors], IMAGE_SIDES[sensors])
        if shape is not None and shape[0] * shape[1] != sensors:
            raise ValueError(f"an image of {shape[0]}x{shape[1]} pixels needs {shape[0] * shape[1]} sensors, "
                             f"the network has {sensors}")
        self.shape = shape
        self.kind = "image" if shape else "plane" if sensors == 2 else "table"
        self.random = np.random.default_rng(seed)
        self.low, self.high = float(self.x.min()), float(self.x.max())
        self.layers = [layer.tolist() for layer in blueprint.layers()]
        self.layer_of = np.zeros(blueprint.size, dtype=np.int64)
        for depth, layer in enumerate(self.layers):
            self.layer_of[layer] = depth
        self.first_hidden = self._first_hidden(blueprint)
        self._images = self._image_places(blueprint)
        self._engine = (blueprint, MatrixEngine(blueprint))  # the snapshot it holds, and the engine
        self.plane = None
        self._plane: tuple[Any, dict] = (None, {})  # the snapshot last mapped, and its maps
        if self.kind == "plane":
            classes = self._class_index(self.targets, blueprint) if self.labelled else None
            held = None if self.held_out is None else (self.held_out[0], self._class_index(self.held_out[1], blueprint))
            self.plane = Plane(self.x, classes, held, seed)

    # -- what does not change: the network's drawing and the data ----------------------------------

    def _first_hidden(self, blueprint: Blueprint) -> list[int]:
        """The neurons whose incoming weights are all from sensors: these can be drawn as images."""
        if self.kind != "image":
            return []
        sensor = np.asarray(blueprint.kinds) == "sensor"
        hidden = [i for i in range(blueprint.size) if blueprint.kinds[i] == "hidden"]
        return [i for i in hidden if sensor[blueprint.sources[blueprint.targets == i]].all()][:100]

    def _image_places(self, blueprint: Blueprint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where each first-layer hidden neuron's incoming weights go in its image: (synapses, rows, pixels)."""
        position = np.full(blueprint.size, -1)
        position[blueprint.sensors] = np.arange(len(blueprint.sensors))
        row = {n: k for k, n in enumerate(self.first_hidden)}
        incoming = np.flatnonzero(np.isin(blueprint.targets, self.first_hidden))
        rows = np.array([row[t] for t in blueprint.targets[incoming].tolist()], dtype=np.int64)
        return incoming, rows, position[blueprint.sources[incoming]]

    def engine(self, blueprint: Blueprint) -> MatrixEngine:
        """The matrix engine on this snapshot's weights: one engine for the run, its layers worked out
        once, handed each new snapshot's weights (a frame's pictures cost the training the GIL)."""
        if self._engine[0] is not blueprint:
            self._engine = (blueprint, self._engine[1].load(blueprint))
        return self._engine[1]

    def network(self, blueprint: Blueprint) -> dict[str, Any]:
        """The drawing's skeleton, sent once: layers, neurons, every synapse, the data's kind."""
        data: dict[str, Any] = {"kind": self.kind, "examples": len(self.x), "labelled": self.labelled,
                                "held_out": None if self.held_out is None else len(self.held_out[0])}
        if self.kind == "image":
            data["shape"] = list(self.shape)
            data["images_of"] = self.first_hidden
        if self.plane is not None:
            data.update(self.plane.skeleton())
        return {
            "neurons": blueprint.size,
            "kinds": list(blueprint.kinds),
            "activations": list(blueprint.activations),
            "layers": self.layers,
            "synapses": len(blueprint.sources),
            "sources": blueprint.sources.tolist(),
            "targets": blueprint.targets.tolist(),
            "loss": blueprint.loss,
            "classes": None if self.classes(blueprint) is None else [str(c) for c in self.classes(blueprint)],
            "data": data,
        }

    def classes(self, blueprint: Blueprint) -> list | None:
        if not self.labelled:
            return None
        if blueprint.classes is not None:
            return blueprint.classes
        return classes_of(self.targets, len(blueprint.outputs))  # as `fit` will settle them

    def _class_index(self, labels: np.ndarray, blueprint: Blueprint) -> np.ndarray | None:
        try:
            return encode(labels, self.classes(blueprint), len(blueprint.outputs))[0]
        except ValueError:
            return None

    # -- what changes: one snapshot's pictures -------------------------------------------------------

    def frame(self, blueprint: Blueprint, scored: list[tuple[int, np.ndarray]]) -> dict[str, Any]:
        """Weights, held-out score, pictures, and the examples just scored (`scored`, newest first).

        The newest is the current example: its outputs are the ones the teacher saw, its hidden
        activities are recomputed from the snapshot. Nothing scored yet: no current example.
        """
        with BLAS.limit(limits=1, user_api="blas"):
            return self._frame(blueprint, scored)

    def _frame(self, blueprint: Blueprint, scored: list[tuple[int, np.ndarray]]) -> dict[str, Any]:
        engine = self.engine(blueprint)
        recent = self._predictions(scored, blueprint)
        activities = None
        if scored:
            index, outputs = scored[0]
            activities = engine.forward(self.x[index][None, :])[1][0]
            activities[blueprint.outputs] = outputs
        frame: dict[str, Any] = {
            "activities": None if activities is None else [number(a) for a in activities],
            "weights": floats64(blueprint.weights),  # every synapse's, drawn on one absolute scale
            "biases": floats64(blueprint.biases),
            "example": recent[0] if recent else None,
            "recent": recent,
        }
        if self.kind == "image" and self.first_hidden:
            frame["images"] = self._weight_images(blueprint)
        if self.plane is not None:
            if self._plane[0] is not blueprint:  # the maps change with the weights only: once a snapshot
                self._plane = (blueprint, {key: None if value is None else base64.b64encode(value).decode("ascii")
                                           for key, value in self.plane.frame(engine).items()})
            frame.update(self._plane[1])
        return frame

    def _predictions(self, scored: list[tuple[int, np.ndarray]], blueprint: Blueprint) -> list[dict[str, Any]]:
        """The scored examples: each one's label, the class its outputs point to, right or wrong, its pixels."""
        if not scored:
            return []
        indices = [index for index, _ in scored]
        seen: list[dict[str, Any]] = [{"index": i, "label": None, "guess": None, "right": None} for i in indices]
        classes = self.classes(blueprint)
        if classes is not None:
            guesses = decode(np.array([outputs for _, outputs in scored])).tolist()
            for one, guess, label in zip(seen, guesses, self.targets[indices].tolist()):
                guess = classes[guess]
                one.update(label=str(label), guess=str(guess), right=bool(guess == label))
        if self.kind == "image":
            span = (self.high - self.low) or 1.0
            for one, pixels in zip(seen, (self.x[indices] - self.low) / span * 255):
                one["pixels"] = bytes64(pixels)
        return seen

    def held_out_score(self, blueprint: Blueprint) -> dict[str, Any] | None:
        """Accuracy and mean loss on the held-out examples (None if there are none or they do not fit)."""
        if self.held_out is None:
            return None
        x, targets = self.held_out
        with BLAS.limit(limits=1, user_api="blas"):
            outputs = self.engine(blueprint).predict(x)
        if targets.ndim == 1:
            classes = self.classes(blueprint)
            try:
                index, desired = encode(targets, classes, len(blueprint.outputs))
            except ValueError:
                return None
            accuracy = number(np.mean(decode(outputs) == index))
        else:
            desired, accuracy = targets.reshape(len(x), -1).astype(float), None
        losses, _ = find_loss(blueprint.loss).measure(outputs.T, desired.T)
        return {"accuracy": accuracy, "loss": number(np.mean(losses))}

    def _weight_images(self, blueprint: Blueprint) -> dict[str, Any]:
        """Each first-layer hidden neuron's incoming weights as a grey image (mid grey is zero)."""
        incoming, rows, pixels = self._images
        images = np.zeros((len(self.first_hidden), len(blueprint.sensors)))
        images[rows, pixels] = blueprint.weights[incoming]
        scale = np.abs(images).max(axis=1, keepdims=True)
        scale[scale == 0] = 1.0
        return {"neurons": self.first_hidden, "pixels": bytes64(127.5 + 127.5 * images / scale)}
