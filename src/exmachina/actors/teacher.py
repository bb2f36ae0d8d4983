"""The teacher: the process that knows what the outputs should have been."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .losses import Loss
from .routes import ERROR, Routes
from .runtime import LocalRuntime

Listener = Callable[[Any, np.ndarray, np.ndarray | None], None]  # (tag, outputs, desired outputs or None)


class Teacher:
    """Receives every output neuron's activity and the desired outputs; answers with the errors.

    Its mailbox has a slot per output neuron and one more, the last, for the desired outputs that
    the feeder sends (None when the network only predicts). It computes the loss across all the
    outputs (the softmax of cross-entropy needs them all), sends each output neuron its error
    `dLoss/da` and tells a listener what it saw, the outputs and what they should have been: that is
    where loss and accuracy are counted.
    """

    def __init__(
        self, address: int, runtime: LocalRuntime, loss: Loss, outputs: Routes, listener: Listener
    ) -> None:
        self.address = address
        self.runtime = runtime
        self.loss = loss
        self.outputs = outputs  # routes back to the output neurons
        self.listener = listener
        self.fan_in, self.fan_out = len(outputs) + 1, 0

    def on_activities(self, tag: Any, values: list) -> None:
        outputs, desired = np.array(values[:-1]), values[-1]
        if desired is None:
            self.listener(tag, outputs, None)
            return
        errors = None
        if self.loss.error_of_one is not None and desired.ndim == 1:  # one example: cheaper in Python
            errors = self.loss.error_of_one(values[:-1], desired.tolist())
        if errors is not None:
            self.runtime.send(ERROR, tag, self.outputs, errors)
        else:
            errors = self.loss.error(outputs, desired)
            self.runtime.post(ERROR, tag, self.outputs, errors.ravel(), 0 if errors.ndim == 1 else errors.shape[1])
        self.listener(tag, outputs, desired)

    def on_errors(self, tag: Any, values: list) -> None:
        raise RuntimeError("nobody sends errors to the teacher")
