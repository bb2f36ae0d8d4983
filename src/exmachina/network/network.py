"""The Python API: a network you build, fit, query, save and load."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..actors.losses import loss
from ..actors.runtime import LocalRuntime
from ..actors.shuffled import ShuffledRuntime
from ..actors.society import Society
from . import checkpoints
from .blueprint import Blueprint, layered
from .checkpoints import Checkpoints, Position
from .examples import check_inputs, check_targets, classes_of, decode, encode
from .lesson import Lesson
from .matrix import MatrixEngine
from .scoreboard import Scoreboard
from .training import Training, check

PREDICT_BATCH = 64  # examples presented as one batch when only predicting: a vector per message, each
# example's outputs the same bits as presented alone (nothing is learned, so nothing is averaged)
ORDERED_CHUNK = 4096  # examples the matrix engine copies out in their order at a time
# the last pass's figures a model keeps (`on_pass` may add the last two)
RECORDED_FIGURES = ("loss", "accuracy", "train_accuracy", "test_accuracy")


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
        about: dict[str, Any] | None = None,
        checkpoint: str | os.PathLike | None = None,
        resume: bool = False,
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

        `checkpoint=DIR` writes the run's state to the folder DIR every `checkpoint_every` examples (or
        batches) and after every pass (`exmachina.network.checkpoints`); `resume=True` with the same
        arguments continues the run from its last checkpoint there (history included) and ends with
        the weights an undisturbed run ends with, to the bit with one example in flight. Between
        checkpoints the examples in flight drain.

        Every setting is checked here (`exmachina.network.training`); `blueprint.training` records
        them, the rate as it was at the end, the last pass's figures (those `on_pass` added too) and
        `about`, facts of the caller's (the command line's: the data and its split).
        """
        training = Training(epochs, learning_rate, batch_size, in_flight, noise, seed, shuffle, engine,
                            shuffle_delivery, shards, cluster, partition, checkpoint_every)
        x = self.sensed(inputs)
        labels, desired = self._desired(targets, len(x))
        book = at = None
        if checkpoint is not None:
            book = Checkpoints(checkpoint, training, self.blueprint, checkpoints.examples(x, desired))
            if resume:
                at = self._resumed(book, training)
            else:
                checkpoints.prepare(book.folder)
        elif resume:
            raise ValueError("resume: give the folder to resume from as `checkpoint`")
        order_random = np.random.default_rng(seed)
        lesson = Lesson(labels, on_progress, training, loss(self.blueprint.loss))
        if engine == "matrix":
            matrix = MatrixEngine(self.blueprint)
            self._live = matrix.state
        else:
            society = self._society(lesson.listen, training.learning_rate, in_flight, noise, seed,
                                    shuffle_delivery, shards, cluster, partition, checkpoint_every)
            lesson.tell = society.set_learning_rate
            lesson.messages = lambda: society.messages
            self._live = society.state
            traffic = society.traffic() if shards else None
            if at is not None and at.randoms is not None:
                noises(society, at.randoms)
        history = at.position.history if at else []
        try:
            for epoch in range(at.position.epoch if at else 1, epochs + 1):
                began = order_random.bit_generator.state
                if at is not None and epoch == at.position.epoch:
                    order_random.bit_generator.state = began = at.position.order
                order = order_random.permutation(len(x)) if shuffle else np.arange(len(x))
                batches = [order[i:i + batch_size] for i in range(0, len(x), batch_size)]
                board = lesson.begin(epoch, len(x))
                first = 0
                if at is not None and epoch == at.position.epoch and at.position.board is not None:
                    board.resume(at.position.board)
                    lesson.sent -= board.messages
                    first = at.position.cursor
                every = checkpoint_every if book else len(batches)
                for start in range(first, len(batches), every):
                    tags = range(start, min(start + every, len(batches)))
                    if engine == "matrix":
                        _matrix_pass(matrix, x, desired, order[tags.start * batch_size:tags.stop * batch_size],
                                     batch_size, lesson)
                    else:
                        society.feed(lesson.examples(x, desired, batches, batch_size > 1, tags))
                    if book and tags.stop < len(batches):
                        lesson.finish()
                        where = Position(epoch, tags.stop, began, training.learning_rate, board.kept(), history)
                        book.write(self.snapshot(), where, None if engine == "matrix" else noises(society))
                lesson.finish()
                if engine == "matrix":
                    self.blueprint = matrix.state()
                    figures = {}
                else:
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
                    "cpu_seconds": board.cpu_seconds,
                    "examples_per_second": board.seen / max(board.seconds, 1e-9),
                    **figures,
                })
                if on_pass:
                    on_pass(history[-1])
                if book:
                    where = Position(epoch + 1, 0, order_random.bit_generator.state, training.learning_rate, None,
                                     history)
                    book.write(self.blueprint, where, None if engine == "matrix" else noises(society))
        finally:
            self._live = None
            if engine == "actors" and shards:
                society.close()
        self.blueprint.training = self._record(training, history, len(x), about or {})
        return history

    def _resumed(self, book: Checkpoints, training: Training) -> checkpoints.Saved:
        """The run's last checkpoint, checked against this call; its weights become this network's."""
        saved = checkpoints.read(book.folder)
        checkpoints.same_run(saved, training, self.blueprint, book.data, book.folder)
        book.resumed(saved)
        self.blueprint = saved.blueprint
        training.retune(saved.position.rate)
        return saved

    def _record(self, training: Training, history: list[dict], examples: int, about: dict) -> dict[str, Any]:
        """What the model keeps of this fit: the only writer of `blueprint.training`."""
        seconds = sum(h["seconds"] for h in history)
        last = {key: value for key, value in (history[-1] if history else {}).items()
                if key in RECORDED_FIGURES and value is not None}
        messages = [h["messages"] for h in history if h.get("messages") is not None]
        return {
            **about,
            "epochs": self.blueprint.training.get("epochs", 0) + training.epochs,
            **training.recorded(),
            "examples": examples,
            **last,
            "seconds": seconds,
            "examples_per_second": sum(h["examples"] for h in history) / seconds if seconds else None,
            **({"messages": sum(messages)} if messages else {}),
        }

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
        with self.predicting(engine, shards, cluster, partition) as outputs_of:
            return outputs_of(inputs)

    @contextmanager
    def predicting(self, engine: str = "actors", shards: int | None = None, cluster: str | None = None,
                   partition: str = "spread") -> Iterator[Callable[[Any], np.ndarray]]:
        """`predict` for many calls on one engine, made once (one society; its shards started once), so
        that a large set can be predicted a block at a time: each call gives what `predict` gives."""
        check(engine=engine, shards=shards, cluster=cluster, partition=partition)
        if engine == "matrix":
            matrix = MatrixEngine(self.blueprint)
            yield lambda inputs: matrix.predict(self.sensed(inputs))
            return
        into: list[np.ndarray] = []  # the outputs of the call in progress

        def listen(start: int, activities: np.ndarray, desired: None) -> None:
            into[0][start:start + activities.shape[1]] = activities.T

        def outputs_of(inputs: Any) -> np.ndarray:
            x = self.sensed(inputs)
            into[:] = [np.empty((len(x), self.outputs))]
            for start in range(0, len(x), PREDICT_BATCH):
                society.feed([(start, x[start:start + PREDICT_BATCH].T, None)], learning=False)
            return into.pop()

        society = self._society(listen, shards=shards, cluster=cluster, partition=partition)
        try:
            yield outputs_of
        finally:
            if shards:
                society.close()

    def classify(self, inputs: Any, engine: str = "actors") -> np.ndarray:
        """The predicted class label of each example."""
        if self.blueprint.classes is None:
            raise ValueError("this network was not trained on class labels")
        return np.asarray(self.blueprint.classes)[decode(self.predict(inputs, engine))]

    def score(self, inputs: Any, labels: Sequence, engine: str = "actors") -> float:
        """The share of examples whose label the network predicts correctly."""
        return float(np.mean(self.classify(inputs, engine) == np.asarray(labels)))


