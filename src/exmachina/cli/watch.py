"""`exmachina watch MODEL --data ...`: a saved network in the live view, inspected or learning on."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ..data import datasets
from ..network.network import Network
from ..tracing.trace import learning_rate_of
from . import app
from .checks import data_files, options, outputs_apart, serveable
from .common import OneLineErrors, reported
from .interrupts import say, status, status_of_last
from .words import printable


@app.command(cls=OneLineErrors)
def watch(
    model: Annotated[Path | None, typer.Argument(
        help="A saved network (JSON or .npz), as `learn` writes it. Without one, a playground: the page chooses "
             "the data, the layers and how to learn, and restarts the learning.", show_default=False)] = None,
    data: Annotated[str, typer.Option(help=f"The data set to show it: {datasets.SOURCES}.")] = "digits",
    epochs: Annotated[int, typer.Option(help="Passes to learn while you watch (0: only inspect the model).")] = 0,
    learning_rate: Annotated[float | None, typer.Option(
        help="Default: the rate the model learned with, else 0.1.")] = None,
    test_fraction: Annotated[float, typer.Option(help="Share of the data held out for the held-out curves.")] = 0.2,
    seed: Annotated[int, typer.Option(help="Seed for the held-out split and the order of examples.")] = 0,
    save: Annotated[Path | None, typer.Option(help="With --epochs, save the network here when it is done.")] = None,
    host: Annotated[str, typer.Option(help="Address to serve on (not the loopback: a warning).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on (0: a free one).")] = 0,
    paused: Annotated[bool, typer.Option(help="With --epochs: start paused, for the page to resume.")] = False,
) -> None:
    """Serve the live view of a saved network; with --epochs, watch it learn on. Ctrl-C stops it."""
    from ..watch import serve  # only this command pays for the web stack

    watcher = None
    try:
        with reported():
            options({"--epochs": epochs, "--learning-rate": learning_rate, "--test-fraction": test_fraction,
                     "--seed": seed, "--port": port})
            if save is not None and not epochs:
                raise ValueError("--save needs --epochs: without learning nothing changes")
            serveable(host, port)
            if model is None:
                return playground(data, epochs or 100, learning_rate, test_fraction, seed, host, port, paused)
            outputs_apart({"--save": save}, {"MODEL": model, "--data": data_files(data)})
            net = Network.load(model)
            loaded = datasets.load(data, seed=seed, features=net.blueprint.features, known_label=net.blueprint.label)
            if not len(loaded.labels):
                raise ValueError(f"{data}: no column of classes ({net.blueprint.label!r}, as the model learned) "
                                 "to show the model on")
            inputs, labels = loaded.inputs, loaded.labels
            rate = learning_rate_of(net, learning_rate)
            learn, held = datasets.split(loaded, test_fraction, seed)
            watcher = serve(net, inputs[learn], labels[learn],
                            held_out=(inputs[held], labels[held]) if len(held) else None,
                            host=host, port=port, learning_rate=rate, epochs=epochs or None,
                            paused=paused and bool(epochs), wait_for_page=bool(epochs))
            try:
                if epochs:
                    watcher.hold()  # --paused: until the page resumes
                    net.fit(inputs[learn], labels[learn], epochs=epochs, learning_rate=rate, seed=seed,
                            on_progress=watcher.on_progress)
                    if save is not None:
                        net.save(save)
                    watcher.finish()
                    typer.echo(f"finished {epochs} passes{f'; saved to {printable(save)}' if save else ''}", err=True)
                else:
                    watcher.finish(f"this is the saved model {model.name}, shown on {data}; nothing is "
                                   "learning (add --epochs N to watch it learn on)")
            except (ValueError, OSError) as bad:
                watcher.finish(str(bad), failed=True)  # a page still open says why it stopped
                raise
    except KeyboardInterrupt as stop:
        say("stopped")
        if watcher is not None:
            watcher.close()
        raise typer.Exit(status(stop)) from None
    except BaseException:
        if watcher is not None:
            watcher.close()
        raise
    watcher.serve_until_interrupted(lambda line: typer.echo(printable(line), err=True))
    stopped = status_of_last()
    if stopped is not None:  # served until a stop: its status, as every command ends on one
        raise typer.Exit(stopped)


def playground(data: str, epochs: int, learning_rate: float | None, test_fraction: float, seed: int, host: str,
               port: int, paused: bool) -> None:
    """Learn what the page chooses, restarting when it asks, until Ctrl-C."""
    from ..watch.playground import Playground

    asked = {"data": data, "test_fraction": test_fraction}
    if learning_rate is not None:
        asked["learning_rate"] = learning_rate
    ground = Playground(asked, epochs, seed)
    try:
        ground.serve(host=host, port=port, paused=paused, wait_for_page=True)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt as stop:
        say("stopped")
        raise typer.Exit(status(stop)) from None
    finally:
        ground.close()
