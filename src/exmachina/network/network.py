"""The Python API: a network you build, fit, query, save and load."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..actors.losses import Loss, loss
from ..actors.runtime import LocalRuntime
from ..actors.shuffled import ShuffledRuntime
from ..actors.society import Society
from .blueprint import Blueprint, layered
from .examples import check_inputs, check_targets, classes_of, decode, encode
from .matrix import MatrixEngine
from .scoreboard import Scoreboard

ENGINES = ("actors", "matrix")
PREDICT_CHUNK = 256  # examples presented at once when only predicting


class Network:
    """A network of neuron processes (or, with engine="matrix", the same network as matrices)."""

    def __init__(self, blueprint: Blueprint) -> None:
        if not isinstance(blueprint, Blueprint):
            raise TypeError(f"Network takes a Blueprint, not {type(blueprint).__name__}; for layers of "
                            "given sizes use Network.layered([4, 8, 3])")
        self.blueprint = blueprint
        self._live: Callable[[], Blueprint] | None = None  # where the weights are while fitting

    def snapshot(self) -> Blueprint:
        """The weights and biases as they are right now, even in the middle of `fit`."""
        return self._live() if self._live else self.blueprint.copy()

    @classmethod
    def layered(
        cls,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        loss: str = "cross_entropy",
        seed: int | None = 0,
    ) -> Network:
        """Fully connected layers, e.g. `Network.layered([64, 32, 10])`."""
        return cls(layered(sizes, activation, output_activation, loss, seed))

    @classmethod
    def load(cls, path: str | os.PathLike) -> Network:
        return cls(Blueprint.load(path))

    def save(self, path: str | os.PathLike) -> None:
        self.blueprint.save(path)

    def sensed(self, inputs: Any) -> np.ndarray:
        """The inputs checked, and scaled as the model's scaling says: what the sensors receive."""
        x = check_inputs(inputs, self.sensors)
        return x if self.blueprint.scaling is None else self.blueprint.scaling(x)

    @property
    def classes(self) -> list | None:
        return self.blueprint.classes

    @property
    def sensors(self) -> int:
        return len(self.blueprint.sensors)

    @property
    def outputs(self) -> int:
        return len(self.blueprint.outputs)

    # -- learning --------------------------------------------------------------------------------

    def fit(
        self,
        inputs: Any,
        targets: Any,
        epochs: int = 10,
        learning_rate: float = 0.1,
        batch_size: int = 1,
        in_flight: int = 1,
        noise: float = 0.0,
        seed: int = 0,
        shuffle: bool = True,
        engine: str = "actors",
        shuffle_delivery: bool = False,
        on_progress: Callable[[int, Scoreboard], float | None] | None = None,
        on_pass: Callable[[dict], None] | None = None,
        shards: int | None = None,
        cluster: str | None = None,
        partition: str = "spread",
        checkpoint_every: int = 100,
    ) -> list[dict]:
        """Learn by stochastic gradient descent; returns one dict of figures per pass.

        `targets` are class labels (one per example) or real-valued desired outputs (examples,
        outputs). Examples come in a new random order each pass, drawn from `seed` (in the given order
        with `shuffle=False`). With
        `in_flight` > 1 the actor network is pipelined: a neuron may fire for a later example
        before the errors of an earlier one have come back, so it is no longer exact SGD.
        `shuffle_delivery` delivers messages in a random order (the result must not change).
        `on_progress(epoch, scoreboard)` is called after each example (or batch) is scored; if it
        returns a number, that is the learning rate from the next example on. `on_pass(figures)` is
        called after each pass with that pass's figures, once `self.blueprint` holds its weights.
        `shards=N` splits the neurons over N processes on Ray (started here, or the cluster at the
        address `cluster`), every layer spread over them, or whole layers with `partition="layers"`:
        see `exmachina.shards.sharded`. The learned weights are the same bits. The shards'
        state is checkpointed every `checkpoint_every` examples (or batches): a shard that crashes is
        restarted and the examples since the checkpoint are replayed.
        """
        _check_settings(epochs, learning_rate, batch_size, in_flight, noise, engine)
        _check_shards(shards, engine, shuffle_delivery, checkpoint_every)
        x = self.sensed(inputs)
        labels, desired = self._desired(targets, len(x))
        order_random = np.random.default_rng(seed)
        lesson = Lesson(labels, on_progress, learning_rate, loss(self.blueprint.loss))
        if engine == "matrix":
            matrix = MatrixEngine(self.blueprint)
            self._live = matrix.state
        else:
            society = self._society(lesson.listen, learning_rate, in_flight, noise, seed,
                                    shuffle_delivery, shards, cluster, partition, checkpoint_every)
            lesson.retune = society.set_learning_rate
            lesson.messages = lambda: society.messages
            self._live = society.state
            traffic = society.traffic() if shards else None
        history = []
        try:
            for epoch in range(1, epochs + 1):
                order = order_random.permutation(len(x)) if shuffle else np.arange(len(x))
                batches = [order[i:i + batch_size] for i in range(0, len(x), batch_size)]
                board = lesson.begin(epoch, len(x))
                if engine == "matrix":
                    for batch in batches:
                        step = matrix.step(x[batch], desired[batch], lesson.learning_rate)
                        lesson.score(batch, step.outputs, step.losses)
                    self.blueprint = matrix.state()
                    figures = {}
                else:
                    society.feed(lesson.examples(x, desired, batches, batched=batch_size > 1))
                    lesson.finish()
                    self.blueprint = society.state()
                    figures = {"messages": society.messages - lesson.sent}
                    if shards:
                        figures.update(society.traffic(since=traffic))
                        traffic = society.traffic()
                history.append({
                    "epoch": epoch,
                    "loss": board.loss,
                    "accuracy": board.accuracy,
                    "examples": board.seen,
                    "seconds": board.seconds,
                    "examples_per_second": board.seen / max(board.seconds, 1e-9),
                    **figures,
                })
                if on_pass:
                    on_pass(history[-1])
        finally:
            self._live = None
            if engine == "actors" and shards:
                society.close()
        self.blueprint.training = {
            "epochs": self.blueprint.training.get("epochs", 0) + epochs,
            "learning_rate": lesson.learning_rate,
            "batch_size": batch_size,
            "in_flight": in_flight,
            "noise": noise,
            "seed": seed,
            "engine": engine,
            "examples": len(x),
        }
        return history

    def _desired(self, targets: Any, examples: int) -> tuple[np.ndarray | None, np.ndarray]:
        """Class indices (or None) and the desired output activities, checked against the data."""
        targets = np.asarray(targets)
        if targets.ndim == 1:
            if len(targets) != examples:
                raise ValueError(f"{len(targets)} labels for {examples} examples")
            if self.blueprint.classes is None:
                self.blueprint.classes = classes_of(targets, self.outputs)
            return encode(targets, self.blueprint.classes, self.outputs)
        return None, check_targets(targets, examples, self.outputs)

    # -- predicting ------------------------------------------------------------------------------

    def _society(self, listener: Callable, learning_rate: float | None = None, in_flight: int = 1,
                 noise: float = 0.0, seed: int = 0, shuffled: bool = False,
                 shards: int | None = None, cluster: str | None = None, partition: str = "spread",
                 checkpoint_every: int = 100) -> Any:
        """The processes of this network: in this process, or on shards (Ray is imported only then)."""
        if not shards:
            runtime = ShuffledRuntime(seed) if shuffled else LocalRuntime()
            return Society(self.blueprint, runtime, listener, learning_rate, in_flight, noise, seed)
        from ..shards.sharded import Shards

        return Shards(self.blueprint, shards, listener, learning_rate, in_flight, noise, seed,
                      partition, cluster, checkpoint_every)

    def predict(self, inputs: Any, engine: str = "actors", shards: int | None = None, cluster: str | None = None,
                partition: str = "spread") -> np.ndarray:
        """The output neurons' activities, one row per example (on shards as `fit` puts them)."""
        _check_shards(shards, engine, False)
        x = self.sensed(inputs)
        if engine == "matrix":
            return MatrixEngine(self.blueprint).predict(x)
        if engine != "actors":
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        outputs = np.empty((len(x), self.outputs))

        def listen(tag: int, activities: np.ndarray, desired: None) -> None:
            outputs[tag] = activities

        society = self._society(listen, shards=shards, cluster=cluster, partition=partition)
        try:
            for start in range(0, len(x), PREDICT_CHUNK):
                chunk = range(start, min(start + PREDICT_CHUNK, len(x)))
                society.feed(((i, x[i], None) for i in chunk), learning=False)
        finally:
            if shards:
                society.close()
        return outputs

    def classify(self, inputs: Any, engine: str = "actors") -> np.ndarray:
        """The predicted class label of each example."""
        if self.blueprint.classes is None:
            raise ValueError("this network was not trained on class labels")
        return np.asarray(self.blueprint.classes)[decode(self.predict(inputs, engine))]

    def score(self, inputs: Any, labels: Sequence, engine: str = "actors") -> float:
        """The share of examples whose label the network predicts correctly."""
        return float(np.mean(self.classify(inputs, engine) == np.asarray(labels)))