def noises(society: Any, randoms: list | None = None) -> list | None:
    """Every neuron's noise generator by the neuron's number (None: no noise); or, given `randoms`,
    each set as they have it (from a checkpoint), before any example."""
    if hasattr(society, "randoms"):  # on shards
        return society.randoms() if randoms is None else society.resume(randoms)
    state = society.learned()
    if randoms is None:
        return state["randoms"] if any(r is not None for r in state["randoms"]) else None
    society.restore({**state, "randoms": randoms})
    return None


def _matrix_pass(matrix: MatrixEngine, x: np.ndarray, desired: np.ndarray, order: np.ndarray, batch_size: int,
                 lesson: Lesson) -> None:
    """The matrix engine learns the examples `order` names, in batches, scored as the actors' are:
    batch by batch while someone watches, else all at once (a chunk at once: the examples are copied
    out in their order a chunk at a time)."""
    outputs = np.empty((len(order), desired.shape[1]))
    watched = lesson.on_progress is not None
    chunk = max(ORDERED_CHUNK // batch_size, 1) * batch_size
    for first in range(0, len(order), chunk):
        taken = order[first:first + chunk]
        xs, ds = x[taken], desired[taken]
        for start in range(0, len(taken), batch_size):
            end = start + batch_size
            given = outputs[first + start:first + end]
            matrix.learn(xs[start:end], ds[start:end], lesson.training.learning_rate, given)
            if watched:
                lesson.score(taken[start:end], given, lesson.loss.measure(given.T, ds[start:end].T)[0])
        if not watched:
            given = outputs[first:first + len(taken)]
            lesson.score(taken, given, lesson.loss.measure(given.T, ds.T)[0])
