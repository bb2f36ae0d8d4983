"""Checking what users hand the network, and turning labels into desired outputs and back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def check_inputs(inputs: Any, sensors: int) -> np.ndarray:
    """Inputs as a float array (examples, sensors), or a ValueError naming the bad example and column."""
    try:
        array = np.asarray(inputs, dtype=float)
    except (TypeError, ValueError) as bad:
        raise ValueError(f"inputs must be numbers: {bad}") from None
    if array.ndim == 1 and sensors == len(array) and array.size:
        array = array[None, :]
    if array.ndim != 2:
        raise ValueError(f"inputs must be a table (examples, {sensors}), got shape {array.shape}")
    if array.shape[1] != sensors:
        raise ValueError(f"inputs have {array.shape[1]} columns but the network has {sensors} sensors")
    if len(array) == 0:
        raise ValueError("no examples given")
    _check_finite(array, "inputs")
    return array


def _check_finite(array: np.ndarray, what: str) -> None:
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        example, column = bad[0]
        raise ValueError(f"{what}: example {example}, column {column} is {array[example, column]}")


def classes_of(labels: Sequence, outputs: int) -> list:
    """The classes a new classifier learns: 0..outputs-1 for small integer labels, else the sorted labels."""
    values = np.asarray(labels)
    if values.dtype.kind in "iu" and len(values) and values.min() >= 0 and values.max() < max(outputs, 2):
        return list(range(max(outputs, 2)))
    classes = sorted(set(values.tolist()), key=lambda c: (str(type(c)), c))
    if len(classes) != outputs and not (outputs == 1 and len(classes) == 2):
        raise ValueError(f"{len(classes)} classes in the labels but the network has {outputs} output neurons")
    return classes


def encode(labels: Sequence, classes: list, outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """Each label's class index, and desired outputs: one-hot, or the index itself for one output."""
    lookup = {c: i for i, c in enumerate(classes)}
    index = np.empty(len(labels), dtype=np.int64)
    for n, label in enumerate(np.asarray(labels).tolist()):
        try:
            index[n] = lookup[label]
        except KeyError:
            raise ValueError(f"label {label!r} of example {n} is not one of the classes {classes}") from None
    if outputs == 1:
        return index, index[:, None].astype(float)
    return index, np.eye(outputs)[index]


def decode(outputs: np.ndarray) -> np.ndarray:
    """The class index each row of outputs points to (one output: above or below 0.5)."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0.5).astype(np.int64)
    return outputs.argmax(axis=1)


def probabilities(outputs: np.ndarray, loss: str) -> np.ndarray:
    """Each class's probability, one row per example: the softmax of the outputs under cross_entropy
    (as the teacher computes it), else the outputs made to sum to one; one output is P(second class)."""
    if outputs.shape[1] == 1:
        p = np.clip(outputs[:, 0], 0.0, 1.0)
        return np.column_stack([1.0 - p, p])
    if loss == "cross_entropy":
        outputs = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    outputs = np.clip(outputs, 0.0, None)
    total = outputs.sum(axis=1, keepdims=True)
    return np.where(total > 0, outputs / np.where(total > 0, total, 1.0), 1.0 / outputs.shape[1])


def check_targets(targets: Any, examples: int, outputs: int) -> np.ndarray:
    """Real-valued desired outputs (examples, outputs), or a ValueError saying what does not fit."""
    try:
        array = np.asarray(targets, dtype=float)
    except (TypeError, ValueError) as bad:
        raise ValueError(f"targets must be numbers: {bad}") from None
    if array.shape != (examples, outputs):
        raise ValueError(f"targets must have shape ({examples}, {outputs}), got {array.shape}")
    _check_finite(array, "targets")
    return array
