"""The messages of one example (or a few in flight at once) through a copy of the network.

The page animates them on the network drawing and its neuron inspector reads its numbers from them.
They come from the tracer (`exmachina.tracing.runtime.TracingRuntime`), run on a society of its own
built from a snapshot, so the training is not touched: every number is one the neurons computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..actors.society import Society
from ..network.blueprint import Blueprint
from ..network.matrix import MatrixEngine
from ..network.network import Network
from ..tracing.runtime import TracingRuntime
from ..tracing.trace import desired_outputs

MOST_IN_FLIGHT = 4  # examples traced at once
EVENTS = 40_000  # about this many events at most: a wider network is followed through a few neurons
FOLLOWED = 6  # neurons followed in each wide layer (the most active for the first example)
LONG = 12  # lists longer than this are left out of the events of neurons nobody inspects


def trace(blueprint: Blueprint, inputs: np.ndarray, targets: np.ndarray, classes: list | None,
          examples: list[int], learning_rate: float, neuron: int | None = None) -> dict[str, Any]:
    """Every message, step and update of `examples` (row numbers, at most four) let in at once.

    A network too large to follow whole is followed through a few neurons of each wide layer and
    `neuron`, whose events alone keep their long lists (a wide neuron's every input).
    """
    if not 1 <= len(examples) <= MOST_IN_FLIGHT or len(set(examples)) != len(examples):
        raise ValueError(f"trace 1 to {MOST_IN_FLIGHT} different examples, got {examples}")
    for index in examples:
        if not 0 <= index < len(inputs):
            raise ValueError(f"no example {index}: there are {len(inputs)}")
    if neuron is not None and not 0 <= neuron < blueprint.size:
        raise ValueError(f"no neuron {neuron}: this network has neurons 0..{blueprint.size - 1}")
    net = Network(blueprint.copy())
    if net.blueprint.classes is None and classes is not None:
        net.blueprint.classes = list(classes)  # as `fit` will settle them
    chosen = followed(net.blueprint, inputs[examples[0]], len(examples), neuron)
    events: list[dict[str, Any]] = []
    runtime = TracingRuntime(net.blueprint, events.append, chosen)
    society = Society(net.blueprint, runtime, lambda *heard: None, learning_rate, in_flight=len(examples))
    goals = [desired_outputs(net, targets[i].item() if targets.ndim == 1 else targets[i]) for i in examples]
    society.feeder.feed(iter([(i, inputs[i].tolist(), goal) for i, goal in zip(examples, goals)]))
    runtime.run()
    if chosen is not None:
        events = [e if e["from"] == neuron else slim(e) for e in events]
    return {"examples": examples, "neurons": None if chosen is None else sorted(chosen),
            "learning_rate": learning_rate, "events": events}


def followed(blueprint: Blueprint, inputs: np.ndarray, examples: int, neuron: int | None) -> set[int] | None:
    """Every neuron (None) when the trace stays small; else the most active few of each wide layer."""
    if 3 * len(blueprint.sources) * examples <= EVENTS:
        return None
    _, activities = MatrixEngine(blueprint).forward(inputs[None, :])
    chosen = set() if neuron is None else {neuron}
    for layer in blueprint.layers():
        if len(layer) <= FOLLOWED + 4:
            chosen.update(layer.tolist())
        else:
            strongest = np.argsort(-np.abs(activities[0, layer]), kind="stable")[:FOLLOWED]
            chosen.update(layer[strongest].tolist())
    return chosen


def slim(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its long lists: the page draws single values for neurons nobody inspects."""
    return {k: v for k, v in event.items() if not (isinstance(v, list) and len(v) > LONG)}
