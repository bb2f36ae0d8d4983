"""Scoring a pass while the actors learn it, and telling the neurons a new learning rate."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ..actors.losses import Loss
from .examples import decode
from .scoreboard import Scoreboard
from .training import Training


class Lesson:
    """Scores each example of the current pass; the teacher's listener while the actors learn.

    The learning rate lives in `training` alone: `on_progress` may change it there, and the lesson
    tells the neurons (`tell`) before the next example."""

    def __init__(self, labels: np.ndarray | None, on_progress: Callable | None, training: Training, loss: Loss):
        self.labels = labels
        self.loss = loss
        self.on_progress = on_progress
        self.training = training
        self.tell: Callable[[float], None] = lambda rate: None
        self.told = training.learning_rate  # the rate the neurons were last told
        self.messages: Callable[[], int] = lambda: 0  # the runtime's count of delivered messages
        self.batches: dict[int, np.ndarray] = {}  # example tag -> indices of its examples
        self.heard: list[tuple] = []  # what the teacher said, not scored yet

    def begin(self, epoch: int, examples: int) -> Scoreboard:
        self.epoch, self.board, self.sent = epoch, Scoreboard(examples, self.finish), self.messages()
        return self.board

    def examples(self, x: np.ndarray, desired: np.ndarray, batches: list, batched: bool,
                 tags: range | None = None) -> Iterator[tuple]:
        """What the feeder presents: (tag, a value per sensor, desired outputs), one per batch (those of
        `tags` only: a pass goes in segments between checkpoints); a batch's tag is its place in the pass.

        The feeder asks for an example when the previous one has left the network (with one in
        flight), so a learning rate changed while an example was scored applies from the next one.
        """
        for tag in range(len(batches)) if tags is None else tags:
            batch = batches[tag]
            if self.training.learning_rate != self.told:
                self.told = self.training.learning_rate
                self.tell(self.told)
            self.batches[tag] = batch
            if batched:
                yield tag, x[batch].T, desired[batch].T
            else:
                yield tag, x[batch[0]], desired[batch[0]]

    def listen(self, tag: int, outputs: np.ndarray, desired: np.ndarray) -> None:
        """The teacher's word on an example (or a batch): its outputs, and what they should have been.

        It is counted at once, and scored when someone reads the board's tallies or at the end of the
        pass, with all the others heard by then: scored one by one, a watched run lost a quarter of its
        speed to it."""
        batch = self.batches.pop(tag)
        self.heard.append((batch, outputs, desired))
        self.board.seen += len(batch)
        if self.on_progress:
            self.report(batch, outputs.T if outputs.ndim > 1 else outputs[None])  # a row per example

    def finish(self) -> None:
        """Score what the teacher said since the last time, all at once."""
        if self.heard:
            batches, outputs, desired = zip(*self.heard)
            self.heard = []
            outputs = np.column_stack(outputs)
            losses, _ = self.loss.measure(outputs, np.column_stack(desired))
            self.score(np.concatenate(batches), outputs.T, losses, counted=True)

    def score(self, batch: np.ndarray, outputs: np.ndarray, losses: np.ndarray, counted: bool = False) -> None:
        """Record a batch's losses and hits; `outputs` has one row per example (`counted`: as listen did)."""
        hits = None if self.labels is None else decode(outputs) == self.labels[batch]
        self.board.record(losses, hits, counted)
        if self.on_progress and not counted:
            self.report(batch, outputs)

    def report(self, batch: np.ndarray, outputs: np.ndarray) -> None:
        """Tell `on_progress` which examples were just scored, and take up the learning rate it returns."""
        self.board.last = (batch, outputs)
        self.board.messages = self.messages() - self.sent
        rate = self.on_progress(self.epoch, self.board)
        if rate is not None:
            self.training.retune(rate)
