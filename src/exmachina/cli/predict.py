"""`exmachina predict`: what a saved network says about data, and how often it is right."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ..data import builtin, datasets, formats
from ..network.examples import decode, probabilities
from ..network.network import Network
from ..network.training import ENGINES
from ..shards.starting import RayUnavailable, ray_module
from ..tracing.runtime import plain
from . import app
from .checks import affordable, data_files, options, outputs_apart
from .common import (
    FAILED,
    Cluster,
    OneLineErrors,
    Partition,
    Shards,
    console,
    fail,
    numbers,
    percent,
    reported,
    write_whole,
)
from .words import shown

PROBABILITY_COLUMNS = 10  # with more classes, only the predicted class's probability is shown


@app.command(cls=OneLineErrors)
def predict(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="A network saved by `exmachina learn --save`.")],
    data: Annotated[str | None, typer.Option(help=f"Examples to predict: {datasets.SOURCES}.")] = None,
    values: Annotated[list[str] | None, typer.Option(
        metavar="X,Y,...", help="One example's inputs, e.g. 0,1 (repeat for more examples).")] = None,
    label: Annotated[str | None, typer.Option(
        help="csv: the label column (default: the one the model learned from, found by name; for a model "
             "without names, the last, unless the file has only the model's features).")] = None,
    output: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Write every prediction to this CSV file: example, predicted, label and each output "
                         "neuron's activity (output_0, output_1, ...).")] = None,
    show: Annotated[int, typer.Option(help="How many predictions to print (0: all).")] = 20,
    engine: Annotated[str, typer.Option(help=f"{' or '.join(ENGINES)}.")] = "actors",
    points: Annotated[int, typer.Option(help="2-D sets: how many points.")] = builtin.DEFAULT_POINTS,
    spread: Annotated[float, typer.Option(help="2-D sets: how much the classes blur.")] = 0.0,
    seed: Annotated[int, typer.Option(help="2-D sets: the seed that generates them.")] = 0,
    shards: Shards = None,
    cluster: Cluster = None,
    partition: Partition = "spread",
) -> None:
    """Predict with a saved network; with labels, also how many it gets right."""
    out = console()
    with reported():
        if (data is None) == (not values):
            raise ValueError("give either --data SOURCE or --values X,Y,... (one of them)")
        options({"--engine": engine, "--shards": shards, "--cluster": cluster, "--partition": partition,
                 "--show": show, "--points": points, "--spread": spread, "--seed": seed})
        if shards:
            ray_module()  # installed, before any work
        affordable(None, points if data in builtin.PLANES else None)
        outputs_apart({"--output": output}, {"MODEL": model, "--data": data_files(data)})
        net = Network.load(model)
        names, inputs, labels = examples(net, data, values, label, points, spread, seed)
        check_labels(net, names, labels)
        try:
            outputs = net.predict(inputs, engine=engine, shards=shards, cluster=cluster, partition=partition)
        except ValueError as bad:
            raise ValueError(f"{data or '--values'}: {bad}") from None
        except RayUnavailable as failed:
            fail(str(failed), FAILED)
        classes = net.blueprint.classes
        predicted = None if classes is None else [plain(classes[i]) for i in decode(outputs)]
        if output is not None:
            write_whole(output, as_csv(outputs, predicted, labels))
    listing(out, names, outputs, net, labels, show)
    if predicted is not None and labels is not None:
        right = sum(p == t for p, t in zip(predicted, labels))
        out.print(f"accuracy: {percent(right / len(labels))} ({right} of {len(labels)} right)")
    if output is not None:
        out.print(f"Predictions written to {shown(output)}")


def examples(net: Network, data: str | None, values: list[str] | None, label: str | None, points: int,
             spread: float, seed: int) -> tuple[list[str], np.ndarray, list | None]:
    """Where each example came from, the inputs, and the labels when the data has them."""
    if values:
        rows = [numbers(v, "--values") for v in values]
        for row in rows:
            if len(row) != net.sensors:
                raise ValueError(f"--values {','.join(f'{v:g}' for v in row)}: {len(row)} values but the "
                                 f"network has {net.sensors} sensors")
        return [f"--values {v}" for v in values], np.array(rows), None
    kind, _, path = data.partition(":")
    header = formats.table_header(path) if kind == "csv" and path else []
    features = net.blueprint.features
    if header and features is not None:
        if set(header) & {*features, net.blueprint.label, label}:  # the columns it learned, by name
            found = formats.table(path, label, features=features, known_label=net.blueprint.label)
            return found.where, found.inputs, None if found.label is None else [plain(v) for v in found.labels]
        console(stderr=True).print(f"[yellow]note:[/] {shown(path)} names none of the columns the model learned "
                                   f"from ({shown(', '.join(features))}): its columns are taken in their order",
                                   soft_wrap=True)
    if kind == "csv" and label is None and path and len(header) == net.sensors:
        found = formats.table(path, labelled=False)
        return found.where, found.inputs, None
    found = datasets.load(data, label=label, points=points, spread=spread, seed=seed)
    if found.features != net.sensors:
        raise ValueError(f"{found.name}: the examples have {found.features} features but the network has "
                         f"{net.sensors} sensors")
    return [found.origin(i) for i in range(found.examples)], found.inputs, [plain(v) for v in found.labels]


def check_labels(net: Network, names: list[str], labels: list | None) -> None:
    """Labels the network has never seen cannot be scored: say which and where."""
    if labels is None:
        return
    classes = net.blueprint.classes
    if classes is None:
        raise ValueError("this network was not trained on class labels, so it cannot score labelled data")
    known = set(classes)
    for name, value in zip(names, labels):
        if value not in known:
            raise ValueError(f"{name}: label {value!r} is not one the model knows ({', '.join(map(str, classes))})")


def listing(out: Console, names: list[str], outputs: np.ndarray, net: Network, labels: list | None,
            show: int) -> None:
    """The first `show` examples as a table: where each came from (its inputs, for --values), the
    predicted class, the label, and each class's probability; a regressor's outputs instead."""
    count = len(outputs) if show == 0 else min(show, len(outputs))
    classes = net.blueprint.classes
    each = classes is not None and len(classes) <= PROBABILITY_COLUMNS
    table = Table(title=f"Predictions ({count} of {len(outputs)})"
                  + (", and each class's probability" if each else ""), title_justify="left")
    table.add_column("inputs" if names[0].startswith("--values") else "example", justify="right")
    if classes is None:
        table.add_column("outputs", justify="right")
        for i in range(count):
            table.add_row(_name(names[i], i), " ".join(f"{v:.4g}" for v in outputs[i]))
        out.print(table)
        return
    chances = probabilities(outputs, net.blueprint.loss)
    picked = decode(outputs)
    table.add_column("predicted", justify="right")
    if labels is not None:
        table.add_column("label", justify="right")
    for c in classes if each else ["probability"]:
        table.add_column(shown(plain(c)), justify="right")
    for i in range(count):
        row = [_name(names[i], i), shown(plain(classes[picked[i]]))]
        if labels is not None:
            right = labels[i] == plain(classes[picked[i]])
            row.append(shown(labels[i]) if right else f"[red]{shown(labels[i])}[/]")
        row += [f"{p:.2f}" for p in chances[i]] if each else [f"{chances[i, picked[i]]:.2f}"]
        table.add_row(*row)
    out.print(table)


def _name(name: str, i: int) -> str:
    """An example as the table names it: its inputs for --values, else its number."""
    return shown(name.removeprefix("--values ")) if name.startswith("--values") else str(i)


def as_csv(outputs: np.ndarray, predicted: list | None, labels: list | None) -> str:
    """Every prediction: example number, predicted class, label (if known), output activities."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    head = ["example"] + (["predicted"] if predicted is not None else []) + (["label"] if labels is not None else [])
    writer.writerow(head + [f"output_{j}" for j in range(outputs.shape[1])])
    for i, row in enumerate(outputs):
        words = ([predicted[i]] if predicted is not None else []) + ([labels[i]] if labels is not None else [])
        writer.writerow([i, *map(inert, words), *(repr(float(v)) for v in row)])
    return text.getvalue()


def inert(word: Any) -> Any:
    """A class name as a spreadsheet cannot run it: text that starts like a formula gets a leading `'`
    (OWASP's advice on CSV injection); a number such as -1 stays the number it is."""
    text = str(word)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return word
