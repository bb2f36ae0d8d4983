"""The live view as a playground: the page chooses the data, the layers, the activation and how to
learn, and restarts the training with them (`exmachina watch --data xor2d`, with no model).

The settings travel as a small JSON object, checked here whole before anything restarts; the page
keeps them in its address, so that a view can be shared.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from ..actors.activations import ACTIVATIONS
from ..data import datasets
from ..network.network import Network
from .pictures import Pictures
from .session import RATES, Session, Stopped

DATA = ("xor2d", "circle", "gauss", "spiral", "xor", "and", "or", "digits")  # small enough to watch
MOST_LAYERS, MOST_NEURONS = 6, 64  # hidden layers, and neurons in one
BATCHES = (1, 2, 4, 8, 16, 32, 64)


def check(asked: Any) -> dict[str, Any]:
    """The settings the page asked for, complete and checked; a ValueError says what is wrong."""
    if not isinstance(asked, dict):
        raise ValueError("settings are an object: data, hidden, activation, learning_rate, batch, noise, "
                         "test_fraction")
    unknown = set(asked) - {"data", "hidden", "activation", "learning_rate", "batch", "noise", "test_fraction"}
    if unknown:
        raise ValueError(f"unknown setting {sorted(unknown)[0][:40]!r}")
    data = asked.get("data", "xor2d")
    if data not in DATA:
        raise ValueError(f"data must be one of {', '.join(DATA)}, got {str(data)[:40]!r}")
    defaults = datasets.load(data).defaults
    hidden = asked.get("hidden", defaults["hidden"])
    if not (isinstance(hidden, list) and len(hidden) <= MOST_LAYERS and all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MOST_NEURONS for n in hidden)):
        raise ValueError(f"hidden must be a list of at most {MOST_LAYERS} layers of 1 to {MOST_NEURONS} neurons")
    activation = asked.get("activation", defaults["activation"])
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
    rate = number(asked.get("learning_rate", defaults["learning_rate"]), "learning_rate", *RATES)
    batch = asked.get("batch", 1)
    if batch not in BATCHES or isinstance(batch, bool):
        raise ValueError(f"batch must be one of {', '.join(map(str, BATCHES))}")
    return {"data": data, "hidden": hidden, "activation": activation, "learning_rate": rate, "batch": batch,
            "noise": number(asked.get("noise", 0.0), "noise", 0.0, 1.0),
            "test_fraction": number(asked.get("test_fraction", 0.2), "test_fraction", 0.0, 0.9)}


def number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}")
    return float(value)


class Playground:
    """Trains in its own thread, again from the start whenever the page restarts it."""

    def __init__(self, settings: Any, epochs: int, seed: int = 0) -> None:
        self.epochs, self.seed = epochs, seed
        self.settings = check(settings)
        self.asked: dict[str, Any] | None = None  # settings of a restart not yet begun
        self.paused = False  # whether the next run starts paused: the last one was, when it was restarted
        self.wake = threading.Condition()
        self.closed = False
        self.watcher: Any = None
        self.thread = threading.Thread(target=self._run, name="exmachina-playground", daemon=True)

    def prepare(self) -> dict[str, Any]:
        """The network and the data of the current settings: what `serve` takes."""
        chosen = self.settings
        data = datasets.load(chosen["data"], seed=self.seed)
        defaults = data.defaults
        layers = [data.features, *chosen["hidden"], defaults.get("outputs", len(data.classes))]
        net = Network.layered(layers, chosen["activation"], None, defaults["loss"], seed=self.seed)
        net.blueprint.classes = list(data.classes)
        learn, held = datasets.split(data, chosen["test_fraction"], self.seed)
        return {"net": net, "inputs": data.inputs[learn], "targets": data.labels[learn],
                "held_out": (data.inputs[held], data.labels[held]) if len(held) else None}

    def serve(self, **serving: Any) -> Any:
        """Serve the first run (`serving` as `exmachina.watch.serve` takes it) and start learning."""
        from .server import serve

        first = self.prepare()
        self.watcher = serve(**first, learning_rate=self.settings["learning_rate"], epochs=self.epochs,
                             replayable=not self.settings["noise"], **serving)
        self.watcher.network["playground"] = self.settings
        self.watcher.on_restart = self.restart
        self.thread.start()
        return self.watcher

    def _swap(self) -> Network:
        """The next run, served in place of the last."""
        built = self.prepare()
        old = self.watcher.session
        session = Session(built["net"], self.settings["learning_rate"], self.epochs, paused=self.paused,
                          replayable=not self.settings["noise"])
        session.pace = old.pace
        pictures = Pictures(session.snapshot, built["inputs"], built["targets"], built["held_out"])
        self.watcher.swap(session, pictures, self.settings)
        return built

    def restart(self, asked: Any) -> None:
        """Check the settings (a ValueError if they are wrong), then stop the run and begin again."""
        settings = check(asked)
        with self.wake:
            self.asked = settings
            self.paused = self.watcher.session.paused  # a run started paused (or paused since) stays so
            self.wake.notify_all()
        self.watcher.session.stop()

    def _run(self) -> None:
        built = None
        while not self.closed:
            if built is None:  # the first run was served already
                built = {"net": self.watcher.session.net, "inputs": self.watcher.pictures.x,
                         "targets": self.watcher.pictures.targets}
            try:
                self.watcher.hold()
                built["net"].fit(built["inputs"], built["targets"], epochs=self.epochs,
                                 learning_rate=self.settings["learning_rate"], batch_size=self.settings["batch"],
                                 noise=self.settings["noise"], seed=self.seed, on_progress=self.watcher.on_progress)
                self.watcher.finish()
            except Stopped:
                pass
            with self.wake:
                while self.asked is None and not self.closed:
                    self.wake.wait(0.5)
                if self.closed:
                    return
                self.settings, self.asked = self.asked, None
            built = self._swap()

    def close(self) -> None:
        with self.wake:
            self.closed = True
            self.wake.notify_all()
        if self.watcher is not None:
            self.watcher.session.stop()
            self.watcher.close()
        if self.thread.ident:
            self.thread.join(10)
