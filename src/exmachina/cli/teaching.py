"""How `learn` plans, teaches and sums up a run: the settings from the data, one call to `fit`, the figures."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Console

from ..actors.losses import loss as find_loss
from ..data.dataset import DataSet
from ..network import checkpoints
from ..network.examples import decode, encode
from ..network.network import Network
from ..tracing.runtime import plain
from . import divergence
from .common import LearningBar, sizes
from .words import shown

PASS_LINES = 20  # with more passes than this, a line for every few passes only
SCORED_AT_ONCE = 4096  # examples predicted at a time when scoring: the copies of a large set stay small


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
    boards: dict[int, Any] = {}  # each pass's scoreboard, read once the pass is done (reading it scores)
    with LearningBar(err, epochs) as bar:

        def progress(epoch: int, board: Any) -> float | None:
            if plan["resume"] and not boards:  # `fit` has taken the checkpoint: say so once
                err.print(resumed, soft_wrap=True)
            if epoch not in boards:
                bar.begin(epoch, board.total)
            boards[epoch] = board
            bar.update(board)
            return watcher.on_progress(epoch, board) if watcher else None

        def after(done: dict) -> None:
            tested_now = done["epoch"] % every == 0 or done["epoch"] == epochs
            # the same weights, tested in one go by the matrix engine
            train = evaluate(net, data, learned, "matrix") if tested_now else {}
            test = evaluate(net, data, tested, "matrix") if tested_now else {}
            board = boards.get(done["epoch"])
            done.update(recent_accuracy=board.recent_accuracy if board else None,
                        train_accuracy=train.get("accuracy"), train_loss=train.get("loss"),
                        test_accuracy=test.get("accuracy"), test_loss=test.get("loss"))
            done.setdefault("messages", None)
            history.append(done)
            if tested_now:
                bar.passed(done)
            divergence.check(net.blueprint, done)

        if plan["resume"]:  # the passes done before, as the checkpoint has them
            at = checkpoints.read(plan["checkpoint"]).position
            history.extend(at.history)
            resumed = (f"Resuming from {shown(str(plan['checkpoint']))}: pass {at.epoch}, after example "
                       f"{min(at.cursor * plan['batch_size'], len(x))}")
        if watcher:
            watcher.hold()  # --paused: until the page resumes
        net.fit(
            x, y, epochs=epochs, learning_rate=plan["learning_rate"], batch_size=plan["batch_size"],
            in_flight=plan["in_flight"], noise=plan["noise"], seed=plan["seed"], engine=plan["engine"],
            on_progress=progress, on_pass=after, shards=plan["shards"], cluster=plan["cluster"],
            partition=plan["partition"] or "spread", checkpoint=plan["checkpoint"], resume=plan["resume"],
            checkpoint_every=plan["checkpoint_every"],
            about={"data": data.name, "test_fraction": plan["test_fraction"], "train_examples": len(learned),
                   "test_examples": len(tested)},
        )


def evaluate(net: Network, data: DataSet, chosen: np.ndarray, engine: str) -> dict[str, Any]:
    """Accuracy, mean loss and the predicted class of each chosen example (None if none chosen)."""
    if not len(chosen):
        return {"accuracy": None, "loss": None, "predicted": np.array([], dtype=np.int64)}
    with net.predicting(engine) as predict:  # one society for every block
        outputs = np.concatenate([predict(data.inputs[chosen[at:at + SCORED_AT_ONCE]])
                                  for at in range(0, len(chosen), SCORED_AT_ONCE)])
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
        "shard_moves": history[-1]["moved"] if plan["shards"] and history else None,
        "confusion": confusion.tolist(),
        "confusion_set": "test" if len(tested) else "train",
        "test_indices": tested.tolist(),
        "test_predictions": [plain(classes[i]) for i in test["predicted"]],
        "history": history,
    }
    return figures
