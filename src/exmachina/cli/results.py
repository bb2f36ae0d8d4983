"""The end of `exmachina learn`: what the network learned, as a table and a confusion matrix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .common import figure, percent
from .words import shown

CONFUSION_CLASSES = 20  # larger confusion matrices go to the report only


def show(out: Console, figures: dict[str, Any], report: Path | None, plot: Path | None = None) -> None:
    """The end of a run: a table of figures, the confusion matrix, and where things were saved."""
    table = Table(title="What the network learned", title_justify="left")
    table.add_column("")
    table.add_column("accuracy", justify="right")
    table.add_column("loss", justify="right")
    table.add_column("examples", justify="right")
    table.add_row("learned", percent(figures["train_accuracy"]), figure(figures["train_loss"]),
                  str(figures["train_examples"]))
    if figures["test_examples"]:
        table.add_row("test", percent(figures["test_accuracy"]), figure(figures["test_loss"]),
                      str(figures["test_examples"]))
    out.print(table)
    rate = figures["examples_per_second"]
    messages = figures["messages"]
    out.print(f"{figures['epochs']} passes in {figures['seconds']:.1f} s learning "
              f"({figures['wall_seconds']:.1f} s in all), "
              f"{'-' if rate is None else f'{rate:,.0f}'} examples/s"
              + ("" if messages is None else f", {messages:,} messages sent"))
    classes = figures["classes"]
    if len(classes) <= CONFUSION_CLASSES:
        matrix = Table(title=f"Confusion matrix ({figures['confusion_set']} set): rows are the true "
                             "classes, columns the predicted ones", title_justify="left")
        matrix.add_column("true \\ predicted")
        for c in classes:
            matrix.add_column(shown(c), justify="right")
        for c, row in zip(classes, figures["confusion"]):
            matrix.add_row(shown(c), *[str(n) if n else "." for n in row])
        out.print(matrix)
    out.print(f"Model saved to {shown(figures['model'])}" if figures["model"]
              else "Model not saved (add --save MODEL.json to keep it)")
    if report is not None:
        out.print(f"Report written to {shown(report)}")
    if plot is not None:
        out.print(f"Curves and confusion matrix drawn in {shown(plot)}")
