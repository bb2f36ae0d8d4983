"""The tracing runtime: a local runtime that writes down every message it delivers and every step.

It watches from outside: each process is spawned behind an observer that reads the neuron's public
state (bias, weights, the memory of an example in flight) before and after each handler, and every
`send` passes through the recorder, which knows who is sending because the local runtime runs one
handler at a time. Nothing below this layer imports it: an untraced network pays nothing.
`trace` builds traces with it and reads and writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..actors.activations import activate, slope
from ..actors.neuron import as_inbox
from ..actors.routes import ACTIVITY, ERROR, Routes
from ..actors.runtime import LocalRuntime
from ..network.blueprint import Blueprint

FEEDER, TEACHER = "feeder", "teacher"
KINDS = {ACTIVITY: "activity", ERROR: "error"}

Event = dict[str, Any]


def plain(value: Any) -> Any:
    """A value as JSON can hold it: floats stay floats, arrays become lists."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class TracingRuntime(LocalRuntime):
    """A local runtime that records every message and every neuron step it sees.

    `neurons` and `examples` (sets of addresses and example tags, or None for all) choose what is
    recorded, so a large network can be traced in part: a message is kept when its example is
    chosen and its sender or receiver is a chosen neuron; a neuron's steps when the neuron is.
    Events go to `sink`, one dict at a time (a list's `append`, or a writer of JSON Lines).
    """

    intercepts = True

    def __init__(
        self,
        blueprint: Blueprint,
        sink: Callable[[Event], Any],
        neurons: Iterable[int] | None = None,
        examples: Iterable[Any] | None = None,
    ) -> None:
        super().__init__()
        self.blueprint = blueprint
        self.sink = sink
        self.neurons = None if neurons is None else set(neurons)
        self.examples = None if examples is None else set(examples)
        self.clock = 0
        self.size = blueprint.size
        self.synapse = {
            (s, t): i for i, (s, t) in enumerate(zip(blueprint.sources.tolist(), blueprint.targets.tolist()))
        }
        self.running: Any = None  # the process whose handler is running, None outside handlers
        self.held: list[tuple] = []  # messages sent by that handler, recorded after its step

    # -- who is who -----------------------------------------------------------------------------

    def name(self, address: int) -> int | str:
        """A neuron's number, or "feeder" / "teacher" for the two processes that are not neurons."""
        if address < self.size:
            return address
        return FEEDER if address == self.size else TEACHER

    def chosen(self, tag: Any, *addresses: int) -> bool:
        """Whether to record something of example `tag` that concerns `addresses` (none: everyone)."""
        if self.examples is not None and tag not in self.examples:
            return False
        return self.neurons is None or not addresses or any(a in self.neurons for a in addresses)

    def emit(self, event: Event) -> None:
        self.clock += 1
        event["clock"] = self.clock
        self.sink(event)

    # -- the runtime's two doors: spawn and send ------------------------------------------------------

    def spawn(self, process: Any) -> None:
        """Spawn the process behind an observer that records its steps."""
        if process.address < self.size:
            observer = NeuronObserver(process, self)
        elif process.address == self.size + 1:
            observer = TeacherObserver(process, self)
        else:
            observer = Observer(process, self)
        super().spawn(observer)

    def send(self, kind: int, tag: Any, routes: Routes, values: list) -> None:
        values = list(values)  # our own copy: recorded after the handler's step
        sender = self.size if self.running is None else self.running.address  # outside handlers: the feeder
        if self.running is not None:
            self.held.append((kind, tag, sender, routes, values))
        else:
            self.record(kind, tag, sender, routes, values)
        super().send(kind, tag, routes, values)

    def record(self, kind: int, tag: Any, sender: int, routes: Routes, values: list) -> None:
        """One event per message, in the order they were sent."""
        observer = self.processes[sender]
        for position, ((receiver, _slot), value) in enumerate(zip(routes, values)):
            desired = kind == ACTIVITY and sender == self.size and receiver > self.size
            # the desired outputs go with the teacher's step, which every partial trace keeps
            if not (self.chosen(tag, sender, receiver) or desired and self.chosen(tag)):
                continue
            event = {"kind": KINDS[kind], "example": tag, "from": self.name(sender), "to": self.name(receiver),
                     "value": plain(value), "synapse": None}
            if sender < self.size and receiver < self.size:
                pair = (sender, receiver) if kind == ACTIVITY else (receiver, sender)
                event["synapse"] = self.synapse[pair]
            if kind == ACTIVITY and sender < self.size:
                event["weight"] = observer.weights_sent[position]
                event["activity"] = plain(observer.activity)
            if desired:
                event["kind"] = "desired"  # from the feeder to the teacher: the desired outputs
            self.emit(event)

    def handle(self, observer: Observer, tag: Any, before: Callable, handler: Callable, values: list,
               after: Callable) -> None:
        """Run a handler, then record its step (via `after`), the messages it sent and its updates.

        `before` reads what the handler is about to consume or change (the values list is
        recycled once the handler returns); `after` turns that into the step's events.
        """
        chosen = self.chosen(tag, *observer.watched)
        seen = before(tag, values) if chosen else None
        self.running = observer
        try:
            handler(tag, values)
        finally:
            self.running = None
        updates = after(tag, seen) if chosen else []
        held, self.held = self.held, []
        for message in held:
            self.record(*message)
        for event in updates:
            self.emit(event)


