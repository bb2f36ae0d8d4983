"""The pictures of a network over a 2-D input plane, at TensorFlow Playground's level.

Each neuron's activity over the plane (drawn inside its node), and the output's confidence at
100x100 points beside the network with the training and test points. Every picture is on one fixed
diverging scale: -1 orange, 0 white, +1 blue, whatever the frame, so that a map that grows is seen
to grow. The activities come from the matrix engine, which computes exactly what the neurons do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..network.examples import decode
from ..network.matrix import MatrixEngine

SIDE = 100  # the output's confidence: SIDE x SIDE points
NODE_SIDE = 32  # each neuron's map: NODE_SIDE x NODE_SIDE points
POINTS = 300  # training points drawn, at most (and as many test points)


def on_scale(values: np.ndarray) -> np.ndarray:
    """Values on the fixed scale as bytes: -1 -> 0, 0 -> 128, +1 -> 255 (beyond: clipped)."""
    return np.rint(128 + 127 * np.clip(values, -1, 1)).astype(np.uint8)


def grid(extent: list[float], side: int) -> np.ndarray:
    """The centres of side x side cells over the extent, the top row first (as an image)."""
    x0, x1, y0, y1 = extent
    xs = x0 + (np.arange(side) + 0.5) * (x1 - x0) / side
    ys = y1 - (np.arange(side) + 0.5) * (y1 - y0) / side
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def confidence(outputs: np.ndarray, loss: str) -> np.ndarray:
    """How sure the network is, -1..1: the second class's probability minus the first's (two outputs),
    or 2a - 1 for one output; with more classes, the winning class's probability."""
    if loss == "cross_entropy" and outputs.shape[1] > 1:  # the teacher's softmax
        shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        outputs = shifted / shifted.sum(axis=1, keepdims=True)
    if outputs.shape[1] == 1:
        return 2 * outputs[:, 0] - 1
    if outputs.shape[1] == 2:
        return outputs[:, 1] - outputs[:, 0]
    return outputs.max(axis=1)


class Plane:
    """The plane's extent, its grids and points, and each snapshot's maps."""

    def __init__(self, x: np.ndarray, classes: np.ndarray | None, held_out: tuple | None, seed: int = 0) -> None:
        (x0, y0), (x1, y1) = x.min(axis=0), x.max(axis=0)
        pad_x, pad_y = 0.1 * (x1 - x0 or 1.0), 0.1 * (y1 - y0 or 1.0)
        self.extent = [float(x0 - pad_x), float(x1 + pad_x), float(y0 - pad_y), float(y1 + pad_y)]
        self.fine, self.coarse = grid(self.extent, SIDE), grid(self.extent, NODE_SIDE)
        shown = np.random.default_rng(seed).permutation(len(x))[:POINTS]
        self.points = [[int(i), float(x[i, 0]), float(x[i, 1]), None if classes is None else int(classes[i])]
                       for i in shown]
        self.test_points = []
        # where the points are, and their classes, for telling which the network gets wrong
        self._shown = (x[shown], None if classes is None else np.asarray(classes)[shown])
        self._held = (np.empty((0, 2)), None)
        if held_out is not None:
            held_x, held_classes = held_out
            count = min(POINTS, len(held_x))
            self.test_points = [[float(held_x[i, 0]), float(held_x[i, 1]),
                                 None if held_classes is None else int(held_classes[i])]
                                for i in range(count)]
            self._held = (held_x[:count], None if held_classes is None else np.asarray(held_classes)[:count])

    def skeleton(self) -> dict[str, Any]:
        return {"extent": self.extent, "side": SIDE, "node_side": NODE_SIDE, "points": self.points,
                "test_points": self.test_points}

    def frame(self, engine: MatrixEngine) -> dict[str, Any]:
        """Each neuron's map (sensors' too) and the output's confidence, as bytes on the fixed scale, and
        which of the points drawn the network gets wrong (a byte each, 1 for wrong), `engine` holding
        the snapshot's weights."""
        _, coarse = engine.forward(self.coarse)
        fine = engine.predict(self.fine)
        decided = fine.argmax(axis=1) if fine.shape[1] > 2 else None
        return {"maps": on_scale(coarse.T).tobytes(),
                "confidence": on_scale(confidence(fine, engine.loss.name)).tobytes(),
                "decision": None if decided is None else decided.astype(np.uint8).tobytes(),
                "wrong": self._wrong(engine, *self._shown), "test_wrong": self._wrong(engine, *self._held)}

    @staticmethod
    def _wrong(engine: MatrixEngine, x: np.ndarray, classes: np.ndarray | None) -> bytes | None:
        if classes is None:
            return None
        if not len(x):
            return b""
        return (decode(engine.predict(x)) != classes).astype(np.uint8).tobytes()
