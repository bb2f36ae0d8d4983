"""`exmachina trace`: each neuron's nine steps for one example (with --all every message), as
tables or as JSON Lines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from ..data import datasets
from ..network.examples import decode
from ..network.network import Network
from ..tracing.explain import COLUMNS, NEURON_COLUMNS, neuron_rows, trace_rows
from ..tracing.runtime import plain
from ..tracing.trace import Trace, trace_example
from . import app, pages
from .checks import data_files, options, outputs_apart
from .common import OneLineErrors, numbers, reported
from .words import printable


def target_of(text: str) -> Any:
    """A class label (an integer or a word) or desired outputs written as numbers with commas."""
    if "," in text:
        return numbers(text, "--target")
    try:
        return int(text)
    except ValueError:
        return text


def example_of(data: str | None, values: str | None, target: str | None, example: int,
               net: Network | None = None) -> tuple:
    """The inputs and the target (or None) of the example to trace, from --data or --values."""
    if values is not None:
        return numbers(values, "--values"), None if target is None else target_of(target)
    if data is None:
        raise ValueError("give --data NAME (e.g. digits) or --values 0.1,0.2,...")
    blueprint = None if net is None else net.blueprint
    loaded = datasets.load(data, features=getattr(blueprint, "features", None),
                           known_label=getattr(blueprint, "label", None))
    inputs, labels = loaded.inputs, loaded.labels
    if not 0 <= example < len(inputs):
        raise ValueError(f"--example {example} is out of range: {data} has examples 0..{len(inputs) - 1}")
    if target is not None:
        return inputs[example].tolist(), target_of(target)
    return inputs[example].tolist(), plain(labels[example]) if len(labels) else None  # no labels: forward only


@app.command(cls=OneLineErrors)
def trace(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="A saved network (JSON or .npz).")],
    data: Annotated[str | None, typer.Option(help=f"Data set to take the example from: {datasets.SOURCES}.")] = None,
    example: Annotated[int, typer.Option(help="Which example of the data set (from 0).")] = 0,
    values: Annotated[str | None, typer.Option(help="The inputs themselves, e.g. 0,0.5,1 (instead of --data).")] = None,
    target: Annotated[
        str | None, typer.Option(help="Class label or desired outputs (a,b,...); --data gives the label.")
    ] = None,
    neuron: Annotated[list[int] | None, typer.Option(metavar="ID", help="Only this neuron (repeatable).")] = None,
    jsonl: Annotated[Path | None, typer.Option(metavar="FILE", help="JSON Lines to this file ('-': stdout).")] = None,
    learn: Annotated[bool, typer.Option(help="Apply the updates, so the weights change (see --save).")] = False,
    learning_rate: Annotated[
        float | None, typer.Option(help="Default: the rate the model learned with, else 0.1.")
    ] = None,
    save: Annotated[Path | None, typer.Option(metavar="FILE", help="With --learn: save the network here.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every message in causal order, not only the summary.")] = False,
) -> None:
    """Every message the neurons exchange for one example, and every number each one computes."""
    with reported():
        if save is not None and not learn:
            raise ValueError("--save needs --learn: without it nothing changes")
        options({"--example": example, "--learning-rate": learning_rate})
        outputs_apart({"--jsonl": jsonl, "--save": save}, {"MODEL": model, "--data": data_files(data)})
        net = Network.load(model)
        inputs, goal = example_of(data, values, target, example, net)
        recorded = trace_example(net, inputs, desired=goal, learn=learn, neurons=neuron,
                                 learning_rate=learning_rate, tag=example)
        for path, write in ((jsonl, recorded.write), (save, net.save)):
            if path is not None and str(path) != "-":
                try:
                    write(path)
                except OSError as bad:  # name the file asked for, not the temporary one beside it
                    raise ValueError(f"{path}: {bad.strerror or bad}") from None
    if jsonl is None:
        show(recorded, model, learn, save, every)
    elif str(jsonl) == "-":
        for line in recorded.lines():
            sys.stdout.write(line + "\n")
    else:
        typer.echo(f"wrote {len(recorded.events) + 1} lines (header and {len(recorded.events)} events) to "
                   f"{printable(jsonl)}")


def show(recorded: Trace, model: Path, learn: bool, save: Path | None, every: bool) -> None:
    """Each neuron's nine steps as a table (and with `every`, every message in causal order before
    it), output neurons named by their class, as wide as the terminal: paged on a terminal, plain
    unpadded text when piped."""
    out = pages.console()
    head = recorded.header
    title = (f"{printable(model)}: {head['network']['neurons']} neurons, layers "
             f"{[len(layer) for layer in head['network']['layers']]}; example {recorded.events[0]['example']}")
    if head.get("learning_rate") is None:
        title += " (forward only: no target)"
    else:
        title += f", learning rate {head['learning_rate']:g}"
    if head.get("neurons") is not None:
        title += f"; only neurons {head['neurons']}"
    named = class_names(head["network"])
    tables = []
    for section, rows in trace_rows(recorded) if every else ():
        rows = [[*map(printable, [*row[:2], named.get(row[2], row[2]), named.get(row[3], row[3]), *row[4:]])]
                for row in rows]
        tables.append(pages.table(COLUMNS, rows, out.width, right=("clock", "value"), title=section))
    rows = [[*map(printable, [named.get(row[0], row[0]), *row[1:]])] for row in neuron_rows(recorded)]
    if rows:
        tables.append(pages.table(NEURON_COLUMNS, rows, out.width, title="Each neuron's nine steps"))
    if learn and head.get("learning_rate") is not None:
        saved = f" and saved to {printable(save)}" if save else " (not saved: add --save FILE)"
        ending = f"The updates were applied{saved}."
    elif head.get("learning_rate") is not None:
        ending = "The updates above were computed but not applied (add --learn to apply them)."
    else:
        ending = ""
    if not every:
        ending += f"{chr(10) if ending else ''}Add --all for every message ({len(recorded.events)} events)."
    guess = prediction(recorded)
    if guess is not None:
        title += f"\nThe network predicts {printable(guess)}."

    def render() -> None:
        out.print(title)
        for table in tables:
            out.print(table, crop=False)
        out.print(ending)

    pages.show(out, render, paged=True)


def class_names(network: dict) -> dict[str, str]:
    """Each output neuron's number, as the tables show it, with the class it stands for."""
    classes, outputs = network.get("classes"), network["outputs"]
    if classes is None:
        return {}
    if len(outputs) == 1 and len(classes) == 2:
        return {str(outputs[0]): f"{outputs[0]} ({printable(plain(classes[1]))} if above 0.5)"}
    return {str(n): f"{n} ({printable(plain(c))})" for n, c in zip(outputs, classes)}


def prediction(recorded: Trace) -> Any:
    """The class the output neurons' activities point to (None when not every output was traced)."""
    network = recorded.header["network"]
    sent = {e["from"]: e["value"] for e in recorded.events if e["kind"] == "activity" and e["to"] == "teacher"}
    if network.get("classes") is None or len(sent) != len(network["outputs"]):
        return None
    outputs = np.array([[sent[n] for n in network["outputs"]]])
    return plain(network["classes"][decode(outputs)[0]])
