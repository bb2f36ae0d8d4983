"""`exmachina learn`: train a network on a data set, watch it learn, keep the model and a report.

The report (`--report FILE.json`) holds these keys:
  data, engine, layers, activation, output_activation, loss, scale, epochs, learning_rate, batch_size,
  in_flight, noise, seed, test_fraction, train_examples, test_examples, classes,
  train_accuracy, train_loss, test_accuracy, test_loss (null without a test set),
  seconds (time spent learning), wall_seconds (the whole run), examples_per_second (while learning),
  messages (messages the neurons sent while learning; null for the matrix engine),
  shards, partition (null in one process), transfers (bundles of messages sent between shards and
  the driver while learning), restarts (shard processes that crashed and were recovered),
  shard_nodes (the Ray node each shard ran on at the end), shard_moves (each shard restarted on another
  node because its own was lost: shard, from, to; these four null in one process),
  confusion (test set, or the training set without one: rows are true classes, columns predicted),
  confusion_set ("test" or "train"), test_indices and test_predictions (which examples were held
  back and what the network predicts for each), model (where it was saved, or null), and
  history: one entry per pass with epoch, loss and accuracy (while learning, as the teacher scored
  each example), recent_accuracy (the last 200 predictions of the pass), train_accuracy,
  train_loss, test_accuracy, test_loss (after the pass), seconds, examples_per_second, messages, and
  with --shards also shards, transfers, bytes (of the transfers), restarts, nodes and moved (as shard_moves).
  The after-the-pass figures come from the matrix engine on the network's weights (the engines
  agree to 1e-12, and it keeps testing cheap); with more than 20 passes only every few passes are
  measured, the others have null there. The final figures use the chosen --engine.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ..actors.activations import ACTIVATIONS
from ..actors.losses import LOSSES
from ..data import builtin, datasets
from ..data.scaling import KINDS as SCALINGS
from ..data.scaling import Scaling
from ..network import checkpoints
from ..network.memory import affordable as affordable_layers
from ..network.network import Network
from ..network.training import Training
from ..shards.sharded import ShardLost
from ..shards.starting import RayUnavailable, ray_module
from . import app, divergence, resuming
from .checks import affordable, data_files, options, outputs_apart, serveable
from .common import (
    FAILED,
    Cluster,
    OneLineErrors,
    Partition,
    Shards,
    choose,
    console,
    fail,
    percent,
    reported,
    sizes,
    write_whole,
)
from .interrupts import cause, say, status, status_of_last
from .plot import draw
from .results import show
from .teaching import settings, summarise, teach
from .words import shown

EVERY = Training().checkpoint_every
# the panels of `learn --help`, so that its options read in groups at 80 columns
DATA, NET, LEARN, OUT, VIEW = "Data", "Network", "Learning", "Output", "Live view"


@app.command(cls=OneLineErrors)
def learn(
    ctx: typer.Context,
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
    checkpoint: Annotated[Path | None, typer.Option(rich_help_panel=OUT, metavar="DIR",
        help="Keep the run's state in the folder DIR, every --checkpoint-every examples and after each pass, so "
             "that --resume DIR can finish it.", show_default=False)] = None,
    checkpoint_every: Annotated[int, typer.Option(rich_help_panel=OUT, metavar="N",
        help="With --checkpoint or --shards: examples (batches) between checkpoints.")] = EVERY,
    resume: Annotated[Path | None, typer.Option(rich_help_panel=OUT, metavar="DIR",
        help="Finish the run whose checkpoints are in DIR, with its options, to the same weights.",
        show_default=False)] = None,
) -> None:
    """Train a network and show it learning: the digits by default, every neuron its own process."""
    given = dict(locals())
    if resume is not None and ctx is not None:  # as given: the run's options from its checkpoint folder
        with reported():
            extra = resuming.given_too(ctx, list(given))
            if extra:
                raise ValueError(f"--resume {resume}: the run's options are its own (in {resume}); leave out "
                                 f"--{extra[0].replace('_', '-')}")
            kept = resuming.options(resume, learn)
        return learn(None, **kept, checkpoint=resume, resume=resume)
    started = time.perf_counter()
    out, err = console(), console(stderr=True)
    with reported():
        if checkpoint is not None and resume is None:
            checkpoints.prepare(checkpoint, make=False)
        for option, value, choices in (("--activation", activation, ACTIVATIONS), ("--loss", loss, LOSSES),
                                       ("--output-activation", output_activation, ACTIVATIONS),
                                       ("--scale", scale, SCALINGS)):
            choose(option, value, choices)
        options({"--epochs": epochs, "--learning-rate": learning_rate, "--batch": batch, "--in-flight": in_flight,
                 "--noise": noise, "--engine": engine, "--shards": shards, "--cluster": cluster,
                 "--partition": partition, "--test-fraction": test_fraction, "--seed": seed, "--points": points,
                 "--spread": spread, "--port": port, "--checkpoint-every": checkpoint_every})
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
                    shards=shards, cluster=cluster, partition=partition if shards else None,
                    checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume is not None)
        if checkpoint is not None and resume is None:
            resuming.keep(checkpoint, given)
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
        say(interrupted(history, plan["epochs"], save, saved, cause(stop)) + resumable(checkpoint))
        raise typer.Exit(status(stop)) from None
    except divergence.Diverged as diverged:
        if report is not None:  # what happened, pass by pass, for whoever looks into it
            with reported():
                figures = summarise(net, data_set, learned, tested, plan, history)
                write_whole(report, divergence.strict_json({**figures, "model": None, "diverged": diverged.epoch}))
        err.print(f"[bold red]error:[/] {shown(divergence.line(diverged, plan['learning_rate'], save))}",
                  soft_wrap=True)
        raise typer.Exit(FAILED) from None
    except RayUnavailable as failed:
        fail(str(failed), FAILED)
    except ShardLost as lost:
        kept = "nothing saved"
        if save is not None:
            with reported():
                Network(lost.model).save(save)
            kept = f"the last checkpointed model was saved to {save}"
        err.print(f"[bold red]error:[/] {shown(lost)}; {shown(kept + resumable(checkpoint))}", soft_wrap=True)
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


def resumable(checkpoint: Path | None) -> str:
    """What a stopped run with checkpoints can do next (nothing, before its first checkpoint)."""
    if checkpoint is None or not (checkpoint / checkpoints.STATE).exists():
        return ""
    return f"; exmachina learn --resume {checkpoint} goes on from its last checkpoint"


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
