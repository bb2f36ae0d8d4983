"""The matrix engine: the traditional layer-at-once approach, on the same blueprint.

It is the oracle the neuron society is tested against, and as lean as the NumPy loop one writes by
hand for a layered network (`bench/` times them side by side). Neurons are grouped by depth
(`Blueprint.layers`); each layer's incoming synapses become one dense matrix, a row per neuron and a
last column for the biases (absent synapses are held at zero by a mask), and a whole layer, for one
example or a mini-batch, is one matrix product. Each layer's activities are an array with a last
column of ones, so the layer it feeds adds its biases in the same product; a layer fed by the whole
of one layer reads that array as it is, any other wiring gathers its sources. The arrays are made
once per batch size and reused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..actors.activations import activation
from ..actors.losses import loss as find_loss
from .blueprint import Blueprint

KEPT_ROWS = 4096  # arrays for batches up to this size are kept for the next call; larger ones are not


@dataclass
class Pass:
    """What one forward and backward pass computed, one row per example, one column per neuron."""

    total_inputs: np.ndarray
    activities: np.ndarray
    errors: np.ndarray  # each neuron's delta (for a sensor: dLoss/dx)
    losses: np.ndarray
    outputs: np.ndarray


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The sigmoid to the bit as `activations` computes it (1/(1+e) from zero up, e/(1+e) below, with
    e = exp(-|z|), so that it never overflows), in fewer NumPy calls: the numerator is 1 or e."""
    e = np.exp(-np.abs(z))
    return np.where(np.signbit(z), e, 1.0) / (e + 1.0)


FASTER = {"sigmoid": sigmoid}  # the same numbers as an activation's vector form, sooner


@dataclass
class Layer:
    """The neurons at one depth: what feeds them, their weights, how their errors go back."""

    neurons: np.ndarray  # their numbers, in the order of their columns
    parts: list[tuple[int, np.ndarray, slice]]  # per layer of sources: that layer, its columns, their rows here
    whole: int | None  # the layer that feeds it, when one whole layer does, in order: its array is read as is
    weights: np.ndarray  # (neurons, sources + 1): a row per neuron, a column per source, the biases last
    mask: np.ndarray | None  # 1 where a synapse is; None when every source feeds every neuron
    synapses: tuple[np.ndarray, np.ndarray, np.ndarray]  # synapse numbers, their sources' and targets' places
    groups: list[tuple[slice | np.ndarray, Callable, Callable]]  # the neurons of each activation, its two forms
    alone: bool  # it feeds on one whole layer that feeds nothing else: it alone gives that layer its errors


class Arrays:
    """The arrays of one batch size: per layer its activities (a last column of ones), total inputs,
    errors (dLoss/da), deltas, gathered sources and weight steps."""

    def __init__(self, engine: MatrixEngine, rows: int, learning: bool) -> None:
        self.activities = [np.ones((rows, len(neurons) + 1)) for neurons in engine.layers]
        self.own = [a[:, :-1] for a in self.activities]
        self.total = [np.empty((rows, len(layer.neurons))) for layer in engine.hidden]
        self.fed = [self.activities[layer.whole] if layer.whole is not None
                    else np.ones((rows, layer.weights.shape[1])) for layer in engine.hidden]
        if learning:
            self.errors = [np.zeros((rows, len(neurons))) for neurons in engine.layers]
            self.delta = [np.empty((rows, len(layer.neurons))) for layer in engine.hidden]
            self.step = [np.empty_like(layer.weights) for layer in engine.hidden]


