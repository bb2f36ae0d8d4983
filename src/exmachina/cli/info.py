"""`exmachina info`: what a saved network is made of and how it was trained."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..network.blueprint import Blueprint
from . import app
from .common import OneLineErrors, console, reported
from .words import shown

LAYER_ROWS = 20  # with more layers, the first and last ten are shown


@app.command(cls=OneLineErrors)
def info(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="A network saved by `exmachina learn --save`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the description as JSON.")] = False,
) -> None:
    """The blueprint of a saved network: layers, neurons, synapses, activations, loss, training."""
    with reported():
        blueprint = Blueprint.load(model)
    facts = describe(blueprint)
    out = console()
    if as_json:
        out.print_json(json.dumps(facts), ensure_ascii=True)  # every control character as \u escapes
        return
    table = Table(title=shown(model), title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value")
    layers = facts["layers"]
    sizes = [str(layer["neurons"]) for layer in layers]
    if len(layers) > LAYER_ROWS:  # a network thousands of layers deep: its ends, and how many between
        sizes = [*sizes[:LAYER_ROWS // 2], f"...({len(layers) - LAYER_ROWS:,} more)...", *sizes[-LAYER_ROWS // 2:]]
    table.add_row("layers", "-".join(sizes) + (f" ({len(layers):,} layers)" if len(layers) > LAYER_ROWS else ""))
    for number, layer in enumerate(layers):
        if len(layers) > LAYER_ROWS and LAYER_ROWS // 2 <= number < len(layers) - LAYER_ROWS // 2:
            if number == LAYER_ROWS // 2:
                table.add_row("  ...", f"{len(layers) - LAYER_ROWS:,} layers more (all of them: --json)")
            continue
        table.add_row(f"  layer {number}", f"{layer['neurons']} {layer['kind']} neurons, "
                                           f"activation {', '.join(layer['activations'])}")
    table.add_row("neurons", f"{facts['neurons']} ({', '.join(f'{n} {k}' for k, n in facts['kinds'].items())})")
    table.add_row("synapses", str(facts["synapses"]))
    table.add_row("loss", facts["loss"])
    table.add_row("classes", "-" if facts["classes"] is None else ", ".join(map(shown, facts["classes"])))
    table.add_row("scaling", facts["scaling"] or "none (the inputs reach the sensors as given)")
    for key, value in facts["training"].items():
        table.add_row(f"training: {shown(key)}", shown(_number(value)))
    if not facts["training"]:
        table.add_row("training", "none recorded")
    out.print(table)


def describe(blueprint: Blueprint) -> dict[str, Any]:
    """The facts `info` shows, as plain data."""
    layers = []
    for members in blueprint.layers():
        kinds = sorted({blueprint.kinds[i] for i in members})
        activations = sorted({blueprint.activations[i] for i in members})
        layers.append({"neurons": len(members), "kind": "/".join(kinds), "activations": activations})
    return {
        "layers": layers,
        "neurons": blueprint.size,
        "kinds": dict(Counter(blueprint.kinds)),
        "synapses": len(blueprint.weights),
        "loss": blueprint.loss,
        "classes": blueprint.classes,
        "scaling": None if blueprint.scaling is None else blueprint.scaling.kind,
        "training": blueprint.training,
    }


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
