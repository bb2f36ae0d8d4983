"""Keeping score while a network learns: loss, accuracy, and the last 200 predictions."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

RECENT = 200  # the Exmachina reference prints the share of the last 200 predictions that were right


@dataclass
class Scoreboard:
    """Tallies one pass over the data; the teacher's listener feeds it example by example."""

    total: int  # examples in the pass
    seen: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=time.process_time)  # this process's CPU time, every thread
    last: tuple[np.ndarray, np.ndarray] | None = None  # the examples just scored and their outputs
    messages: int = 0  # delivered by the runtime so far in this pass (actors only)

    def record(self, losses: np.ndarray, hits: np.ndarray | None) -> None:
        self.seen += losses.size
        self.loss_sum += float(losses.sum())
        if hits is not None:
            hits = hits.ravel().tolist()  # Python's bools: cheaper than NumPy's sum for a few
            self.correct += sum(hits)
            self.recent.extend(hits)

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.seen, 1)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.seen if self.recent else None

    @property
    def recent_accuracy(self) -> float | None:
        return sum(self.recent) / len(self.recent) if self.recent else None

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def cpu_seconds(self) -> float:
        """The CPU time this process has spent on the pass so far, which a busy machine disturbs less."""
        return time.process_time() - self.cpu_started