class MatrixEngine:
    """Forward and backward passes over a blueprint with NumPy matrix products."""

    def __init__(self, blueprint: Blueprint) -> None:
        self.blueprint = blueprint.copy()
        self.loss = find_loss(blueprint.loss)
        self.layers = blueprint.layers()  # the sensors first, in order, and the outputs, in order, last
        self.depth = np.empty(blueprint.size, dtype=np.int64)
        self.place = np.empty(blueprint.size, dtype=np.int64)  # each neuron's column in its layer's arrays
        for i, layer in enumerate(self.layers):
            self.depth[layer] = i
            self.place[layer] = np.arange(len(layer))
        target_depth = self.depth[blueprint.targets]
        reach = np.full(blueprint.size, len(self.layers)), np.full(blueprint.size, -1)  # nearest, farthest target
        np.minimum.at(reach[0], blueprint.sources, target_depth)
        np.maximum.at(reach[1], blueprint.sources, target_depth)
        by_depth = np.argsort(target_depth, kind="stable")  # each layer's incoming synapses, in their order
        cuts = np.searchsorted(target_depth[by_depth], np.arange(1, len(self.layers) + 1))
        self.hidden = [self._layer(i, by_depth[cuts[i - 1]:cuts[i]], reach) for i in range(1, len(self.layers))]
        self.accumulates = not all(layer.alone for layer in self.hidden)
        self.arrays: dict[tuple[int, bool], Arrays] = {}

    def _layer(self, i: int, incoming: np.ndarray, reach: tuple[np.ndarray, np.ndarray]) -> Layer:
        blueprint, neurons = self.blueprint, self.layers[i]
        sources = np.unique(blueprint.sources[incoming])
        sources = sources[np.lexsort((self.place[sources], self.depth[sources]))]  # layer by layer, in order
        row_of = np.empty(blueprint.size, dtype=np.int64)
        row_of[sources] = np.arange(len(sources))
        rows, columns = row_of[blueprint.sources[incoming]], self.place[blueprint.targets[incoming]]
        weights = np.zeros((len(neurons), len(sources) + 1))
        weights[columns, rows] = blueprint.weights[incoming]
        weights[:, -1] = blueprint.biases[neurons]
        mask = None
        if len(incoming) < len(sources) * len(neurons):
            mask = np.zeros_like(weights)
            mask[columns, rows] = 1.0
            mask[:, -1] = 1.0
        depths, starts = np.unique(self.depth[sources], return_index=True)
        ends = np.append(starts[1:], len(sources))
        parts = [(int(k), self.place[sources[start:end]], slice(int(start), int(end)))
                 for k, start, end in zip(depths, starts, ends)]
        k, columns_there = parts[0][:2]
        whole = k if len(parts) == 1 and np.array_equal(columns_there, np.arange(len(self.layers[k]))) else None
        names = np.asarray(blueprint.activations)[neurons]
        groups = [(np.flatnonzero(names == name), FASTER.get(name, activation(name).vector),
                   activation(name).vector_derivative) for name in sorted(set(names))]
        if len(groups) == 1:
            groups = [(slice(None), *groups[0][1:])]
        alone = whole is not None and bool((reach[0][sources] == i).all() and (reach[1][sources] == i).all())
        return Layer(neurons, parts, whole, weights, mask, (incoming, rows, columns), groups, alone)

    def _arrays(self, rows: int, learning: bool) -> Arrays:
        key = (rows, learning)
        found = self.arrays.get(key)
        if found is None:
            found = Arrays(self, rows, learning)
            if rows <= KEPT_ROWS:
                self.arrays[key] = found
        return found

    # -- passes ---------------------------------------------------------------------------------

    def _forward(self, inputs: np.ndarray, learning: bool) -> Arrays:
        arrays = self._arrays(len(inputs), learning)
        arrays.own[0][...] = inputs
        activities = arrays.activities
        for k, layer in enumerate(self.hidden):
            fed, z, own = arrays.fed[k], arrays.total[k], arrays.own[k + 1]
            if layer.whole is None:
                for there, columns, here in layer.parts:
                    fed[:, here] = activities[there][:, columns]
            np.dot(fed, layer.weights.T, z)
            for members, vector, _ in layer.groups:
                if members.__class__ is slice:
                    own[...] = vector(z)
                else:
                    own[:, members] = vector(z[:, members])
        return arrays

    def _backward(self, arrays: Arrays, error: np.ndarray, rate: float, sensors: bool) -> None:
        """Deltas from the output layer down, each layer's weights stepped once its errors are sent
        back (with the weights as they were on the way forward). The sensors' errors only if asked."""
        errors = arrays.errors
        if self.accumulates:
            for e in errors:
                e.fill(0.0)
        rows = len(error)
        step = rate / rows
        top = len(self.hidden) - 1
        for k in range(top, -1, -1):
            layer, z, own, delta = self.hidden[k], arrays.total[k], arrays.own[k + 1], arrays.delta[k]
            upstream = error if k == top else errors[k + 1]
            for members, _, derivative in layer.groups:
                if members.__class__ is slice:
                    np.multiply(derivative(z, own), upstream, delta)
                else:
                    delta[:, members] = derivative(z[:, members], own[:, members]) * upstream[:, members]
            if layer.alone:
                if layer.whole or sensors:
                    np.dot(delta, layer.weights[:, :-1], errors[layer.whole])
            elif any(there or sensors for there, _, _ in layer.parts):
                sent = np.dot(delta, layer.weights[:, :-1])
                for there, columns, here in layer.parts:
                    errors[there][:, columns] += sent[:, here]
            weight_step, fed = arrays.step[k], arrays.fed[k]
            if rows == 1:  # an outer product: each element one product, as a matrix product gives it
                np.multiply((delta * step).T, fed, weight_step)
            else:
                np.matmul((delta * step).T, fed, out=weight_step)
            if layer.mask is not None:
                weight_step *= layer.mask
            layer.weights -= weight_step

    def load(self, blueprint: Blueprint) -> MatrixEngine:
        """Take the weights and biases of `blueprint`, a later state of the same network (its synapses
        in the same order): what a new engine would compute, without working out its layers again."""
        for layer in self.hidden:
            incoming, rows, columns = layer.synapses
            layer.weights[columns, rows] = blueprint.weights[incoming]
            layer.weights[:, -1] = blueprint.biases[layer.neurons]
        return self

    def forward(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Total inputs and activities of every neuron, for a batch of examples."""
        inputs = np.atleast_2d(np.asarray(inputs, dtype=float))
        arrays = self._forward(inputs, learning=False)
        return self._every_neuron(inputs, arrays.total), self._every_neuron(inputs, arrays.own[1:])

    def _every_neuron(self, sensors: np.ndarray, per_layer: list[np.ndarray]) -> np.ndarray:
        found = np.zeros((len(sensors), self.blueprint.size))
        found[:, self.layers[0]] = sensors
        for layer, values in zip(self.hidden, per_layer):
            found[:, layer.neurons] = values
        return found

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """The output neurons' activities, one row per example."""
        inputs = np.atleast_2d(np.asarray(inputs, dtype=float))
        return self._forward(inputs, learning=False).own[-1].copy()

    def learn(self, inputs: np.ndarray, desired: np.ndarray, learning_rate: float, outputs: np.ndarray) -> None:
        """One step of gradient descent on the batch's mean gradient; `outputs` gets each example's
        outputs as they were before the step (what the loss is scored on)."""
        arrays = self._forward(inputs, learning=True)
        outputs[...] = arrays.own[-1]
        self._backward(arrays, self.loss.error(outputs.T, desired.T).T, learning_rate, sensors=False)

    def step(self, inputs: np.ndarray, desired: np.ndarray, learning_rate: float) -> Pass:
        """One step of gradient descent on the batch's mean gradient, with everything it computed."""
        inputs = np.atleast_2d(np.asarray(inputs, dtype=float))
        arrays = self._forward(inputs, learning=True)
        outputs = arrays.own[-1].copy()
        losses, error = self.loss.measure(outputs.T, np.atleast_2d(desired).T)
        z, a = self._every_neuron(inputs, arrays.total), self._every_neuron(inputs, arrays.own[1:])
        self._backward(arrays, error.T, learning_rate, sensors=True)
        return Pass(z, a, self._every_neuron(arrays.errors[0], arrays.delta), losses, outputs)

    def state(self) -> Blueprint:
        """The blueprint with the weights and biases learned so far."""
        learned = self.blueprint.copy()
        for layer in self.hidden:
            incoming, rows, columns = layer.synapses
            learned.weights[incoming] = layer.weights[columns, rows]
            learned.biases[layer.neurons] = layer.weights[:, -1]
        return learned
