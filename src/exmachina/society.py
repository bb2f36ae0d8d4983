"""Building the society of processes that a blueprint describes, and reading its state back."""

from __future__ import annotations

import numpy as np

from .activations import activation
from .blueprint import Blueprint
from .feeder import Feeder
from .losses import loss
from .neuron import Neuron, Output, Sensor
from .runtime import LocalRuntime
from .teacher import Listener, Teacher

KIND = {"sensor": Sensor, "hidden": Neuron, "output": Output}


class Society:
    """Every neuron of a blueprint as its own process, with a feeder and a teacher, in one runtime.

    Addresses: neuron i of the blueprint lives at address i, the feeder at N and the teacher at
    N + 1. A neuron's dendrite slots follow the numbers of the neurons that feed it, and its axon
    follows the numbers of its targets, so the order of summation never depends on timing.
    """

    def __init__(
        self,
        blueprint: Blueprint,
        runtime: LocalRuntime,
        listener: Listener,
        learning_rate: float | None = None,
        in_flight: int = 1,
        noise: float = 0.0,
        seed: int = 0,
        batched: bool = False,
    ) -> None:
        self.blueprint = blueprint
        self.runtime = runtime
        n = blueprint.size
        feeder, teacher = n, n + 1
        sensors, outputs = blueprint.sensors.tolist(), blueprint.outputs.tolist()
        sources, targets = blueprint.sources, blueprint.targets
        # the axon of each neuron in order of target, its dendrites in order of source
        by_source = np.lexsort((targets, sources))
        by_target = np.lexsort((sources, targets))
        axon_start = np.searchsorted(sources[by_source], np.arange(n + 1))
        dendrite_start = np.searchsorted(targets[by_target], np.arange(n + 1))
        slot = np.empty(len(sources), dtype=np.int64)  # each synapse's slot at its target
        slot[by_target] = np.arange(len(sources)) - dendrite_start[targets[by_target]]
        index = np.empty(len(sources), dtype=np.int64)  # each synapse's place on its source's axon
        index[by_source] = np.arange(len(sources)) - axon_start[sources[by_source]]
        self.axons = [by_source[axon_start[i]:axon_start[i + 1]] for i in range(n)]

        dendrites: list[list] = [[] for _ in range(n)]
        for t, s, i in zip(*(a[by_target].tolist() for a in (targets, sources, index))):
            dendrites[t].append((s, i))
        for k, sensor in enumerate(sensors):
            dendrites[sensor] = [(feeder, k)]

        self.neurons = []
        for i, (kind, name) in enumerate(zip(blueprint.kinds, blueprint.activations)):
            synapses = self.axons[i]
            if kind == "output":
                axon, weights = [(teacher, outputs.index(i))], [1.0]
            else:
                axon = list(zip(targets[synapses].tolist(), slot[synapses].tolist()))
                weights = blueprint.weights[synapses].tolist()
            neuron = KIND[kind](
                i, runtime, activation(name), blueprint.biases[i], dendrites[i], axon, weights,
                learning_rate, noise, seed, batched,
            )
            runtime.spawn(neuron)
            self.neurons.append(neuron)
        self.feeder = Feeder(feeder, runtime, [(s, 0) for s in sensors], (teacher, len(outputs)), in_flight)
        runtime.spawn(self.feeder)
        self.teacher = Teacher(teacher, runtime, loss(blueprint.loss), [(o, 0) for o in outputs], listener)
        runtime.spawn(self.teacher)

    def set_learning_rate(self, rate: float) -> None:
        """Every neuron learns at this rate from the next example on (said between examples)."""
        for neuron in self.neurons:
            neuron.learning_rate = rate

    def state(self) -> Blueprint:
        """A copy of the blueprint with each neuron's current weights and bias."""
        learned = self.blueprint.copy()
        for i, neuron in enumerate(self.neurons):
            learned.biases[i] = neuron.bias
            if learned.kinds[i] != "output":
                learned.weights[self.axons[i]] = neuron.weights
        return learned
