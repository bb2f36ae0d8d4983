"""Worked examples, computed by the library as they are printed.

Every number shown here comes from running the library's own neurons, activations and losses (or
the tracer watching them); nothing is typed into a string. Each topic returns a `Worked`: a title
and parts, each part a line of text or a `Grid` (a small table), so the command line can render it
and the tests can read it. `trace_rows` turns a trace into the rows of a causal table, shared with
`exmachina trace`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..actors.activations import ACTIVATIONS
from ..actors.losses import LOSSES
from ..network.blueprint import Blueprint
from ..network.matrix import MatrixEngine
from ..network.network import Network
from .trace import Trace, trace_example

SHOWN = 6  # a list longer than this is summarised rather than spelled out


def num(value: Any) -> str:
    """A number as a person reads it: 0.5, 1, -1.5, 0.125849 (six significant digits)."""
    if value is None:
        return "-"
    if isinstance(value, (list, tuple, np.ndarray)):
        values = list(value)
        if len(values) > SHOWN:
            return f"[{', '.join(num(v) for v in values[:SHOWN])}, ... ({len(values)} values)]"
        return f"[{', '.join(num(v) for v in values)}]"
    if isinstance(value, str):
        return value
    return f"{float(value) + 0.0:.6g}"  # + 0.0 turns -0 into 0


@dataclass
class Grid:
    """A small table: column names and rows of cells (already strings)."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Worked:
    """One worked example: a title and its parts in order (lines of text and grids)."""

    topic: str
    title: str
    parts: list[str | Grid] = field(default_factory=list)

    def text(self) -> str:
        """Plain text, for tests and for pipes."""
        out = [self.title, "=" * len(self.title)]
        for part in self.parts:
            if isinstance(part, Grid):
                rows = [part.columns] + part.rows
                widths = [max(len(r[i]) for r in rows) for i in range(len(part.columns))]
                out += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
            else:
                out.append(part)
        return "\n".join(out)


def single_neuron(weights: list[float], bias: float, activation: str = "step", loss: str = "squared") -> Network:
    """One output neuron fed by one sensor per weight: a perceptron, as a network of the library."""
    n = len(weights)
    return Network(Blueprint(
        kinds=["sensor"] * n + ["output"], activations=["identity"] * n + [activation],
        biases=[0.0] * n + [bias], sources=list(range(n)), targets=[n] * n, weights=weights, loss=loss,
    ))


def forward_step(trace: Trace, neuron: int) -> dict:
    return trace.of("step", phase="forward", **{"from": neuron})[0]


# -- the topics ----------------------------------------------------------------------------------


def perceptron() -> Worked:
    inputs, weights, bias = [8.0, 5.0, 2.0], [0.5, -1.0, 1.5], -1.5
    net = single_neuron(weights, bias)
    trace = trace_example(net, inputs)
    out = len(inputs)
    step = forward_step(trace, out)
    worked = Worked("perceptron", "A perceptron: one neuron with a step activation")
    worked.parts.append(
        f"Inputs {num(inputs)}, weights {num(weights)}, bias {num(bias)}. Each sensor sends its input "
        "times the weight of its synapse (the weights live on the sensors' axons):"
    )
    grid = Grid(["sensor", "input", "weight", "weighted activity"])
    for message in trace.of("activity", to=out):
        grid.rows.append([str(message["from"]), num(inputs[message["from"]]), num(message["weight"]),
                          num(message["value"])])
    worked.parts.append(grid)
    worked.parts.append(
        f"Total input = {' + '.join(num(v) for v in step['inputs'])} + bias ({num(step['bias'])}) "
        f"= {num(step['total_input'])}"
    )
    worked.parts.append(
        f"Output = step({num(step['total_input'])}) = {num(step['value'])}   "
        "(step: 1 if the total input is above 0, else 0)"
    )
    return worked


