"""Tracing: every message the processes exchange and every number each neuron computes, in order.

The recorder is a runtime of its own, `tracing.runtime.TracingRuntime`, a `LocalRuntime` that
writes down what it delivers. Nothing else in the library knows it exists, so a network that is not
traced runs on the plain runtime and pays nothing.

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

from ..actors.society import Society
from ..data.files import atomic_file
from ..network.blueprint import Blueprint
from ..network.examples import check_targets, classes_of, encode
from .runtime import FEEDER, TEACHER, Event, TracingRuntime

FORMAT = "exmachina-trace"
VERSION = 1
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
    x = net.sensed([inputs])
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
    x = net.sensed(inputs)
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
