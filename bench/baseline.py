"""What a user would write instead of the actors: a lean NumPy SGD loop, one thread.

`learn` is the loop a NumPy user writes for a layered sigmoid network with squared error: a matrix
product per layer, online or in mini-batches, about fifteen lines. It starts from a blueprint's
weights (`layers_of`) and sees the examples in the order `Network.fit` draws, so its learned
weights can be checked against the actors' (`into`): they agree to about 1e-15, not to the bit,
because NumPy adds up each dot product in its own order and this sigmoid is the one-line formula.
"""

from __future__ import annotations

import numpy as np

from exmachina.network.blueprint import Blueprint

Layers = list[tuple[np.ndarray, np.ndarray]]  # per layer: weights (inputs, outputs) and biases


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def learn(layers: Layers, x: np.ndarray, desired: np.ndarray, rate: float, batch_size: int) -> np.ndarray:
    """One pass of SGD over (x, desired) in the order given, the layers changed in place; the outputs
    of each example as the network gave them (before its step), for scoring."""
    outputs = np.empty((len(x), desired.shape[1]))
    for start in range(0, len(x), batch_size):
        a = [x[start:start + batch_size]]
        for w, b in layers:
            a.append(sigmoid(a[-1] @ w + b))
        out = outputs[start:start + batch_size] = a[-1]
        delta = out * (1.0 - out) * (out - desired[start:start + batch_size])
        step = rate / len(out)
        for k in range(len(layers) - 1, -1, -1):
            w, b = layers[k]
            back = delta @ w.T if k else None  # through the weights as they were on the way forward
            w -= step * (a[k].T @ delta)
            b -= step * delta.sum(axis=0)
            if k:
                delta = a[k] * (1.0 - a[k]) * back
    return outputs


def layers_of(blueprint: Blueprint) -> Layers:
    """A fully connected layered blueprint (sigmoid, squared error) as weight matrices and biases."""
    learning = [f for f, kind in zip(blueprint.activations, blueprint.kinds) if kind != "sensor"]
    if blueprint.loss != "squared" or set(learning) != {"sigmoid"}:
        raise ValueError("the lean loop knows sigmoid neurons with the squared loss only")
    groups = blueprint.layers()
    layers = []
    for before, after in zip(groups, groups[1:]):
        w = np.zeros((len(before), len(after)))
        if len(blueprint.weights) and not _fully_connected(blueprint, before, after):
            raise ValueError("the lean loop knows fully connected layers only")
        into = np.isin(blueprint.targets, after)
        w[blueprint.sources[into] - before[0], blueprint.targets[into] - after[0]] = blueprint.weights[into]
        layers.append((w, blueprint.biases[after].copy()))
    return layers


def _fully_connected(blueprint: Blueprint, before: np.ndarray, after: np.ndarray) -> bool:
    into = np.isin(blueprint.targets, after)
    contiguous = all(np.array_equal(g, np.arange(g[0], g[0] + len(g))) for g in (before, after))
    return contiguous and into.sum() == len(before) * len(after) and np.isin(blueprint.sources[into], before).all()


def into(blueprint: Blueprint, layers: Layers) -> Blueprint:
    """The blueprint with the weights and biases of `layers`."""
    learned = blueprint.copy()
    groups = blueprint.layers()
    for (w, b), before, after in zip(layers, groups, groups[1:]):
        into = np.isin(blueprint.targets, after)
        learned.weights[into] = w[blueprint.sources[into] - before[0], blueprint.targets[into] - after[0]]
        learned.biases[after] = b
    return learned