NAND_TABLE = [([0.0, 0.0], 1.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]


def nand() -> Worked:
    weights, bias = [-2.0, -2.0], 3.0
    net = single_neuron(weights, bias)
    worked = Worked("nand", "A NAND gate from one perceptron")
    worked.parts.append(f"Weights {num(weights)}, bias {num(bias)}: the output is 0 only when both inputs are 1.")
    grid = Grid(["x1", "x2", "total input", "output", "NAND"])
    for inputs, expected in NAND_TABLE:
        step = forward_step(trace_example(net, inputs), 2)
        grid.rows.append([num(inputs[0]), num(inputs[1]), num(step["total_input"]), num(step["value"]),
                          num(expected)])
    worked.parts.append(grid)
    outputs = net.predict([inputs for inputs, _ in NAND_TABLE])[:, 0]
    right = bool(np.array_equal(outputs, [e for _, e in NAND_TABLE]))
    worked.parts.append(f"The network's predictions {num(outputs)} {'match' if right else 'do NOT match'} NAND.")
    return worked


def perceptron_rule(rate: float = 0.1, most: int = 100) -> Worked:
    """Backpropagation on one step neuron with squared error is the perceptron rule, since the
    library takes the step's derivative as 1: w <- w - rate * (output - desired) * input."""
    net = single_neuron([0.2, -0.3], -0.1)
    worked = Worked("perceptron", "The perceptron rule learns NAND")
    worked.parts.append(
        f"Start from weights [0.2, -0.3] and bias -0.1, learning rate {num(rate)}. For each example the "
        "teacher's error is output - desired; the step's derivative is taken as 1, so the neuron's error "
        "is that same number and each weight moves by -rate * error * input: the perceptron rule."
    )
    for number in range(1, most + 1):
        grid = Grid(["x1", "x2", "desired", "output", "error", "weights after", "bias after"])
        mistakes = 0
        for inputs, expected in NAND_TABLE:
            trace = trace_example(net, inputs, desired=[expected], learn=True, learning_rate=rate)
            output = forward_step(trace, 2)["value"]
            error = trace.of("step", phase="backward", **{"from": 2})[0]["value"]
            mistakes += output != expected
            grid.rows.append([num(inputs[0]), num(inputs[1]), num(expected), num(output), num(error),
                              num(net.blueprint.weights), num(net.blueprint.biases[2])])
        worked.parts.append(f"Pass {number}: {mistakes} of {len(NAND_TABLE)} wrong")
        worked.parts.append(grid)
        if not mistakes:
            break
    outputs = net.predict([inputs for inputs, _ in NAND_TABLE])[:, 0]
    worked.parts.append(
        f"After {number} passes: weights {num(net.blueprint.weights)}, bias {num(net.blueprint.biases[2])}; "
        f"outputs {num(outputs)} for (0,0), (0,1), (1,0), (1,1)."
    )
    return worked


def activations() -> Worked:
    worked = Worked("sigmoid", "Sigmoid, ReLU and leaky ReLU")
    worked.parts.append(
        "The logistic sigmoid squashes any total input into (0, 1) and its slope a(1 - a) is at most "
        "0.25, so errors shrink as they pass back through many layers. ReLU passes positive inputs "
        "unchanged with slope 1 but is silent (slope 0) below zero; leaky ReLU keeps a small slope "
        "(x/100) there so a neuron can recover."
    )
    names = ["sigmoid", "relu", "leaky_relu"]
    grid = Grid(["z"] + [c for name in names for c in (name, f"{name}'")])
    for z in [-4.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0]:
        row = [num(z)]
        for name in names:
            f = ACTIVATIONS[name]
            a = f.scalar(z)
            row += [num(a), num(f.scalar_derivative(z, a))]
        grid.rows.append(row)
    worked.parts.append(grid)
    return worked


def losses() -> Worked:
    worked = Worked("loss", "Why squared error beats summed error")
    squared = LOSSES["squared"]
    desired = np.zeros(4)
    cases = {"A": np.array([0.2, 0.2, 0.2, 0.2]), "B": np.array([0.0, 0.0, 0.0, 0.6])}
    worked.parts.append(
        "Two networks with four outputs each; every desired output is 0. A is a little wrong everywhere, "
        "B is exactly right on three outputs and badly wrong on one."
    )
    grid = Grid(["network", "errors (output - desired)", "summed error", "squared error 1/2 * sum(e^2)"])
    figures = {}
    for name, outputs in cases.items():
        loss, errors = squared.measure(outputs, desired)
        figures[name] = (float(errors.sum()), float(loss))
        grid.rows.append([name, " + ".join(num(e) for e in errors), num(errors.sum()), num(loss)])
    worked.parts.append(grid)
    (sum_a, sq_a), (sum_b, sq_b) = figures["A"], figures["B"]
    summed = "A" if sum_a > sum_b else "B"
    worse = "A" if sq_a > sq_b else "B"
    worked.parts.append(
        f"Summed, {summed} looks worse ({num(max(sum_a, sum_b))} against {num(min(sum_a, sum_b))}). "
        f"Squared, {worse} is worse ({num(max(sq_a, sq_b))} against {num(min(sq_a, sq_b))}): squaring "
        "punishes one large miss more than several small ones, which is what we want from a network "
        "that must get every output right."
    )
    cancel = np.array([0.3, -0.3])
    loss, errors = squared.measure(cancel, np.zeros(2))
    worked.parts.append(
        f"Signs make it worse: errors {num(errors)} sum to {num(errors.sum())}, as if nothing were "
        f"wrong, while their squared error is {num(loss)}. And the squared error's slope, "
        "dLoss/da = output - desired, is exactly the error each output neuron is sent."
    )
    return worked


def backprop_network() -> tuple[Network, list[float], list[float]]:
    """A 2-2-1 sigmoid network with round weights: inputs 0.35 and 0.9, desired output 0.5."""
    blueprint = Blueprint(
        kinds=["sensor", "sensor", "hidden", "hidden", "output"],
        activations=["identity", "identity", "sigmoid", "sigmoid", "sigmoid"],
        biases=[0.0, 0.0, 0.0, 0.0, 0.0],
        sources=[0, 0, 1, 1, 2, 3], targets=[2, 3, 2, 3, 4, 4],
        weights=[0.1, 0.4, 0.8, 0.6, 0.3, 0.9], loss="squared",
    )
    return Network(blueprint), [0.35, 0.9], [0.5]


def backprop(rate: float = 1.0) -> Worked:
    net, inputs, desired = backprop_network()
    before = net.blueprint.copy()
    trace = trace_example(net, inputs, desired=desired, learn=True, learning_rate=rate)
    worked = Worked("backprop", "One backpropagation step through a 2-2-1 network, message by message")
    worked.parts.append(
        f"Sensors 0 and 1, hidden neurons 2 and 3, output 4 (sigmoid), squared error, learning rate "
        f"{num(rate)}. Inputs {num(inputs)}, desired output {num(desired)}; weights "
        + ", ".join(f"w{s}->{t} = {num(w)}" for s, t, w in zip(before.sources, before.targets, before.weights))
        + ", biases 0. Every message and every step, in the order it happened:"
    )
    for section, rows in trace_rows(trace):
        worked.parts.append(section)
        worked.parts.append(Grid(list(COLUMNS), rows))
    matrix = MatrixEngine(before)
    matrix.step(np.array([inputs]), np.array([desired]), rate)
    gap = float(np.max(np.abs(matrix.state().weights - net.blueprint.weights)))
    worked.parts.append(
        f"New weights {num(net.blueprint.weights)}; the matrix engine, doing the same step layer by "
        f"layer, gets weights that differ by at most {gap:.3g}."
    )
    return worked


TOPICS: dict[str, Callable[[], list[Worked]]] = {
    "perceptron": lambda: [perceptron(), perceptron_rule()],
    "nand": lambda: [nand()],
    "sigmoid": lambda: [activations()],
    "relu": lambda: [activations()],
    "loss": lambda: [losses()],
    "backprop": lambda: [backprop()],
}


def explain(topics: Iterable[str] = ()) -> list[Worked]:
    """The worked examples for `topics` (all of them when none are named), each computed once."""
    topics = list(topics) or list(TOPICS)
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic {unknown[0]!r}; choose from {', '.join(TOPICS)}")
    done: dict[str, Worked] = {}
    for topic in topics:
        for worked in TOPICS[topic]():
            done.setdefault(worked.title, worked)
    return list(done.values())


# -- a trace as a table --------------------------------------------------------------------------

COLUMNS = ("clock", "event", "from", "to", "value", "how")
SECTIONS = ("Forward wave", "Teacher", "Backward wave", "Updates")


NEURON_COLUMNS = ("neuron", "kind", "1-2 total input", "2 activity", "5-6 error", "8-9 weights", "9 bias")


def neuron_rows(trace: Trace) -> list[list[str]]:
    """One row per traced neuron and example: what each of its nine steps computed."""
    kinds = trace.header["network"]["kinds"]
    rows: dict[tuple, dict] = {}
    for event in trace.events:
        if event["kind"] in ("step", "update") and isinstance(event["from"], int):
            rows.setdefault((event["example"], event["from"]), {}).setdefault(
                event.get("phase") or event["parameter"], []).append(event)
    table = []
    for (_, neuron), seen in rows.items():
        forward = seen.get("forward", [None])[0]
        backward = seen.get("backward", [None])[0]
        weights = seen.get("weight", [])
        bias = seen.get("bias", [None])[0]
        if weights:
            moved = max(abs(w["value"] - w["old"]) for w in weights)
            weights_text = f"{len(weights)} changed, the most by {num(moved)}"
        else:
            weights_text = "-" if kinds[neuron] != "output" else "(none: fixed line to the teacher)"
        table.append([
            str(neuron), kinds[neuron],
            num(forward["total_input"]) if forward else "-", num(forward["value"]) if forward else "-",
            num(backward["value"]) if backward else "-", weights_text,
            f"{num(bias['old'])} -> {num(bias['value'])}" if bias else "-",
        ])
    return table


def section_of(event: dict) -> int | None:
    kind = event["kind"]
    if kind == "activity" or (kind == "step" and event.get("phase") == "forward"):
        return 0
    if kind == "desired" or (kind == "step" and event.get("phase") == "teacher"):
        return 1
    if kind == "error" or (kind == "step" and event.get("phase") == "backward"):
        return 2
    if kind == "update":
        return 3
    return None


def trace_rows(trace: Trace) -> list[tuple[str, list[list[str]]]]:
    """The trace's events as table rows in four sections, each in the order things happened.

    The order (forward wave, teacher, backward wave, updates) respects causality: nothing in a
    section depends on anything in a later one, and within a section the clock orders events.
    """
    sections: list[list[list[str]]] = [[] for _ in SECTIONS]
    for event in trace.events:
        where = section_of(event)
        if where is not None:
            sections[where].append(row(event))
    return [(name, rows) for name, rows in zip(SECTIONS, sections) if rows]


def row(event: dict) -> list[str]:
    kind = event["kind"]
    label = f"{kind} ({event['phase']})" if kind == "step" else kind
    if kind == "update":
        label = f"update {event['parameter']}"
    return [str(event["clock"]), label, str(event["from"]), str(event["to"]), num(event["value"]),
            how(event)]


def how(event: dict) -> str:
    """How the event's value came about, with the numbers, naming the protocol's steps."""
    kind, phase = event["kind"], event.get("phase")
    if kind == "activity":
        if event["from"] == "feeder":
            return "the input value, to the sensor"
        if event["to"] == "teacher":
            return "4. the output's activity, to the teacher"
        return f"3-4. weight {num(event['weight'])} x activity {num(event['activity'])}"
    if kind == "desired":
        return "the desired outputs, to the teacher"
    if kind == "error":
        if event["from"] == "teacher":
            return "the teacher's error dLoss/da for this output"
        if event["to"] == "feeder":
            return "7. the sensor's error dLoss/dx, back to the feeder"
        return f"7. neuron {event['from']}'s error, back along the synapse"
    if kind == "step" and phase == "forward":
        inputs = event["inputs"]
        summed = " + ".join(num(v) for v in inputs) if len(inputs) <= SHOWN else f"sum of {len(inputs)} inputs"
        return (f"1. received {len(inputs)} from {num(event['senders'])}; 2. total input {summed} + bias "
                f"{num(event['bias'])} = {num(event['total_input'])}; activity {event['activation']}"
                f"({num(event['total_input'])}) = {num(event['value'])}")
    if kind == "step" and phase == "teacher":
        if event.get("desired") is None:
            return f"outputs {num(event['outputs'])}; nothing to compare with (predicting only)"
        return (f"outputs {num(event['outputs'])} vs desired {num(event['desired'])}: {event['loss']} loss "
                f"{num(event['value'])}; errors {num(event['errors'])}")
    if kind == "step" and phase == "backward":
        errors, weights = event["errors"], event["weights"]
        terms = " + ".join(f"{num(e)} x {num(w)}" for e, w in zip(errors, weights)) if len(errors) <= SHOWN \
            else f"sum of {len(errors)} terms"
        return (f"5. errors {num(errors)} from {num(event['senders'])}; 6. error = f'(z) x ({terms}) = "
                f"{num(event['derivative'])} x {num(sum(e * w for e, w in zip(errors, weights)))} = "
                f"{num(event['value'])}")
    if kind == "update" and event["parameter"] == "weight":
        return (f"8. gradient {num(event['gradient'])} (error of {event['to']} x activity); 9. weight "
                f"{num(event['old'])} - {num(event['learning_rate'])} x {num(event['gradient'])} "
                f"= {num(event['value'])}")
    if kind == "update":
        return (f"9. bias {num(event['old'])} - {num(event['learning_rate'])} x {num(event['gradient'])} "
                f"= {num(event['value'])}")
    return ""