class Lesson:
    """Scores each example of the current pass; the teacher's listener while the actors learn."""

    def __init__(self, labels: np.ndarray | None, on_progress: Callable | None, learning_rate: float, loss: Loss):
        self.labels = labels
        self.loss = loss
        self.on_progress = on_progress
        self.learning_rate = learning_rate
        self.retune: Callable[[float], None] = lambda rate: None
        self.applied = learning_rate  # the rate the neurons were last told
        self.messages: Callable[[], int] = lambda: 0  # the runtime's count of delivered messages
        self.batches: dict[int, np.ndarray] = {}  # example tag -> indices of its examples
        self.heard: list[tuple] = []  # what the teacher said, not scored yet

    def begin(self, epoch: int, examples: int) -> Scoreboard:
        self.epoch, self.board, self.sent = epoch, Scoreboard(examples), self.messages()
        return self.board

    def examples(self, x: np.ndarray, desired: np.ndarray, batches: list, batched: bool) -> Iterator[tuple]:
        """What the feeder presents: (tag, a value per sensor, desired outputs), one per batch.

        The feeder asks for an example when the previous one has left the network (with one in
        flight), so a learning rate changed while an example was scored applies from the next one.
        """
        for tag, batch in enumerate(batches):
            if self.learning_rate != self.applied:
                self.retune(self.learning_rate)
                self.applied = self.learning_rate
            self.batches[tag] = batch
            if batched:
                yield tag, x[batch].T, desired[batch].T
            else:
                yield tag, x[batch[0]], desired[batch[0]]

    def listen(self, tag: int, outputs: np.ndarray, desired: np.ndarray) -> None:
        """The teacher's word on an example (or a batch): its outputs, and what they should have been.
        It is scored at once while someone watches the pass, else with the whole pass at its end."""
        if self.on_progress:
            outputs = outputs.reshape(len(outputs), -1)
            self.judge(self.batches.pop(tag), outputs, np.reshape(desired, outputs.shape))
        else:
            self.heard.append((self.batches.pop(tag), outputs, desired))

    def finish(self) -> None:
        """Score what the teacher said while nobody watched, all at once."""
        if self.heard:
            batches, outputs, desired = zip(*self.heard)
            self.heard = []
            self.judge(np.concatenate(batches), np.column_stack(outputs), np.column_stack(desired))

    def judge(self, batch: np.ndarray, outputs: np.ndarray, desired: np.ndarray) -> None:
        """Score examples from their outputs and desired outputs, a column per example."""
        losses, _ = self.loss.measure(outputs, desired)
        self.score(batch, outputs.T, losses)

    def score(self, batch: np.ndarray, outputs: np.ndarray, losses: np.ndarray) -> None:
        """Record a batch's losses and hits; `outputs` has one row per example."""
        hits = None if self.labels is None else decode(outputs) == self.labels[batch]
        self.board.record(losses, hits)
        self.board.last = (batch, outputs)
        self.board.messages = self.messages() - self.sent
        if self.on_progress:
            rate = self.on_progress(self.epoch, self.board)
            if rate is not None:
                _check_settings(1, rate, 1, 1, 0.0, "actors")
                self.learning_rate = rate


def _check_settings(epochs, learning_rate, batch_size, in_flight, noise, engine) -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if epochs < 0:
        raise ValueError(f"epochs must not be negative, got {epochs}")
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning rate must be a positive number, got {learning_rate}")
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    if in_flight < 1:
        raise ValueError(f"in_flight must be at least 1, got {in_flight}")
    if engine == "matrix" and in_flight != 1:
        raise ValueError("the matrix engine has no examples in flight: use in_flight=1")
    if engine == "matrix" and noise:
        raise ValueError("the matrix engine adds no noise: use the actors for noise")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be zero or a positive number, got {noise}")


def _check_shards(shards: int | None, engine: str, shuffle_delivery: bool, checkpoint_every: int = 1) -> None:
    if shards is None:
        return
    if checkpoint_every < 1:
        raise ValueError(f"checkpoint_every must be at least 1, got {checkpoint_every}")
    if isinstance(shards, bool) or not isinstance(shards, int | np.integer) or shards < 1:
        raise ValueError(f"shards must be a whole number of at least 1, got {shards!r}")
    if engine != "actors":
        raise ValueError("shards host neuron processes: use engine=\"actors\"")
    if shuffle_delivery:
        raise ValueError("shuffle_delivery runs in one process: leave out shards")
