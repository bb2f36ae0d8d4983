"""`exmachina explain`: worked examples with numbers computed by the library as they print."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console

from ..tracing.explain import TOPICS, Grid, Worked
from ..tracing.explain import explain as worked_examples
from . import app, pages
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
    out = pages.console()

    def render() -> None:
        for example in examples:
            show(out, example)

    pages.show(out, render)


def show(out: Console, worked: Worked) -> None:
    """One worked example as wide as the terminal: its title as a rule, its text and its tables."""
    if cell_len(worked.title) + 4 <= out.width:
        out.rule(worked.title, align="left")
    else:  # a rule would cut its title short
        out.print(worked.title)
        out.rule()
    for part in worked.parts:
        if isinstance(part, Grid):
            out.print(pages.table(part.columns, part.rows, out.width), crop=False)
        else:
            out.print(part)
    out.print()
