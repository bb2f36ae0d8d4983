"""Building the society of processes that a blueprint describes, and reading its state back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .activations import activation
from .feeder import Example, Feeder
from .losses import loss
from .neuron import Neuron, Output, Sensor
from .routes import Routes
from .runtime import LocalRuntime
from .teacher import Listener, Teacher
from .terminals import reach, terminal
from .wiring import Part, whole

KIND = {"sensor": Sensor, "hidden": Neuron, "output": Output}


def _as_int32(table: Any) -> tuple[list, np.ndarray, np.ndarray]:
    """A route table as 32-bit integers, once: a process's routes are views into it."""
    return table.start.tolist(), table.receivers.astype(np.int32, copy=False), table.slots.astype(np.int32, copy=False)


class Society:
    """The processes of a blueprint, each its own process in one runtime: every neuron, the feeder
    and the teacher, or, given one `part` of a layout, the ones that live at that place.

    The blueprint (`exmachina.Blueprint`, from the layer above) is read for its arrays only, so
    the kernel imports nothing from the network that it runs.

    Addresses: in one place, neuron i of the blueprint lives at address i, the feeder at N and the
    teacher at N + 1. A neuron's dendrite slots follow the numbers of the neurons that feed it, and
    its axon follows the numbers of its targets, so the order of summation never depends on timing.
    """

    def __init__(
        self,
        blueprint: Any,
        runtime: LocalRuntime,
        listener: Listener | None = None,
        learning_rate: float | None = None,
        in_flight: int = 1,
        noise: float = 0.0,
        seed: int = 0,
        part: Part | None = None,
    ) -> None:
        self.blueprint = blueprint
        given = part is not None
        part = part or whole(blueprint)
        self.owned = part.owned()  # kept for `state`; the rest of the part is not
        self.runtime = runtime
        ids = part.ids.tolist()
        tables = [_as_int32(table) for table in (part.forward, part.backward)]

        def routes(direction: int, i: int, tables: list = tables) -> Routes:
            start, receivers, slots = tables[direction]
            return Routes(receivers[start[i]:start[i + 1]], slots[start[i]:start[i + 1]])

        far = [_as_int32(table) for table in part.reach] if part.reach else None

        # every neuron's weights, each neuron's its own slice (a part given is left as it was)
        weights, weight_start = part.weights.copy() if given else part.weights, tables[0][0]
        self.neurons: list[Neuron] = []
        self.feeder: Feeder | None = None
        self.teacher: Teacher | None = None
        neurons = len(part.kinds)
        for i, name in enumerate(ids):
            axon, dendrites = routes(0, i), routes(1, i)
            if i < neurons:
                own = weights[weight_start[i]:weight_start[i + 1]]
                neuron = KIND[part.kinds[i]](
                    i, runtime, activation(part.activations[i]), part.biases[i], dendrites, axon, own,
                    learning_rate, noise, seed * 1_000_003 + name,  # noise seeded by the neuron's number
                )
                self.neurons.append(neuron)
                if far is not None:
                    reach(neuron, axon, routes(0, i, far), routes(1, i, far))
                process = neuron
            elif name == part.size:
                sensors = Routes(axon.receivers[:-1], axon.slots[:-1])
                teacher = Routes(axon.receivers[-1:], axon.slots[-1:])
                process = self.feeder = Feeder(i, runtime, sensors, teacher, in_flight)
            else:
                process = self.teacher = Teacher(i, runtime, loss(part.loss), dendrites, listener or _deaf)
            runtime.spawn(process)
        if self.feeder is not None and not runtime.intercepts:
            # The feeder counts the sensors' errors and reads none: a sensor whose error goes to it alone
            # is heard by nobody (unless the runtime sees every message's value: a tracer, a shuffler)
            for neuron in self.neurons:
                if isinstance(neuron, Sensor) and (neuron.dendrites.receivers == self.feeder.address).all():
                    neuron.error_read = False
        self.terminals: list[Neuron] = []  # the terminals here of axons that live on other shards
        if part.terminals is not None:
            table = [_as_int32(part.terminals.axon)]
            replicas = part.terminals.weights.copy()
            for t in range(len(part.terminals.sources)):
                axon, start = routes(0, t, table), table[0][0]
                self.terminals.append(terminal(len(ids) + t, runtime, axon, replicas[start[t]:start[t + 1]],
                                               learning_rate))
                runtime.spawn(self.terminals[-1])

    def feed(self, examples: Iterable[Example], learning: bool = True) -> None:
        """Present examples and let every process work until nothing is left to do."""
        self.feeder.feed(examples, learning)
        self.runtime.run()
        self.runtime.rest()

    @property
    def messages(self) -> int:
        return self.runtime.messages

    def set_learning_rate(self, rate: float) -> None:
        """Every neuron learns at this rate from now on (said between examples: with one in flight, from
        the next example on; with several, the examples still in flight may take it for some of the
        steps they have not taken yet: the rate is not yet carried with each example)."""
        for neuron in self.neurons + self.terminals:
            neuron.learning_rate = rate

    def learned(self) -> dict[str, Any]:
        """This place's neurons' state, as arrays: what a checkpoint keeps and `restore` puts back."""
        weights = [n.weights for n in self.neurons if n.learns_weights]
        return {
            "biases": np.array([n.bias for n in self.neurons]),
            "weights": np.concatenate(weights) if weights else np.empty(0),
            "randoms": [n.random.getstate() if n.random else None for n in self.neurons],
            "replicas": [t.weights.copy() for t in self.terminals],  # the terminals' (bits as their neurons')
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Give every neuron of this place the bias, weights and noise it had in `state`."""
        at = 0
        for neuron, bias, random in zip(self.neurons, state["biases"].tolist(), state["randoms"]):
            neuron.bias = bias
            if neuron.learns_weights:
                weights = state["weights"][at:at + neuron.fan_out]
                neuron.weights = weights.copy()
                at += neuron.fan_out
            if random is not None:
                neuron.random.setstate(random)
        for kept, replicas in zip(self.terminals, state.get("replicas", ())):
            kept.weights = replicas.copy()

    def state(self) -> Any:
        """A copy of the blueprint with each neuron's current weights and bias."""
        learned = self.blueprint.copy()
        neurons, synapses = self.owned
        learned.biases[neurons] = [n.bias for n in self.neurons]
        at = 0
        for neuron in self.neurons:  # a neuron at a time: no copy of every weight at once
            if neuron.learns_weights:
                learned.weights[_span(synapses, at, at + neuron.fan_out)] = neuron.weights
                at += neuron.fan_out
        return learned


def write(learned: Any, owned: tuple[np.ndarray, np.ndarray], state: dict[str, Any]) -> None:
    """Write one place's `learned()` state into a blueprint, given the neurons and synapses it owns."""
    neurons, synapses = owned
    learned.biases[neurons] = state["biases"]
    learned.weights[_span(synapses, 0, len(synapses))] = state["weights"]


def _span(synapses: np.ndarray | range, start: int, stop: int) -> np.ndarray | slice:
    """synapses[start:stop] as an index into the blueprint's weights: a slice where they are a range."""
    chosen = synapses[start:stop]
    return slice(chosen.start, chosen.stop) if isinstance(chosen, range) else chosen


def _deaf(tag: Any, outputs: np.ndarray, desired: Any) -> None:
    """The teacher's listener when nobody listens."""
