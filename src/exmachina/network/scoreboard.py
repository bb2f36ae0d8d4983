"""Keeping score while a network learns: loss, accuracy, and the last 200 predictions."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

import numpy as np

RECENT = 200  # the Exmachina reference prints the share of the last 200 predictions that were right


class Scoreboard:
    """Tallies one pass over the data; the teacher's listener feeds it example by example.

    The examples are counted as the teacher answers them (`seen`, `last`), but their losses and hits
    may be scored later, many at once: reading a tally (`loss_sum`, `correct`, `recent`) first asks
    `catch_up` to score whatever is still waiting. Scoring one example at a time cost a watched run
    a quarter of its speed, though a progress bar or the live view reads the tallies a few times a
    second at most.
    """

    def __init__(self, total: int, catch_up: Callable[[], None] | None = None) -> None:
        self.total = total  # examples in the pass
        self.seen = 0  # examples answered by the teacher, scored or not yet
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()  # this process's CPU time, every thread
        self.last: tuple[np.ndarray, np.ndarray] | None = None  # the examples just answered and their outputs
        self.messages = 0  # delivered by the runtime so far in this pass (actors only)
        self._catch_up = catch_up or (lambda: None)
        self._loss_sum = 0.0
        self._correct = 0
        self._recent: deque = deque(maxlen=RECENT)

    def record(self, losses: np.ndarray, hits: np.ndarray | None, counted: bool = False) -> None:
        """Score examples: their losses and whether each was right; `counted` if `seen` has them already."""
        if not counted:
            self.seen += losses.size
        self._loss_sum += float(losses.sum())
        if hits is not None:
            hits = hits.ravel().tolist()  # Python's bools: cheaper than NumPy's sum for a few
            self._correct += sum(hits)
            self._recent.extend(hits)

    def kept(self) -> dict:
        """The tallies so far, as a checkpoint keeps them (plain numbers)."""
        return {"seen": self.seen, "loss_sum": self.loss_sum, "correct": self.correct, "recent": list(self.recent),
                "seconds": self.seconds, "cpu_seconds": self.cpu_seconds, "messages": self.messages}

    def resume(self, kept: dict) -> None:
        """The tallies as a checkpoint kept them; the clocks go on from the time they had counted."""
        self.seen, self._loss_sum, self._correct = kept["seen"], kept["loss_sum"], kept["correct"]
        self._recent.extend(kept["recent"])
        self.started -= kept["seconds"]
        self.cpu_started -= kept["cpu_seconds"]
        self.messages = kept["messages"]

    @property
    def loss_sum(self) -> float:
        self._catch_up()
        return self._loss_sum

    @property
    def correct(self) -> int:
        self._catch_up()
        return self._correct

    @property
    def recent(self) -> deque:
        """Whether each of the last 200 examples scored was right."""
        self._catch_up()
        return self._recent

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.seen, 1)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.seen if self.recent else None

    @property
    def recent_accuracy(self) -> float | None:
        recent = self.recent
        return sum(recent) / len(recent) if recent else None

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def cpu_seconds(self) -> float:
        """The CPU time this process has spent on the pass so far, which a busy machine disturbs less."""
        return time.process_time() - self.cpu_started