class Observer:
    """Stands in the runtime for a process, passing each handler through the recorder."""

    def __init__(self, process: Any, tracer: TracingRuntime) -> None:
        self.process = process
        self.tracer = tracer
        self.address, self.fan_in, self.fan_out = process.address, process.fan_in, process.fan_out
        self.watched: tuple[int, ...] = (process.address,)
        self.weights_sent: list = []  # a neuron's weights when it last fired
        self.activity: Any = None  # and the activity it sent

    def on_activities(self, tag: Any, values: list) -> None:
        self.tracer.handle(self, tag, self.nothing, self.process.on_activities, values, self.no_step)

    def on_errors(self, tag: Any, values: list) -> None:
        self.tracer.handle(self, tag, self.nothing, self.process.on_errors, values, self.no_step)

    @staticmethod
    def nothing(tag: Any, values: list) -> None:
        return None

    @staticmethod
    def no_step(tag: Any, seen: Any) -> list[Event]:
        return []


class TeacherObserver(Observer):
    """Records the teacher's step: the outputs it saw, what they should have been, loss and errors."""

    def __init__(self, process: Any, tracer: TracingRuntime) -> None:
        super().__init__(process, tracer)
        # the teacher matters to every chosen neuron: it turns the forward wave into the backward one
        self.watched = ()

    def on_activities(self, tag: Any, values: list) -> None:
        self.tracer.handle(self, tag, self.read, self.process.on_activities, values, self.step)

    @staticmethod
    def read(tag: Any, values: list) -> list:
        return list(values)

    def step(self, tag: Any, values: list) -> list[Event]:
        *activities, desired = values
        event = {"kind": "step", "phase": "teacher", "example": tag, "from": TEACHER, "to": TEACHER,
                 "outputs": [plain(a) for a in activities], "desired": plain(desired)}
        if desired is None:
            event["value"] = None
        else:
            losses, errors = self.process.loss.measure(np.array(activities), desired)
            event["value"] = plain(losses)  # the example's loss
            event["loss"] = self.process.loss.name
            event["errors"] = plain(errors)
        self.tracer.emit(event)
        return []


