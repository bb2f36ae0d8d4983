"""Tracing: every message the processes exchange and every number each neuron computes, in order.

The recorder is a runtime of its own, `TracingRuntime`, a `LocalRuntime` that writes down what it
delivers. Nothing else in the library knows it exists, so a network that is not traced runs on the
plain runtime and pays nothing. It watches from outside: each process is spawned behind an
observer that reads the neuron's public state (bias, weights, the memory of an example in flight)
before and after each handler, and every `send` passes through the recorder, which knows who is
sending because the local runtime runs one handler at a time.

The trace is a list of events (plain dicts) after a header; as JSON Lines it is the versioned
format that `docs/trace-format.md` describes and the live view animates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .blueprint import Blueprint
from .examples import check_inputs, check_targets, classes_of, encode
from .files import atomic_file
from .runtimes import ACTIVITY, ERROR, LocalRuntime, Routes
from .society import Society

FORMAT = "exmachina-trace"
VERSION = 1
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


@dataclass
class Trace:
    """A header (format, version, the network's shape) and the events in the order they happened."""

    header: dict[str, Any]
    events: list[Event] = field(default_factory=list)

    def of(self, kind: str, **match: Any) -> list[Event]:
        """The events of one kind whose fields equal `match`, e.g. `trace.of("step", phase="forward")`."""
        return [e for e in self.events if e["kind"] == kind and all(e.get(k) == v for k, v in match.items())]

    def lines(self) -> Iterator[str]:
        """The trace as JSON Lines: the header first, then one event per line."""
        yield json.dumps(self.header, allow_nan=True)
        for event in self.events:
            yield json.dumps(event, allow_nan=True)

    def write(self, path: str | os.PathLike) -> None:
        """Write JSON Lines atomically: a crash mid-write leaves no half-written file behind."""
        write_lines(path, self.lines())

    @classmethod
    def read(cls, path: str | os.PathLike) -> Trace:
        """Read a JSON Lines trace; any problem is a ValueError that names the file and line."""
        try:
            with open(path) as f:
                rows = []
                for number, line in enumerate(f, 1):
                    if line.strip():
                        try:
                            rows.append(json.loads(line))
                        except json.JSONDecodeError:
                            raise ValueError(f"{path}: line {number} is not valid JSON") from None
        except OSError as bad:
            raise ValueError(f"{path}: {bad.strerror}") from None
        if not rows or not isinstance(rows[0], dict) or rows[0].get("format") != FORMAT:
            raise ValueError(f"{path}: not an exmachina trace (expected \"format\": \"{FORMAT}\")")
        if rows[0].get("version") != VERSION:
            raise ValueError(f"{path}: trace version {rows[0].get('version')!r} is not supported (expected {VERSION})")
        return cls(rows[0], rows[1:])


def write_lines(path: str | os.PathLike, lines: Iterable[str]) -> int:
    """Write lines atomically (see `atomic_lines`); returns how many."""
    with atomic_lines(path) as write:
        for line in lines:
            write(line)
        return write.count


class LineWriter:
    """Writes one line per call and counts them."""

    def __init__(self, file: Any) -> None:
        self.file, self.count = file, 0

    def __call__(self, line: str) -> None:
        self.file.write(line)
        self.file.write("\n")
        self.count += 1


@contextmanager
def atomic_lines(path: str | os.PathLike) -> Iterator[LineWriter]:
    """Lines go to a temporary file beside `path` that replaces it only once all are written."""
    with atomic_file(path) as f:
        yield LineWriter(f)


def header(blueprint: Blueprint, **settings: Any) -> dict[str, Any]:
    """The first line of a trace: enough of the network for a viewer to draw it."""
    n = blueprint.size
    return {
        "format": FORMAT,
        "version": VERSION,
        "network": {
            "neurons": n,
            "kinds": list(blueprint.kinds),
            "activations": list(blueprint.activations),
            "layers": [layer.tolist() for layer in blueprint.layers()],
            "sensors": blueprint.sensors.tolist(),
            "outputs": blueprint.outputs.tolist(),
            "synapses": {"source": blueprint.sources.tolist(), "target": blueprint.targets.tolist()},
            "loss": blueprint.loss,
            "classes": blueprint.classes,
        },
        "processes": {FEEDER: n, TEACHER: n + 1},
        **settings,
    }


class TracingRuntime(LocalRuntime):
    """A local runtime that records every message and every neuron step it sees.

    `neurons` and `examples` (sets of addresses and example tags, or None for all) choose what is
    recorded, so a large network can be traced in part: a message is kept when its example is
    chosen and its sender or receiver is a chosen neuron; a neuron's steps when the neuron is.
    Events go to `sink`, one dict at a time (a list's `append`, or a writer of JSON Lines).
    """

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
        last = len(routes) - 1
        for position, ((receiver, _slot), value) in enumerate(zip(routes, values)):
            desired = kind == ACTIVITY and sender == self.size and position == last
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
                event["kind"] = "desired"  # the feeder's last route: the desired outputs, to the teacher
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
        self.weights_sent = self.neuron.weights  # each update makes a new list: this one stays as sent
        self.bias_then = self.neuron.bias
        self.tracer.handle(self, tag, self.read, self.fire, values, self.fired)

    def fire(self, tag: Any, values: list) -> None:
        """The neuron's steps 1-4, then note the total input and activity it computed."""
        neuron = self.neuron
        neuron.on_activities(tag, values)
        if tag in neuron.memory:
            self.total_input, self.activity = neuron.memory[tag][:2]
        else:  # only predicting: the neuron kept nothing, so compute what it computed
            self.total_input = neuron.signals.total(values, self.bias_then)
            self.activity = neuron.f(self.total_input)

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
        return list(values), total_input, activity, weights_then, self.neuron.weights, self.neuron.bias

    def learned(self, tag: Any, seen: tuple) -> list[Event]:
        """Steps 5-9: the errors that came back, the neuron's own error, and the updates it made."""
        errors, total_input, activity, weights_then, weights_before, bias_before = seen
        neuron = self.neuron
        derivative = neuron.df(total_input, activity)
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
            for j, (receiver, old, new) in enumerate(zip(self.receivers, weights_before, neuron.weights)):
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


def desired_outputs(net: Any, target: Any) -> np.ndarray:
    """The desired output activities for one example: a class label of the network, or the outputs."""
    outputs = len(net.blueprint.outputs)
    if np.ndim(target) == 0 and (net.classes is not None or outputs > 1):
        # an untrained network has no classes yet: take the ones `fit` would give it
        classes = net.classes if net.classes is not None else classes_of(np.array([target]), outputs)
        return encode([target], classes, outputs)[1][0]
    return check_targets(np.atleast_2d(np.asarray(target, dtype=float)), 1, outputs)[0]


def learning_rate_of(net: Any, learning_rate: float | None) -> float:
    """The rate asked for, else the one the network last learned with, else 0.1."""
    rate = learning_rate if learning_rate is not None else net.blueprint.training.get("learning_rate", 0.1)
    if not (np.isfinite(rate) and rate > 0):
        raise ValueError(f"learning rate must be a positive number, got {rate}")
    return float(rate)


def trace_example(
    net: Any,
    inputs: Sequence[float],
    desired: Any = None,
    learn: bool = False,
    neurons: Iterable[int] | None = None,
    learning_rate: float | None = None,
    tag: Any = 0,
) -> Trace:
    """Every message and step of one example through `net` (an `exmachina.Network`).

    Without `desired` the example only goes forward. With it (the desired outputs, or a class
    label of a classifier) the teacher answers, the errors flow back and each neuron computes its
    update; `learn=True` also keeps the updated weights in `net`, otherwise `net` is untouched.
    """
    if np.ndim(inputs) != 1:
        raise ValueError(f"one example at a time: a list of {len(net.blueprint.sensors)} inputs")
    x = check_inputs([inputs], len(net.blueprint.sensors))
    goal = None if desired is None else desired_outputs(net, desired)
    rate = learning_rate_of(net, learning_rate) if goal is not None else None
    chosen = check_neurons(net.blueprint, neurons)
    trace = Trace(header(net.blueprint, learning_rate=rate, learn=bool(learn and goal is not None),
                         neurons=None if chosen is None else sorted(chosen)))
    runtime = TracingRuntime(net.blueprint, trace.events.append, chosen)
    society = Society(net.blueprint, runtime, lambda *seen: None, rate)
    society.feeder.feed(iter([(tag, x[0].tolist(), goal)]), learning=goal is not None)
    runtime.run()
    if learn and goal is not None:
        net.blueprint = society.state()
    return trace


def trace_run(
    net: Any,
    inputs: Any,
    targets: Any,
    sink: Callable[[Event], Any],
    epochs: int = 1,
    learning_rate: float = 0.1,
    seed: int = 0,
    shuffle: bool = True,
    neurons: Iterable[int] | None = None,
    examples: Iterable[int] | None = None,
    learn: bool = True,
) -> dict[str, Any]:
    """Learn like `Network.fit` (plain SGD, one example in flight) while tracing into `sink`.

    Examples are tagged by their row in `inputs`; a `pass` event marks the start of each pass.
    Returns the header. The examples come in the order `fit` would present them with the same
    seed, so a traced run learns exactly what an untraced one does.
    """
    x = check_inputs(inputs, len(net.blueprint.sensors))
    _, desired = net._desired(targets, len(x))  # checked, and the classes settled, as `fit` does
    rate = learning_rate_of(net, learning_rate)
    chosen = check_neurons(net.blueprint, neurons)
    head = header(net.blueprint, learning_rate=rate, learn=learn, epochs=epochs,
                  neurons=None if chosen is None else sorted(chosen))
    sink(head)
    runtime = TracingRuntime(net.blueprint, sink, chosen, examples)
    society = Society(net.blueprint, runtime, lambda *seen: None, rate)
    order_random = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        order = order_random.permutation(len(x)) if shuffle else np.arange(len(x))
        runtime.emit({"kind": "pass", "example": None, "from": None, "to": None, "value": epoch})
        society.feeder.feed((int(i), x[i].tolist(), desired[i]) for i in order)
        runtime.run()
    if learn:
        net.blueprint = society.state()
    return head


def record(path: str | os.PathLike, net: Any, inputs: Any, targets: Any, **options: Any) -> int:
    """Trace a whole run (see `trace_run`) straight into a JSON Lines file; returns its line count."""
    with atomic_lines(path) as write:
        trace_run(net, inputs, targets, lambda event: write(json.dumps(event)), **options)
        return write.count


def check_neurons(blueprint: Blueprint, neurons: Iterable[int] | None) -> set[int] | None:
    """The chosen neuron addresses, or a ValueError naming one that the network does not have."""
    if neurons is None:
        return None
    chosen = set()
    for n in neurons:
        if not (isinstance(n, (int, np.integer)) and 0 <= n < blueprint.size):
            raise ValueError(f"no neuron {n}: this network has neurons 0..{blueprint.size - 1}")
        chosen.add(int(n))
    return chosen
