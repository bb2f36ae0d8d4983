"""`exmachina explain`: worked examples with numbers computed by the library as they print."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from ..tracing.explain import TOPICS, Grid, Worked
from ..tracing.explain import explain as worked_examples
from . import app
from .common import OneLineErrors, reported


@app.command(cls=OneLineErrors)
def explain(
    topics: Annotated[
        list[str] | None,
        typer.Argument(help=f"Any of: {', '.join(TOPICS)} (default: all of them).", show_default=False),
    ] = None,
) -> None:
    """Step-by-step worked examples: perceptron, NAND, activations, losses, backpropagation."""
    with reported():
        examples = worked_examples(topics or [])
    console = Console(markup=False, highlight=False)
    if not console.is_terminal:
        console = Console(width=max(console.width, 200), no_color=True, highlight=False, markup=False)
    for example in examples:
        show(console, example)


def show(console: Console, worked: Worked) -> None:
    console.rule(worked.title, align="left")
    for part in worked.parts:
        if isinstance(part, Grid):
            table = Table(*part.columns, show_edge=False, box=box.SIMPLE if console.is_terminal else None)
            for row in part.rows:
                table.add_row(*row)
            console.print(table)
        else:
            console.print(part)
    console.print()
