"""The neuron: a process that owns its bias and the weights on its axon, and learns from messages.

Its two handlers are the nine steps of the protocol. `on_activities` runs once the weighted
activities of every input have arrived (step 1) and fires (steps 2-4); `on_errors` runs once every
target has answered (step 5) and learns (steps 6-9). Between the two, the neuron remembers what it
needs for that example, keyed by the example's tag, so several examples can be in flight at once.

A signal is a float for one example, or a NumPy vector holding one value per example of a
mini-batch (see `signals`); the bias is always a float.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from .activations import Activation
from .runtimes.local import ACTIVITY, ERROR, LocalRuntime, Routes
from .signals import SCALARS, VECTORS


class Neuron:
    """A hidden neuron: bias at the dendrites, weighted synapses on the axon."""

    learns_bias = True
    learns_weights = True

    def __init__(
        self,
        address: int,
        runtime: LocalRuntime,
        activation: Activation,
        bias: float,
        dendrites: Routes,
        axon: Routes,
        weights: list[float],
        learning_rate: float | None = None,
        noise: float = 0.0,
        seed: int = 0,
        batched: bool = False,
    ) -> None:
        self.address = address
        self.runtime = runtime
        self.bias = float(bias)
        self.dendrites = dendrites  # who sends to us: where our error goes back to (step 7)
        self.axon = axon  # whom we send to, one route per outgoing synapse
        self.signals = VECTORS if batched else SCALARS
        # one weight per synapse of the axon
        self.weights = np.array(weights, dtype=float) if batched else [float(w) for w in weights]
        self.learning_rate = learning_rate  # None: this neuron only predicts
        self.fan_in, self.fan_out = len(dendrites), len(axon)
        self.f = activation.vector if batched else activation.scalar
        self.df = activation.vector_derivative if batched else activation.scalar_derivative
        # Gaussian noise on each weighted input sums to noise * sqrt(fan_in) on the total input.
        self.noise = noise * len(dendrites) ** 0.5
        self.random = random.Random(seed) if noise else None  # seed: this neuron's own
        self.memory: dict[Any, tuple] = {}  # per example in flight: what steps 6 and 8 need

    def on_activities(self, tag: Any, weighted_activities: list) -> None:
        """Steps 1-4: all inputs have sent their weighted activities; fire along the axon."""
        # 2. own activity: a = f(sum of weighted inputs + bias)
        total_input = self.signals.total(weighted_activities, self.bias)
        if self.noise and self.learning_rate is not None:
            total_input = total_input + self._noise(total_input)
        activity = self.f(total_input)
        if self.learning_rate is not None:
            # the weights as they are now, for step 6 (each update makes new weights)
            self.memory[tag] = (total_input, activity, self.weights)
        # 3. weight the activity for each outgoing synapse, 4. send them
        self.runtime.send(ACTIVITY, tag, self.axon, self.signals.weigh(activity, self.weights))

    def on_errors(self, tag: Any, errors: list) -> None:
        """Steps 5-9: every target has sent its error; pass ours back and learn."""
        total_input, activity, weights_then = self.memory.pop(tag)
        # 6. own error: delta = f'(z) * sum_j(delta_j * w_j), with the weights used in step 3
        error = self.signals.backpropagate(errors, weights_then, self.df(total_input, activity))
        # 7. send it back to every input
        self.runtime.send(ERROR, tag, self.dendrites, [error] * self.fan_in)
        # 8. the gradient of each outgoing weight is delta_j * a (its mean over a batch); 9. descend it
        if self.learns_weights:
            self.weights = self.signals.descend(self.weights, errors, activity, self.learning_rate)
        if self.learns_bias:
            self.bias -= self.learning_rate * self.signals.mean(error)

    def _noise(self, total_input):
        if type(total_input) is float:
            return self.random.gauss(0.0, self.noise)
        return np.array([self.random.gauss(0.0, self.noise) for _ in range(len(total_input))])


class Sensor(Neuron):
    """An input neuron: its activity is the input value itself; it owns the first layer's weights."""

    learns_bias = False


class Output(Neuron):
    """An output neuron: its axon is one fixed, unweighted line to the teacher."""

    learns_weights = False

