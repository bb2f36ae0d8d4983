"""`exmachina plot REPORT.json`: the loss and accuracy curves of a run and its confusion matrix, as
a picture drawn by matplotlib (`learn --plot FILE.png` draws the same at the end of a run)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..data.files import atomic_file
from ..data.reading import read_json
from . import app
from .checks import outputs_apart
from .common import OneLineErrors, reported
from .words import printable

CURVES = (("loss", "loss"), ("accuracy", "accuracy"))
SETS = (("", "while learning", ":"), ("train_", "learned (after the pass)", "-"), ("test_", "test", "-"))


@app.command(cls=OneLineErrors)
def plot(
    report: Annotated[Path, typer.Argument(metavar="REPORT", help="A report written by `learn --report`.")],
    output: Annotated[Path | None, typer.Option(
        metavar="FILE", help="The picture to write (.png, .svg or .pdf). Default: the report's name with .png.",
        show_default=False)] = None,
) -> None:
    """Draw a run's loss and accuracy, pass by pass, and its confusion matrix."""
    picture = output or report.with_suffix(".png")
    with reported():
        outputs_apart({"--output": picture}, {"REPORT": report})
        figures = read(report)
        draw(figures, picture)
    typer.echo(f"Drew {printable(picture)}")


def read(path: Path) -> dict[str, Any]:
    """A learn report, checked for what the picture needs."""
    figures = read_json(path)  # with bounds: a device or a bomb is refused, not read
    keys = ("history", "confusion", "classes", "confusion_set", "data")
    if not isinstance(figures, dict) or any(key not in figures for key in keys):
        raise ValueError(f"{path}: not a report of `exmachina learn --report` (it needs {', '.join(keys)})")
    if not figures["history"]:
        raise ValueError(f"{path}: the report has no passes to draw")
    wrong = _wrong(figures)
    if wrong:
        raise ValueError(f"{path}: not a report of `exmachina learn --report`: {wrong}")
    return figures


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _wrong(figures: dict[str, Any]) -> str | None:
    """What in a report the picture could not use (None: nothing), read as `learn` writes it."""
    history, classes, confusion = figures["history"], figures["classes"], figures["confusion"]
    if not isinstance(history, list) or not all(isinstance(h, dict) and _number(h.get("epoch")) for h in history):
        return "\"history\" must be a list of passes, each with its number in \"epoch\""
    for h in history:
        for key in (prefix + name for prefix, _, _ in SETS for name, _ in CURVES):
            if h.get(key) is not None and not _number(h[key]):
                return f"pass {h['epoch']}: {key} must be a number or null, not {h[key]!r}"
    if not isinstance(classes, list) or not all(isinstance(c, str) or _number(c) for c in classes):
        return "\"classes\" must be a list of class names"
    if not (isinstance(confusion, list) and len(confusion) == len(classes) and all(
            isinstance(row, list) and len(row) == len(classes) and all(_number(n) and n >= 0 for n in row)
            for row in confusion)):
        return f"\"confusion\" must be {len(classes)} rows of {len(classes)} counts, a row and a column per class"
    if not all(isinstance(figures[key], str) for key in ("confusion_set", "data")):
        return "\"confusion_set\" and \"data\" must be words"
    layers = figures.get("layers")
    if layers is not None and not (isinstance(layers, list) and all(_number(n) for n in layers)):
        return "\"layers\" must be a list of sizes"
    return None


def draw(figures: dict[str, Any], path: Path) -> None:
    """Loss and accuracy over the passes (while learning, learned, test) and the confusion matrix."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    matplotlib.rcParams["svg.fonttype"] = "none"  # words in an SVG stay words
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    kind = path.suffix.lstrip(".").lower() or "png"
    if kind not in ("png", "svg", "pdf"):
        raise ValueError(f"{path}: write a .png, .svg or .pdf picture")
    history = figures["history"]
    figure = Figure(figsize=(14, 4.2), layout="constrained")
    loss_axes, accuracy_axes, matrix_axes = figure.subplots(1, 3, width_ratios=[1, 1, 0.9])
    for axes, (key, name) in zip((loss_axes, accuracy_axes), CURVES):
        for prefix, label, style in SETS:
            points = [(h["epoch"], h[prefix + key]) for h in history if h.get(prefix + key) is not None]
            if points:
                axes.plot(*zip(*points), style, marker="o" if len(points) < 30 else None, label=label)
        axes.set(title=name, xlabel="pass", ylabel=name)
        axes.grid(alpha=0.3)
        axes.legend()
    accuracy_axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    classes = [str(c) for c in figures["classes"]]
    confusion = figures["confusion"]
    matrix_axes.imshow(confusion, cmap="Blues")
    if len(classes) <= 20:
        top = max(max(row) for row in confusion) or 1
        for i, row in enumerate(confusion):
            for j, n in enumerate(row):
                if n:
                    matrix_axes.text(j, i, str(n), ha="center", va="center",
                                     color="white" if n > top / 2 else "black", fontsize=8)
        matrix_axes.set_xticks(range(len(classes)), classes, rotation=90 if max(map(len, classes)) > 2 else 0)
        matrix_axes.set_yticks(range(len(classes)), classes)
    matrix_axes.set(title=f"confusion matrix ({figures['confusion_set']} set)", xlabel="predicted", ylabel="true")
    figure.suptitle(f"exmachina learn --data {figures['data']}: layers {'-'.join(map(str, figures['layers']))}"
                    if "layers" in figures else f"exmachina learn --data {figures['data']}")
    with atomic_file(path, "wb") as f:
        figure.savefig(f, format=kind, dpi=100)
