"""`exmachina learn`: train a network on a data set, watch it learn, keep the model and a report.

The report (`--report FILE.json`) holds these keys:
  data, engine, layers, activation, output_activation, loss, scale, epochs, learning_rate, batch_size,
  in_flight, noise, seed, test_fraction, train_examples, test_examples, classes,
  train_accuracy, train_loss, test_accuracy, test_loss (null without a test set),
  seconds (time spent learning), wall_seconds (the whole run), examples_per_second (while learning),
  messages (messages the neurons sent while learning; null for the matrix engine),
  shards, partition (null in one process), transfers (bundles of messages sent between shards and
  the driver while learning), restarts (shard processes that crashed and were recovered),
  shard_nodes (the Ray node each shard ran on at the end; these three null in one process),
  confusion (test set, or the training set without one: rows are true classes, columns predicted),
  confusion_set ("test" or "train"), test_indices and test_predictions (which examples were held
  back and what the network predicts for each), model (where it was saved, or null), and
  history: one entry per pass with epoch, loss and accuracy (while learning, as the teacher scored
  each example), recent_accuracy (the last 200 predictions of the pass), train_accuracy,
  train_loss, test_accuracy, test_loss (after the pass), seconds, examples_per_second, messages, and
  with --shards also shards, transfers, bytes (of the transfers), restarts and nodes.
  The after-the-pass figures come from the matrix engine on the network's weights (the engines
  agree to 1e-12, and it keeps testing cheap); with more than 20 passes only every few passes are
  measured, the others have null there. The final figures use the chosen --engine.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console

from ..actors.activations import ACTIVATIONS
from ..actors.losses import LOSSES
from ..actors.losses import loss as find_loss
from ..data import builtin, datasets
from ..data.dataset import DataSet
from ..data.scaling import KINDS as SCALINGS
from ..data.scaling import Scaling
from ..network.examples import decode, encode
from ..network.memory import affordable as affordable_layers
from ..network.network import Network
from ..shards.sharded import ShardLost, ray_module
from ..tracing.runtime import plain
from . import app, divergence
from .checks import affordable, data_files, options, outputs_apart, serveable
from .common import (
    FAILED,
    Cluster,
    LearningBar,
    OneLineErrors,
    Partition,
    Shards,
    choose,
    console,
    percent,
    reported,
    sizes,
    write_whole,
)
from .interrupts import cause, say, status, status_of_last
from .plot import draw
from .results import show
from .words import shown

PASS_LINES = 20  # with more passes than this, a line for every few passes only


# the panels of `learn --help`, so that its options read in groups at 80 columns
DATA, NET, LEARN, OUT, VIEW = "Data", "Network", "Learning", "Output", "Live view"


@app.command(cls=OneLineErrors)
def learn(
    data: Annotated[str, typer.Option(rich_help_panel=DATA, help=f"What to learn: {datasets.SOURCES}.")] = "digits",
    layers: Annotated[str | None, typer.Option(rich_help_panel=NET,
        help="Neurons per layer, sensors first and outputs last, e.g. 64,32,10. The first must equal "
             "the data's features and the last its classes (or 1 for two classes). "
             "Default: features,32,classes; truth tables 2,3,1; circle/xor2d 2,8,2; gauss 2,2,2; "
             "spiral 2,16,16,2.", show_default=False)] = None,
    activation: Annotated[str | None, typer.Option(rich_help_panel=NET,
        help=f"Hidden neurons' activation: {', '.join(ACTIVATIONS)}. Default: sigmoid; tanh on the 2-D "
             "sets, leaky_relu on spiral.", show_default=False)] = None,
    output_activation: Annotated[str | None, typer.Option(rich_help_panel=NET,
        help="Output neurons' activation (as --activation). Default: identity for cross_entropy (the teacher applies "
             "softmax), else as --activation.", show_default=False)] = None,
    loss: Annotated[str | None, typer.Option(rich_help_panel=NET,
        help=f"{', '.join(LOSSES)}. Default: cross_entropy; squared for the truth tables.",
        show_default=False)] = None,
    epochs: Annotated[int | None, typer.Option(rich_help_panel=LEARN,
        help="Passes over the training examples. Default: 10; truth tables 1000; circle, xor2d 30; "
             "gauss 10; spiral 200.",
        show_default=False)] = None,
    learning_rate: Annotated[float | None, typer.Option(rich_help_panel=LEARN,
        help="Default: 0.1; truth tables 2.0; spiral 0.03.", show_default=False)] = None,
    in_flight: Annotated[int, typer.Option(rich_help_panel=LEARN,
        help="Examples travelling through the actor network at once.")] = 1,
    batch: Annotated[int, typer.Option(rich_help_panel=LEARN,
        help="Examples per weight update (mini-batch size).")] = 1,
    noise: Annotated[float, typer.Option(rich_help_panel=LEARN,
        help="Gaussian noise on each weighted input while learning, to escape poor solutions.")] = 0.0,
    test_fraction: Annotated[float, typer.Option(rich_help_panel=DATA,
        help="Share of the examples held back to test, stratified by class (truth tables: "
             "learned and tested whole).")] = 0.2,
    seed: Annotated[int, typer.Option(rich_help_panel=LEARN,
        help="Seeds the split, the first weights, the order of examples "
                                           "and the generated data.")] = 0,
    save: Annotated[Path | None, typer.Option(rich_help_panel=OUT,
        metavar="MODEL", help="Save the trained network here (JSON; a name ending in .npz: binary).")] = None,
    report: Annotated[Path | None, typer.Option(rich_help_panel=OUT,
        metavar="REPORT", help="Write the figures as JSON: test_accuracy, train_accuracy, test_loss, train_loss, "
                               "examples_per_second, messages, seconds, epochs, seed, confusion, history "
                               "(one entry per pass) and the settings.")] = None,
    engine: Annotated[str, typer.Option(rich_help_panel=LEARN,
        help="actors: every neuron a process; matrix: layers at once.")] = "actors",
    scale: Annotated[str | None, typer.Option(rich_help_panel=DATA,
        help="Scale each feature, learned from the training examples and saved in the model: standard (mean 0, "
             "spread 1), minmax (0..1) or none. Default: standard for csv, iris and wine; none for the rest, "
             "whose inputs are 0..1 already.", show_default=False)] = None,
    label: Annotated[str | None, typer.Option(rich_help_panel=DATA,
        help="csv: the label column (default: the last).")] = None,
    points: Annotated[int, typer.Option(rich_help_panel=DATA,
        help="2-D sets: how many points.")] = builtin.DEFAULT_POINTS,
    spread: Annotated[float, typer.Option(rich_help_panel=DATA,
        help="2-D sets: how much the classes blur (0 to 0.5).")] = 0.0,
    plot: Annotated[Path | None, typer.Option(rich_help_panel=OUT,
        metavar="FILE", help="Draw the loss and accuracy curves and the confusion matrix here (.png, .svg, .pdf).",
        show_default=False)] = None,
    watch: Annotated[bool, typer.Option(rich_help_panel=VIEW,
        help="Serve a live view of the learning and print its address; the learning waits for a page to "
             "open.")] = False,
    host: Annotated[str, typer.Option(rich_help_panel=VIEW,
        help="With --watch: the address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(rich_help_panel=VIEW, help="With --watch: the port (0: a free one).")] = 0,
    paused: Annotated[bool, typer.Option(rich_help_panel=VIEW,
        help="With --watch: start paused, for the page to resume.")] = False,
    shards: Shards = None,
    cluster: Cluster = None,
    partition: Partition = "spread",
) -> None:
    """Train a network and show it learning: the digits by default, every neuron its own process."""
    started = time.perf_counter()
    out, err = console(), console(stderr=True)
    with reported():
        for option, value, choices in (("--activation", activation, ACTIVATIONS), ("--loss", loss, LOSSES),
                                       ("--output-activation", output_activation, ACTIVATIONS),
                                       ("--scale", scale, SCALINGS)):
            choose(option, value, choices)
        options({"--epochs": epochs, "--learning-rate": learning_rate, "--batch": batch, "--in-flight": in_flight,
                 "--noise": noise, "--engine": engine, "--shards": shards, "--cluster": cluster,
                 "--partition": partition, "--test-fraction": test_fraction, "--seed": seed, "--points": points,
                 "--spread": spread, "--port": port})
        if shards:
            ray_module()  # installed, before any work
        affordable(sizes(layers) if layers else None, points if data in builtin.PLANES else None)
        if watch:
            serveable(host, port)
        outputs_apart({"--save": save, "--report": report, "--plot": plot}, {"--data": data_files(data)})
        data_set = datasets.load(data, label=label, points=points, spread=spread, seed=seed)
        plan = settings(data_set, layers, activation, loss, epochs, learning_rate)
        if layers is None:  # derived from the data: as costly as any given
            affordable_layers(plan["layers"], f"{data_set.name}'s {data_set.features:,} features and "
                                              f"{len(data_set.classes):,} classes make layers "
                                              f"{','.join(map(str, plan['layers']))}")
        plan["scale"] = scale or data_set.defaults.get("scale", "none")
        learned, tested = datasets.split(data_set, test_fraction, seed)
        net = Network.layered(plan["layers"], plan["activation"], output_activation, plan["loss"], seed=seed)
        net.blueprint.classes = list(data_set.classes)
        net.blueprint.features, net.blueprint.label = data_set.names, data_set.label  # predict finds them by name
        net.blueprint.scaling = Scaling.learn(plan["scale"], data_set.inputs[learned], data_set.names)
        plan.update(batch_size=batch, in_flight=in_flight, noise=noise, engine=engine, seed=seed,
                    test_fraction=test_fraction, output_activation=net.blueprint.activations[-1],
                    shards=shards, cluster=cluster, partition=partition if shards else None)
    held = f"{len(tested)} held back to test" if data_set.split else "the same ones tested (a truth table)"
    where = f" on {shards} shards ({partition})" if shards else ""
    history: list[dict] = []
    saved = done = False
    before = identity(save)
    watcher = None
    try:
        out.print(f"Learning {shown(data_set.name)}: {len(learned)} examples, {held}; "
                  f"layers {'-'.join(map(str, plan['layers']))}, {engine} engine{where}")
        with reported():
            if watch:
                from ..watch import serve  # only a watched run pays for the web server

                held_out = (data_set.inputs[tested], data_set.labels[tested]) if len(tested) else None
                watcher = serve(net, data_set.inputs[learned], data_set.labels[learned], held_out, host, port,
                                plan["learning_rate"], plan["epochs"], engine, paused=paused,
                                shards=plan["shards"], partition=plan["partition"] or "spread", wait_for_page=True,
                                replayable=plan["in_flight"] == 1 and not plan["noise"])
            teach(net, data_set, learned, tested, plan, history, err, watcher)
            figures = summarise(net, data_set, learned, tested, plan, history)
            if save is not None:
                net.save(save)
                saved = True
            figures["model"] = None if save is None else str(save)
            figures["wall_seconds"] = time.perf_counter() - started
            if report is not None:
                write_whole(report, divergence.strict_json(figures))
            if plot is not None:
                draw(figures, plot)
            done = True
    except KeyboardInterrupt as stop:
        saved = saved or identity(save) != before  # a stop may land the moment the new file took its place
        say(interrupted(history, plan["epochs"], save, saved, cause(stop)))
        raise typer.Exit(status(stop)) from None
    except divergence.Diverged as diverged:
        if report is not None:  # what happened, pass by pass, for whoever looks into it
            with reported():
                figures = summarise(net, data_set, learned, tested, plan, history)
                write_whole(report, divergence.strict_json({**figures, "model": None, "diverged": diverged.epoch}))
        err.print(f"[bold red]error:[/] {shown(divergence.line(diverged, plan['learning_rate'], save))}",
                  soft_wrap=True)
        raise typer.Exit(FAILED) from None
    except ShardLost as lost:
        kept = "nothing saved"
        if save is not None:
            with reported():
                Network(lost.model).save(save)
            kept = f"the last checkpointed model was saved to {save}"
        err.print(f"[bold red]error:[/] {shown(lost)}; {shown(kept)}", soft_wrap=True)
        raise typer.Exit(FAILED) from None
    finally:
        if watcher is not None:
            watcher.finish()
            if not done:  # failed or interrupted: nothing more to show
                watcher.close()
    show(out, figures, report, plot)
    if watcher is not None:
        watcher.serve_until_interrupted(lambda line: err.print(shown(line), soft_wrap=True))
        stopped = status_of_last()
        if stopped is not None:  # served until a stop: its status, as every command ends on one
            raise typer.Exit(stopped)


def identity(path: Path | None) -> tuple | None:
    """Which file a name stands for now (a file written whole takes the old one's place as a new file)."""
    try:
        found = path.stat() if path is not None else None
    except OSError:
        return None
    return None if found is None else (found.st_dev, found.st_ino, found.st_mtime_ns)


def interrupted(history: list[dict], epochs: int, save: Path | None, saved: bool, by: str = "Ctrl-C") -> str:
    """What a stop left behind: the passes completed, and the model file untouched (or saved)."""
    if len(history) < epochs:
        line = f"interrupted during pass {len(history) + 1} of {epochs} ({by}): {len(history)} passes completed"
    else:
        line = f"interrupted after all {epochs} passes ({by}), while {'writing the report' if saved else 'finishing'}"
    if history:
        last = history[-1]
        line += (f" (after pass {last['epoch']}: accuracy while learning {percent(last['accuracy'])}, "
                 f"test {percent(last['test_accuracy'])})")
    if saved:
        return f"{line}; the model was saved to {save}"
    if save is not None and save.exists():
        return f"{line}; {save} left as it was"
    return f"{line}; nothing saved"


def settings(data: DataSet, layers: str | None, activation: str | None, loss: str | None,
             epochs: int | None, learning_rate: float | None) -> dict[str, Any]:
    """What to build and how to learn: the options given, else the data set's own defaults."""
    defaults = data.defaults
    plan = {
        "activation": activation or defaults["activation"],
        "loss": loss or defaults["loss"],
        "epochs": defaults["epochs"] if epochs is None else epochs,
        "learning_rate": defaults["learning_rate"] if learning_rate is None else learning_rate,
    }
    classes = len(data.classes)
    if classes < 2:
        raise ValueError(f"{data.name}: every example has the same label {data.classes[0]!r}: nothing to learn")
    outputs = defaults.get("outputs", classes)
    if layers is None:
        plan["layers"] = [data.features, *defaults["hidden"], outputs]
    else:
        plan["layers"] = sizes(layers)
        first, last = plan["layers"][0], plan["layers"][-1]
        hint = f"try --layers {','.join(map(str, [data.features, *plan['layers'][1:-1], outputs]))}"
        if len(plan["layers"]) < 2:
            raise ValueError(f"--layers {layers}: give at least the sensors and the outputs; {hint}")
        if first != data.features:
            raise ValueError(f"--layers {layers}: the first layer has {first} sensors but {data.name} has "
                             f"{data.features} features; {hint}")
        if last != classes and not (last == 1 and classes == 2):
            raise ValueError(f"--layers {layers}: the last layer has {last} outputs but {data.name} has "
                             f"{classes} classes; {hint}")
    if plan["layers"][-1] == 1 and plan["loss"] == "cross_entropy":
        raise ValueError("cross_entropy needs an output neuron per class; with one output use --loss squared")
    return plan


def teach(net: Network, data: DataSet, learned: np.ndarray, tested: np.ndarray, plan: dict,
          history: list[dict], err: Console, watcher: Any = None) -> None:
    """Learn in one call to `fit`, testing after the passes; `history` grows as passes complete.

    With many passes (a truth table takes a thousand) the network is tested, and a line
    printed, every few passes only.
    """
    x, y = data.inputs[learned], data.labels[learned]
    epochs = plan["epochs"]
    every = max(1, epochs // PASS_LINES)
    recent: dict[int, float | None] = {}
    with LearningBar(err, epochs) as bar:

        def progress(epoch: int, board: Any) -> float | None:
            if epoch not in recent:
                bar.begin(epoch, board.total)
            recent[epoch] = board.recent_accuracy
            bar.update(board)
            return watcher.on_progress(epoch, board) if watcher else None

        def after(done: dict) -> None:
            tested_now = done["epoch"] % every == 0 or done["epoch"] == epochs
            # the same weights, tested in one go by the matrix engine
            train = evaluate(net, data, learned, "matrix") if tested_now else {}
            test = evaluate(net, data, tested, "matrix") if tested_now else {}
            done.update(recent_accuracy=recent.get(done["epoch"]),
                        train_accuracy=train.get("accuracy"), train_loss=train.get("loss"),
                        test_accuracy=test.get("accuracy"), test_loss=test.get("loss"))
            done.setdefault("messages", None)
            history.append(done)
            if tested_now:
                bar.passed(done)
            divergence.check(net.blueprint, done)

        if watcher:
            watcher.hold()  # --paused: until the page resumes
        net.fit(
            x, y, epochs=epochs, learning_rate=plan["learning_rate"], batch_size=plan["batch_size"],
            in_flight=plan["in_flight"], noise=plan["noise"], seed=plan["seed"], engine=plan["engine"],
            on_progress=progress, on_pass=after, shards=plan["shards"], cluster=plan["cluster"],
            partition=plan["partition"] or "spread",
            about={"data": data.name, "test_fraction": plan["test_fraction"], "train_examples": len(learned),
                   "test_examples": len(tested)},
        )


def evaluate(net: Network, data: DataSet, chosen: np.ndarray, engine: str) -> dict[str, Any]:
    """Accuracy, mean loss and the predicted class of each chosen example (None if none chosen)."""
    if not len(chosen):
        return {"accuracy": None, "loss": None, "predicted": np.array([], dtype=np.int64)}
    outputs = net.predict(data.inputs[chosen], engine=engine)
    truth, desired = encode(data.labels[chosen], net.blueprint.classes, net.outputs)
    losses, _ = find_loss(net.blueprint.loss).measure(outputs.T, desired.T)
    predicted = decode(outputs)
    return {"accuracy": float(np.mean(predicted == truth)), "loss": float(np.mean(losses)),
            "predicted": predicted, "truth": truth}


def summarise(net: Network, data: DataSet, learned: np.ndarray, tested: np.ndarray, plan: dict,
              history: list[dict]) -> dict[str, Any]:
    """The figures of the run, as the report holds them (`fit` records its own in the model)."""
    train = evaluate(net, data, learned, plan["engine"])
    test = evaluate(net, data, tested, plan["engine"])
    seconds = sum(h["seconds"] for h in history)
    examples = sum(h["examples"] for h in history)
    messages = None if plan["engine"] != "actors" else sum(h["messages"] for h in history)
    shown = test if len(tested) else train
    classes = net.blueprint.classes
    confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
    np.add.at(confusion, (shown["truth"], shown["predicted"]), 1)
    figures = {
        "data": data.name,
        "engine": plan["engine"],
        "layers": plan["layers"],
        "activation": plan["activation"],
        "output_activation": plan["output_activation"],
        "loss": plan["loss"],
        "scale": plan["scale"],
        "epochs": len(history),
        "learning_rate": net.blueprint.training.get("learning_rate", plan["learning_rate"]),  # as it ended
        "batch_size": plan["batch_size"],
        "in_flight": plan["in_flight"],
        "noise": plan["noise"],
        "seed": plan["seed"],
        "test_fraction": plan["test_fraction"],
        "train_examples": int(len(learned)),
        "test_examples": int(len(tested)),
        "classes": [plain(c) for c in classes],
        "train_accuracy": train["accuracy"],
        "train_loss": train["loss"],
        "test_accuracy": test["accuracy"],
        "test_loss": test["loss"],
        "seconds": seconds,
        "examples_per_second": examples / seconds if seconds else None,
        "messages": messages,
        "shards": plan["shards"],
        "partition": plan["partition"],
        "transfers": sum(h["transfers"] for h in history) if plan["shards"] else None,
        "restarts": sum(h["restarts"] for h in history) if plan["shards"] else None,
        "shard_nodes": history[-1]["nodes"] if plan["shards"] and history else None,
        "confusion": confusion.tolist(),
        "confusion_set": "test" if len(tested) else "train",
        "test_indices": tested.tolist(),
        "test_predictions": [plain(classes[i]) for i in test["predicted"]],
        "history": history,
    }
    return figures
