"""The floor of CPython: a plain synchronous object graph, one Python method call per synapse.

No messages, no mailboxes, no scheduler: Neuron and Synapse objects that call each other. It runs
the same stochastic gradient descent as the two engines, from the same blueprint (same initial
weights, same order of examples drawn from the same seed), so its speed is what "one object per
neuron" costs without any of the actor machinery, and its weights can be checked against the matrix
engine's to prove that it does the same work.

Neurons are numbered so that every synapse goes forward, so visiting them in order is a valid
forward pass and visiting them in reverse a valid backward pass. Sums run in the same order as the
actors' (inputs by source, errors by target), so with one example at a time the results agree to the
last bit wherever the arithmetic does.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from exmachina.actors.activations import activation
from exmachina.network.blueprint import Blueprint


class Synapse:
    """A weighted connection; it carries an activity forward and pulls an error back."""

    __slots__ = ("source", "target", "weight", "gradient")

    def __init__(self, source: Neuron, target: Neuron, weight: float) -> None:
        self.source, self.target, self.weight, self.gradient = source, target, weight, 0.0

    def forward(self, activity: float) -> None:
        self.target.total_input += self.weight * activity

    def backward(self, activity: float, rate: float) -> float:
        """Online SGD: the weighted error for the source, then the weight's own update."""
        error = self.target.error
        weighted = error * self.weight
        self.weight -= rate * (error * activity)
        return weighted

    def backward_batched(self, activity: float) -> float:
        """Mini-batch SGD: the weighted error for the source; the gradient waits for the batch's end."""
        error = self.target.error
        self.gradient += error * activity
        return error * self.weight

    def update(self, rate: float, examples: int) -> None:
        self.weight -= rate * (self.gradient / examples)
        self.gradient = 0.0


class Neuron:
    """Bias, activation and the synapses of its axon; remembers one example at a time."""

    __slots__ = ("bias", "f", "df", "axon", "learns_bias", "total_input", "activity", "error",
                 "bias_gradient")

    def __init__(self, bias: float, name: str, learns_bias: bool) -> None:
        function = activation(name)
        self.bias, self.f, self.df = bias, function.scalar, function.scalar_derivative
        self.axon: list[Synapse] = []
        self.learns_bias = learns_bias
        self.total_input = self.activity = self.error = self.bias_gradient = 0.0

    def fire(self) -> None:
        activity = self.activity = self.f(self.total_input)
        for synapse in self.axon:
            synapse.forward(activity)

    def learn(self, rate: float) -> None:
        activity, upstream = self.activity, 0
        for synapse in self.axon:
            upstream += synapse.backward(activity, rate)
        self.settle(upstream)
        if self.learns_bias:
            self.bias -= rate * self.error

    def learn_batched(self) -> None:
        activity, upstream = self.activity, 0
        for synapse in self.axon:
            upstream += synapse.backward_batched(activity)
        self.settle(upstream)
        self.bias_gradient += self.error

    def settle(self, upstream: float) -> None:
        """The neuron's own error `delta = f'(z) * sum_j(delta_j * w_j)`; outputs get dLoss/da instead."""
        if self.axon:
            self.error = self.df(self.total_input, self.activity) * upstream
        else:
            self.error = self.df(self.total_input, self.activity) * self.error


class ObjectGraph:
    """A blueprint as Neuron and Synapse objects, trained synchronously."""

    def __init__(self, blueprint: Blueprint) -> None:
        if blueprint.loss not in ("squared", "cross_entropy"):
            raise ValueError(f"the object graph knows the squared and cross_entropy losses, not {blueprint.loss!r}")
        self.blueprint = blueprint.copy()
        self.neurons = [
            Neuron(float(b), name, kind != "sensor")
            for b, name, kind in zip(blueprint.biases.tolist(), blueprint.activations, blueprint.kinds)
        ]
        order = np.lexsort((blueprint.targets, blueprint.sources))  # each axon in order of target
        self.synapses = []
        for s, t, w in zip(*(a[order].tolist() for a in (blueprint.sources, blueprint.targets, blueprint.weights))):
            synapse = Synapse(self.neurons[s], self.neurons[t], w)
            self.neurons[s].axon.append(synapse)
            self.synapses.append(synapse)
        self.order = order
        self.sensors = [self.neurons[i] for i in blueprint.sensors.tolist()]
        self.outputs = [self.neurons[i] for i in blueprint.outputs.tolist()]
        self.softmax = blueprint.loss == "cross_entropy"

    def forward(self, inputs: list[float]) -> list[float]:
        for neuron in self.neurons:
            neuron.total_input = neuron.bias
        for sensor, value in zip(self.sensors, inputs):
            sensor.total_input += value
        for neuron in self.neurons:
            neuron.fire()
        return [output.activity for output in self.outputs]

    def teach(self, outputs: list[float], desired: list[float]) -> float:
        """Give each output neuron dLoss/da; return the example's loss."""
        if self.softmax:
            top = max(outputs)
            exps = [math.exp(o - top) for o in outputs]
            total = sum(exps)
            loss = -sum(d * (o - top - math.log(total)) for o, d in zip(outputs, desired))
            for neuron, e, d in zip(self.outputs, exps, desired):
                neuron.error = e / total - d
            return loss
        loss = 0.0
        for neuron, o, d in zip(self.outputs, outputs, desired):
            neuron.error = o - d
            loss += (o - d) * (o - d)
        return 0.5 * loss

    def fit(
        self, inputs: np.ndarray, desired: np.ndarray, epochs: int = 1, learning_rate: float = 0.1,
        batch_size: int = 1, seed: int = 0,
    ) -> list[dict[str, Any]]:
        """SGD over the examples in the order `Network.fit` draws from `seed`; one dict per pass."""
        order_random = np.random.default_rng(seed)
        backwards = self.neurons[::-1]
        history = []
        for epoch in range(1, epochs + 1):
            order = order_random.permutation(len(inputs))
            started = time.perf_counter()
            x, y = inputs[order].tolist(), desired[order].tolist()
            loss = 0.0
            for start in range(0, len(x), batch_size):
                examples = range(start, min(start + batch_size, len(x)))
                for n in examples:
                    loss += self.teach(self.forward(x[n]), y[n])
                    if batch_size == 1:
                        for neuron in backwards:
                            neuron.learn(learning_rate)
                    else:
                        for neuron in backwards:
                            neuron.learn_batched()
                if batch_size > 1:
                    self._update(learning_rate, len(examples))
            seconds = time.perf_counter() - started
            history.append({
                "epoch": epoch, "loss": loss / len(x), "examples": len(x), "seconds": seconds,
                "examples_per_second": len(x) / max(seconds, 1e-9),
            })
        return history

    def _update(self, rate: float, examples: int) -> None:
        for synapse in self.synapses:
            synapse.update(rate, examples)
        for neuron in self.neurons:
            if neuron.learns_bias:
                neuron.bias -= rate * (neuron.bias_gradient / examples)
            neuron.bias_gradient = 0.0

    def state(self) -> Blueprint:
        """The blueprint with the weights and biases learned so far."""
        learned = self.blueprint.copy()
        learned.biases[:] = [neuron.bias for neuron in self.neurons]
        learned.weights[self.order] = [synapse.weight for synapse in self.synapses]
        return learned