class NeuronObserver(Observer):
    """Records a neuron's nine steps from its public state, read before and after each handler."""

    def __init__(self, neuron: Any, tracer: TracingRuntime) -> None:
        super().__init__(neuron, tracer)
        self.neuron = neuron
        self.senders = [tracer.name(s) for s, _ in neuron.dendrites]
        self.receivers = [tracer.name(t) for t, _ in neuron.axon]

    def on_activities(self, tag: Any, values: list) -> None:
        self.weights_sent = self.neuron.weights.tolist()  # as sent: an update may change them in place
        self.bias_then = self.neuron.bias
        self.tracer.handle(self, tag, self.read, self.fire, values, self.fired)

    def fire(self, tag: Any, values: list) -> None:
        """The neuron's steps 1-4, then note the total input and activity it computed."""
        neuron = self.neuron
        neuron.on_activities(tag, values)
        if tag in neuron.memory:
            self.total_input, self.activity = neuron.memory[tag][:2]
        else:  # only predicting: the neuron kept nothing, so compute what it computed, in its order
            inbox, width = as_inbox(values)
            total_input = np.full(max(width, 1), self.bias_then)
            for weighted in inbox.reshape(neuron.fan_in, max(width, 1)):
                total_input += weighted
            activity = np.array([activate(neuron.code, z) for z in total_input.tolist()])
            self.total_input, self.activity = (total_input, activity) if width else (total_input[0], activity[0])

    def on_errors(self, tag: Any, values: list) -> None:
        self.tracer.handle(self, tag, self.recall, self.neuron.on_errors, values, self.learned)

    def read(self, tag: Any, values: list) -> tuple:
        return list(values), self.neuron.bias  # the values list is recycled after the handler

    def fired(self, tag: Any, seen: tuple) -> list[Event]:
        """Steps 1-4: the weighted inputs, the total input, the activity, what went out."""
        inputs, bias = seen
        total_input, activity = self.total_input, self.activity
        self.tracer.emit({
            "kind": "step", "phase": "forward", "example": tag, "from": self.address, "to": self.address,
            "value": plain(activity), "inputs": [plain(v) for v in inputs], "senders": self.senders,
            "bias": bias, "total_input": plain(total_input),
            "activation": self.tracer.blueprint.activations[self.address], "receivers": self.receivers,
        })
        return []

    def recall(self, tag: Any, values: list) -> tuple:
        total_input, activity, weights_then = self.neuron.memory[tag]
        # copies: the neuron may update its weights in place
        return list(values), total_input, activity, weights_then.tolist(), self.neuron.weights.tolist(), \
            self.neuron.bias

    def learned(self, tag: Any, seen: tuple) -> list[Event]:
        """Steps 5-9: the errors that came back, the neuron's own error, and the updates it made."""
        errors, total_input, activity, weights_then, weights_before, bias_before = seen
        neuron = self.neuron
        derivative = [slope(neuron.code, z, a)
                      for z, a in zip(np.ravel(total_input).tolist(), np.ravel(activity).tolist())]
        derivative = np.array(derivative) if np.ndim(activity) else derivative[0]
        # what the neuron sent back to its inputs (every neuron has at least one: sensors, the feeder)
        error = next(values[0] for kind, _, _, _, values in self.tracer.held if kind == ERROR)
        self.tracer.emit({
            "kind": "step", "phase": "backward", "example": tag, "from": self.address, "to": self.address,
            "value": plain(error), "errors": [plain(e) for e in errors], "senders": self.receivers,
            "weights": [plain(w) for w in weights_then], "derivative": plain(derivative),
            "total_input": plain(total_input), "activity": plain(activity),
            "receivers": self.senders,
        })
        updates = []
        rate = neuron.learning_rate
        if neuron.learns_weights:
            for j, (receiver, old, new) in enumerate(zip(self.receivers, weights_before, neuron.weights.tolist())):
                if not self.tracer.chosen(tag, self.address, neuron.axon[j][0]):
                    continue
                updates.append({
                    "kind": "update", "parameter": "weight", "example": tag, "from": self.address,
                    "to": receiver, "synapse": self.tracer.synapse[self.address, receiver],
                    "old": old, "gradient": plain(activity * errors[j]),
                    "learning_rate": rate, "value": new,
                })
        if neuron.learns_bias:
            updates.append({
                "kind": "update", "parameter": "bias", "example": tag, "from": self.address, "to": self.address,
                "synapse": None, "old": bias_before, "gradient": plain(error), "learning_rate": rate,
                "value": neuron.bias,
            })
        return updates


# -- the Python API ------------------------------------------------------------------------------
