"""Building the society of processes that a blueprint describes, and reading its state back."""

from __future__ import annotations

import numpy as np

from .activations import activation
from .blueprint import Blueprint
from .feeder import Feeder
from .losses import loss
from .neuron import Neuron, Output, Sensor
from .runtimes import LocalRuntime, Routes
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
        self._by_source, self._axon_start = by_source, axon_start

        # One int object per number, shared by every route that names it: with millions of
        # synapses, a fresh int per route would cost more than the routes themselves.
        fans = np.diff(axon_start).max(initial=0), np.diff(dendrite_start).max(initial=0)
        number = list(range(max(n + 2, *fans)))

        def shared(values: np.ndarray) -> list[int]:
            return list(map(number.__getitem__, values.tolist()))

        axon_receivers, axon_slots = shared(targets[by_source]), shared(slot[by_source])
        dendrite_senders, dendrite_slots = shared(sources[by_target]), shared(index[by_target])
        weights = blueprint.weights[by_source].tolist()
        output_slot = {o: k for k, o in enumerate(outputs)}
        sensor_slot = {s: k for k, s in enumerate(sensors)}

        self.neurons = []
        for i, (kind, name) in enumerate(zip(blueprint.kinds, blueprint.activations)):
            a, b = axon_start[i], axon_start[i + 1]
            c, d = dendrite_start[i], dendrite_start[i + 1]
            if kind == "output":
                axon, axon_weights = Routes([teacher], [number[output_slot[i]]]), [1.0]
            else:
                axon, axon_weights = Routes(axon_receivers[a:b], axon_slots[a:b]), weights[a:b]
            if kind == "sensor":
                dendrites = Routes([feeder], [number[sensor_slot[i]]])
            else:
                dendrites = Routes(dendrite_senders[c:d], dendrite_slots[c:d])
            neuron = KIND[kind](
                i, runtime, activation(name), blueprint.biases[i], dendrites, axon, axon_weights,
                learning_rate, noise, seed, batched,
            )
            runtime.spawn(neuron)
            self.neurons.append(neuron)
        self.feeder = Feeder(
            feeder, runtime, Routes(sensors, [0] * len(sensors)), Routes([teacher], [len(outputs)]), in_flight
        )
        runtime.spawn(self.feeder)
        self.teacher = Teacher(teacher, runtime, loss(blueprint.loss), Routes(outputs, [0] * len(outputs)), listener)
        runtime.spawn(self.teacher)

    def set_learning_rate(self, rate: float) -> None:
        """Every neuron learns at this rate from the next example on (said between examples)."""
        for neuron in self.neurons:
            neuron.learning_rate = rate

    def state(self) -> Blueprint:
        """A copy of the blueprint with each neuron's current weights and bias."""
        learned = self.blueprint.copy()
        start, order = self._axon_start, self._by_source
        for i, neuron in enumerate(self.neurons):
            learned.biases[i] = neuron.bias
            if learned.kinds[i] != "output":
                learned.weights[order[start[i]:start[i + 1]]] = neuron.weights
        return learned
