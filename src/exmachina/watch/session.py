"""The training side of the live view: progress as `fit` reports it, and the controls that steer it.

`Session.on_progress` is what `Network.fit` calls after each scored example (or batch), inside the
training loop. It records the score and which examples the teacher just scored (with the outputs
it saw), now and then takes a snapshot of the weights, and is where
training pauses and keeps its pace: blocking here blocks the loop, between two examples. The page's
controls (pause, resume, step one example, a pace, a new learning rate) only ever change this object's
fields. The curves are recorded here too, from the first example, whether or not a page is open.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Any

import numpy as np

from ..network.blueprint import Blueprint
from ..network.scoreboard import RECENT, Scoreboard  # the recent figures are over the scoreboard's window

SNAPSHOT_EVERY = 0.2  # seconds between two snapshots of the weights while training runs, at least
SNAPSHOT_SHARE = 0.02  # and at most this share of the training's time goes into snapshots
RECENT_PREDICTIONS = 12  # examples the page shows as recent predictions
CATCH_UP = 0.05  # seconds: how often a run nobody steers takes in its progress (4 times a frame at least)
PACES = (1, 10, 100)  # examples per second a person can follow; None: as fast as it goes
RATES = (1e-6, 10.0)  # the learning rates the page may set: anything else is a typo or an attack
CURVE_POINTS = 400  # points kept per curve: the spacing doubles when they are all used


class Stopped(Exception):
    """Raised in the training loop (from `on_progress`) once the run was stopped, to begin again."""


class Curve:
    """Figures sampled every `stride` examples; when full, every other point goes and the stride doubles."""

    def __init__(self, *keys: str) -> None:
        self.keys = ("examples", *keys)
        self.points: dict[str, list] = {k: [] for k in self.keys}
        self.stride = 1

    def wants(self, examples: int) -> bool:
        """Whether a point at `examples` would be kept (the caller need not compute it otherwise)."""
        taken = self.points["examples"]
        return not taken or examples - taken[-1] >= self.stride

    def add(self, examples: int, **values: Any) -> None:
        if not self.wants(examples):
            return
        taken = self.points["examples"]
        for key in self.keys:
            self.points[key].append(examples if key == "examples" else values[key])
        if len(taken) > CURVE_POINTS:
            for key in self.keys:
                self.points[key] = self.points[key][::2]
            self.stride *= 2


class Session:
    """Progress and controls of one training run, shared by the training thread and the server."""

    def __init__(self, net: Any, learning_rate: float | None = None, epochs: int | None = None,
                 paused: bool = False, engine: str = "actors", wait_for_page: bool = False,
                 replayable: bool = True) -> None:
        self.net = net
        self.changed = threading.Condition()
        self.state = "waiting"  # waiting -> running <-> paused -> finished (or failed)
        self.message = ""
        self.paused = paused
        self.awaiting_page = wait_for_page  # the run waits in `hold` until a page opens
        self.blocked = False  # the training thread is waiting in on_progress
        self.steps = 0  # examples (or batches) to let through while paused
        self.learning_rate = learning_rate
        self.requested_rate: float | None = None
        self.epochs = epochs
        self.engine = engine
        self.epoch = 0
        self.examples = 0  # scored so far, over every pass
        self.calls = 0  # on_progress calls: one per example or mini-batch
        self.pass_seen = 0
        self.pass_total = 0
        self.pace: float | None = None  # examples per second, None: unlimited
        self.stopped = False  # the page restarted the run: this one ends at its next example
        self._quiet_until = 0.0  # calls before this time only keep what was scored
        self._quiet_calls = 0  # such calls since the last that took everything in
        self._due = 0.0  # when the next example may go, at this pace
        self.hits: deque = deque(maxlen=RECENT)  # the last 200 predictions, across passes
        self._right = 0  # how many of them were right
        self._window_loss, self._window_seen = 0.0, 0  # the loss and examples of the recent calls
        self.curve = Curve("loss", "accuracy")
        self.losses: deque = deque(maxlen=RECENT)  # (loss sum, examples) of recent calls
        self.scored: deque = deque(maxlen=RECENT_PREDICTIONS)  # (indices, outputs) of the last calls, as scored
        self.version = 0  # bumped at each change, so that the server knows when to draw again
        self.snapshot: Blueprint = net.snapshot()
        self.snapshot_call = 0  # the call at which it was taken (0: before the first example)
        self._prior: tuple[int, Blueprint | None] = (-1, None)  # the snapshot before it, and its call
        # whether a trace of one example on the weights it was learned from makes the run's own update:
        # one example in flight, no noise, in this process (the caller knows)
        self.replayable = replayable
        self.scored_rate = learning_rate  # the rate the examples just scored learn with
        self.snapshot_at = 0.0
        self.snapshots = 0  # counts the snapshots taken: a page is sent the weights only when it moves
        self._before = 0  # examples of the passes already finished
        self._loss_sum = 0.0
        self._snapshot_cost = 0.0  # seconds the last snapshot took

    # -- called by the training loop -------------------------------------------------------------

    def on_progress(self, epoch: int, board: Scoreboard) -> float | None:
        """Record the score; wait while paused; return a new learning rate if one was asked for.

        While nothing is asked of it, most calls only keep what the teacher scored: every CATCH_UP
        seconds (and at the end of each pass) one call takes in all since the last, from the board. A
        control ends such a quiet spell (`_quiet_until`), so that the next call takes it in.
        """
        if time.monotonic() < self._quiet_until and epoch == self.epoch and board.seen < board.total:
            if board.last is not None:  # kept as they are: fit hands over new arrays each call
                self.scored.append(board.last)
            self._quiet_calls += 1
            return None
        with self.changed:
            if self.stopped:
                raise Stopped
            self.scored_rate = self.learning_rate  # what this call's examples learn with: a new one applies after
            if epoch != self.epoch:
                self._before += self.pass_seen
                self.epoch, self._loss_sum, self.pass_seen = epoch, 0.0, 0
            count = board.seen - self.pass_seen  # the examples since the last call that took them in
            self._add_loss(board.loss_sum - self._loss_sum, count)
            self._loss_sum = board.loss_sum
            self.pass_seen, self.pass_total = board.seen, board.total
            self.examples = self._before + board.seen
            self.calls += 1 + self._quiet_calls
            self._quiet_calls = 0
            if board.last is not None:
                self.scored.append(board.last)
            hits, recent = self.hits, board.recent  # the board's window starts again each pass; this one rolls on
            for back in range(min(count, len(recent), RECENT), 0, -1):
                if len(hits) == RECENT:
                    self._right -= hits[0]
                hit = recent[-back]
                hits.append(hit)
                self._right += hit
            if self.curve.wants(self.examples):
                self.curve.add(self.examples, loss=self._recent_loss(), accuracy=self.accuracy)
            if self.state == "waiting":
                self.state = "running"
            now = time.monotonic()
            if self.paused or now - self.snapshot_at >= max(SNAPSHOT_EVERY, self._snapshot_cost / SNAPSHOT_SHARE):
                self._take_snapshot(now)
            self.version += 1
            self.changed.notify_all()
            self._keep_pace(now, len(board.last[0]) if board.last is not None else 1)
            self._wait_while_paused()
            if self.stopped:
                raise Stopped
            if self.pace is None and not self.paused:  # (a control meanwhile left it at 0.0)
                self._quiet_until = time.monotonic() + CATCH_UP
            rate, self.requested_rate = self.requested_rate, None
            if rate is not None:
                self.learning_rate = rate
            return rate

    def hold(self) -> None:
        """Before the first example: wait for a page to open (if asked to), and there if the run starts
        paused (a step lets one example go)."""
        with self.changed:
            while self.awaiting_page and self.state != "closed" and not self.stopped:
                self.changed.wait(0.5)
            self._wait_while_paused()

    def page_opened(self) -> None:
        """A page is watching: a run that waits for one may begin."""
        with self.changed:
            if self.awaiting_page:
                self.awaiting_page = False
                self.version += 1
                self.changed.notify_all()

    def _wait_while_paused(self) -> None:
        while self.paused and not self.steps and self.state != "closed" and not self.stopped:
            if not self.blocked:
                if self.snapshot_call != self.calls:  # the page shows the weights the run holds
                    self._take_snapshot(time.monotonic())
                self.blocked, self.state = True, "paused"
                self.version += 1
                self.changed.notify_all()
            self.changed.wait(0.5)
        if self.blocked:
            self.blocked = False
            if self.state == "paused":
                self.state = "running" if self.examples else "waiting"
            self.version += 1
        if self.steps:
            self.steps -= 1

    def _keep_pace(self, now: float, count: int) -> None:
        """Wait for this call's examples' turn at the chosen pace (a pause or a new pace ends the wait)."""
        pace = self.pace
        if pace is None or self.paused or self.steps:
            self._due = now
            return
        self._due = max(self._due, now - 1 / pace) + count / pace  # a late call does not bunch up the next
        while self.pace == pace and not self.paused and self.state != "closed" and not self.stopped:
            left = self._due - time.monotonic()
            if left <= 0:
                break
            self.changed.wait(left)

    def _add_loss(self, loss: float, seen: int) -> None:
        if len(self.losses) == RECENT:
            dropped, dropped_seen = self.losses[0]
            self._window_loss -= dropped
            self._window_seen -= dropped_seen
        self.losses.append((loss, seen))
        self._window_loss += loss
        self._window_seen += seen

    @property
    def accuracy(self) -> float | None:
        """The share of the last 200 predictions that were right, across passes."""
        return self._right / len(self.hits) if self.hits else None

    def _recent_loss(self) -> float | None:
        return self._window_loss / self._window_seen if self._window_seen else None

    def _take_snapshot(self, now: float) -> None:
        self._prior = (self.snapshot_call, self.snapshot)
        self.snapshot, self.snapshots = self.net.snapshot(), self.snapshots + 1
        self.snapshot_call = self.calls
        self.snapshot_at = time.monotonic()
        self._snapshot_cost = self.snapshot_at - now

    def finish(self, message: str = "", failed: bool = False) -> None:
        """Training is over (or failed): the page says so, with the message if there is one."""
        with self.changed:
            if self.state not in ("closed",):
                self.state = "failed" if failed else "finished"
            self.message = message
            self.paused, self.blocked = False, False
            self.snapshot, self.snapshots = self.net.snapshot(), self.snapshots + 1
            self.version += 1
            self.changed.notify_all()

    def stop(self) -> None:
        """End this run at its next example (or now, if it waits): the page begins another."""
        with self.changed:
            self.stopped, self.paused, self.steps = True, False, 0
            self._quiet_until = 0.0
            self.version += 1
            self.changed.notify_all()

    def close(self) -> None:
        """Nobody watches any more: let a paused training go on."""
        with self.changed:
            self.paused, self.steps = False, 0
            if self.state in ("waiting", "running", "paused"):
                self.state = "closed"
            self.version += 1
            self.changed.notify_all()

    # -- the controls (called by the server) -----------------------------------------------------

    def control(self, action: str, value: Any = None) -> None:
        """Apply one of the page's controls; a ValueError says what is wrong with a request."""
        with self.changed:
            if self.state in ("finished", "failed", "closed"):
                raise ValueError(f"the run has {self.state}: nothing to control")
            self.awaiting_page = False  # a control comes from a page (or whoever drives one)
            if action == "pause":
                self.paused = True
            elif action == "resume":
                self.paused, self.steps = False, 0
            elif action == "step":
                if not self.paused:
                    raise ValueError("pause first: a step lets one example through a paused run")
                self.steps += 1
            elif action == "learning_rate":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                        math.isfinite(value) and RATES[0] <= value <= RATES[1]):
                    raise ValueError(f"learning rate must be a number from {RATES[0]:g} to {RATES[1]:g}, "
                                     f"got {str(value)[:40]}")
                self.requested_rate = float(value)
            elif action == "pace":
                if value is not None and (isinstance(value, bool) or value not in PACES):
                    raise ValueError(f"pace must be one of {', '.join(map(str, PACES))} examples/s or null "
                                     f"(unlimited), got {str(value)[:40]}")
                self.pace = None if value is None else float(value)
            else:
                raise ValueError(f"unknown control {str(action)[:40]!r}; use pause, resume, step, pace or "
                                 "learning_rate")
            self._quiet_until = 0.0
            self.version += 1
            self.changed.notify_all()

    def wait_for_change(self, version: int, timeout: float) -> int:
        """Block until the version moves past `version` (or the timeout); returns the version."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout)
            return self.version

    def learned_from(self) -> Blueprint | None:
        """The weights the examples just scored were learned from, when a snapshot holds them, else None.

        The actors' teacher scores an example before its errors go back, so a snapshot taken at that
        call (as every call while paused takes one) holds them; the matrix engine scores after its step,
        so the snapshot of the call before does. A finished run has learned from every example.
        """
        with self.changed:
            if not self.replayable or self.state in ("finished", "failed") or not self.calls:
                return None
            if self.engine == "actors":
                return self.snapshot if self.snapshot_call == self.calls else None
            if self.snapshot_call == self.calls - 1:
                return self.snapshot
            prior_call, prior = self._prior
            return prior if self.snapshot_call == self.calls and prior_call == self.calls - 1 else None

    def last_scored(self) -> list[tuple[int, np.ndarray]]:
        """The examples the teacher scored last, newest first: (index into the data, output activities)."""
        while True:
            try:
                calls = list(self.scored)  # the training thread may append meanwhile (without the lock)
                break
            except RuntimeError:
                continue
        newest = []
        for batch, outputs in reversed(calls):
            newest += zip(reversed(batch.tolist()), reversed(np.asarray(outputs, dtype=float)))
        return newest[:RECENT_PREDICTIONS]

    def figures(self) -> dict[str, Any]:
        """The counters, as one consistent reading."""
        with self.changed:
            return {
                "state": self.state,
                "message": self.message,
                "paused": self.paused,
                "blocked": self.blocked,
                "epoch": self.epoch,
                "epochs": self.epochs,
                "examples": self.examples,
                "calls": self.calls,
                "pass_seen": self.pass_seen,
                "pass_total": self.pass_total,
                "accuracy": self.accuracy,
                "loss": self._recent_loss(),
                "learning_rate": self.learning_rate,
                "pace": self.pace,
                "engine": self.engine,
                "version": self.version,
                "snapshot": self.snapshots,
            }
