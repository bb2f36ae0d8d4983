"""The matrix engine: the traditional layer-at-once approach, on the same blueprint.

It is the oracle the neuron society is tested against and the baseline it is measured against.
Each layer's incoming synapses become one dense matrix (absent synapses are held at zero by a
mask), and a whole layer, or a whole mini-batch, is one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..actors.activations import activation
from ..actors.losses import loss as find_loss
from .blueprint import Blueprint


@dataclass
class Pass:
    """What one forward and backward pass computed, one row per example, one column per neuron."""

    total_inputs: np.ndarray
    activities: np.ndarray
    errors: np.ndarray  # each neuron's delta (for a sensor: dLoss/dx)
    losses: np.ndarray
    outputs: np.ndarray


class MatrixEngine:
    """Forward and backward passes over a blueprint with NumPy matrix products."""

    def __init__(self, blueprint: Blueprint) -> None:
        self.blueprint = blueprint.copy()
        self.loss = find_loss(blueprint.loss)
        self.layers = blueprint.layers()
        self.bias = blueprint.biases.copy()
        self.learns_bias = np.asarray(blueprint.kinds) != "sensor"
        self.sources, self.weights, self.masks, self.synapses = [], [], [], []
        position = np.full(blueprint.size, -1)
        for layer in self.layers[1:]:
            incoming = np.flatnonzero(np.isin(blueprint.targets, layer))
            sources = np.unique(blueprint.sources[incoming])
            position[sources] = np.arange(len(sources))
            position[layer] = np.arange(len(layer))
            rows, columns = position[blueprint.sources[incoming]], position[blueprint.targets[incoming]]
            weights = np.zeros((len(sources), len(layer)))
            weights[rows, columns] = blueprint.weights[incoming]
            mask = np.zeros_like(weights)
            mask[rows, columns] = 1.0
            self.sources.append(sources)
            self.weights.append(weights)
            self.masks.append(mask)
            self.synapses.append((incoming, rows, columns))
        self.groups = [  # each layer's neurons by activation function
            [(np.flatnonzero(np.asarray(blueprint.activations)[layer] == name), activation(name))
             for name in sorted(set(np.asarray(blueprint.activations)[layer]))]
            for layer in self.layers
        ]

    def load(self, blueprint: Blueprint) -> MatrixEngine:
        """Take the weights and biases of `blueprint`, a later state of the same network (its synapses
        in the same order): what a new engine would compute, without working out its layers again."""
        self.bias[:] = blueprint.biases
        for weights, (incoming, rows, columns) in zip(self.weights, self.synapses):
            weights[rows, columns] = blueprint.weights[incoming]
        return self

    def forward(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Total inputs and activities of every neuron, for a batch of examples."""
        inputs = np.atleast_2d(np.asarray(inputs, dtype=float))
        z = np.zeros((len(inputs), self.blueprint.size))
        a = np.zeros_like(z)
        z[:, self.layers[0]] = inputs
        a[:, self.layers[0]] = inputs
        for layer, sources, weights, groups in zip(self.layers[1:], self.sources, self.weights, self.groups[1:]):
            z[:, layer] = a[:, sources] @ weights + self.bias[layer]
            for members, f in groups:
                a[:, layer[members]] = f.vector(z[:, layer[members]])
        return z, a

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """The output neurons' activities, one row per example."""
        return self.forward(inputs)[1][:, self.blueprint.outputs]

    def step(self, inputs: np.ndarray, desired: np.ndarray, learning_rate: float) -> Pass:
        """One step of gradient descent on the batch's mean gradient."""
        z, a = self.forward(inputs)
        outputs = a[:, self.blueprint.outputs]
        losses, output_errors = self.loss.measure(outputs.T, np.atleast_2d(desired).T)
        upstream = np.zeros_like(z)  # dLoss/da for every neuron
        upstream[:, self.blueprint.outputs] = output_errors.T
        delta = np.zeros_like(z)
        n = len(z)
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            for members, f in self.groups[i]:
                neurons = layer[members]
                delta[:, neurons] = f.vector_derivative(z[:, neurons], a[:, neurons]) * upstream[:, neurons]
            if i == 0:
                break
            sources, weights = self.sources[i - 1], self.weights[i - 1]
            upstream[:, sources] += delta[:, layer] @ weights.T
            weights -= learning_rate * (a[:, sources].T @ delta[:, layer] / n) * self.masks[i - 1]
        self.bias -= learning_rate * delta.mean(axis=0) * self.learns_bias
        return Pass(z, a, delta, losses, outputs)

    def state(self) -> Blueprint:
        """The blueprint with the weights and biases learned so far."""
        learned = self.blueprint.copy()
        learned.biases[:] = self.bias
        for weights, (incoming, rows, columns) in zip(self.weights, self.synapses):
            learned.weights[incoming] = weights[rows, columns]
        return learned
