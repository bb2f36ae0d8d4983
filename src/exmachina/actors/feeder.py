"""The feeder: the process that presents examples to the sensors, K at a time.

Its mailbox is a C array, like a neuron's (it is compiled with them, see feeder.pxd): the sensors'
errors tell it that an example has left, and it reads none of their values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .dendrites import Process, Wave
from .routes import ACTIVITY, Routes
from .runtime import LocalRuntime

# (tag, one input value per sensor, desired outputs or None); for a batch, each sensor's value is
# a vector with one input per example
Example = tuple[Any, Any, Any]


class Feeder(Process):
    """Sends each sensor its input value and the teacher the desired outputs, tagged by example.

    While learning it keeps at most `in_flight` examples in the network: an example has left
    when every sensor has sent its error back (the last step of the backward wave), and only then
    does the next one go in. With one in flight this is exactly sequential SGD; with more, a neuron
    may fire for one example before the errors of an earlier one have come back.
    """

    def __init__(
        self, address: int, runtime: LocalRuntime, sensors: Routes, teacher: Routes, in_flight: int = 1
    ) -> None:
        if in_flight < 1:
            raise ValueError(f"in_flight must be at least 1, got {in_flight}")
        self.address = address
        self.runtime = runtime
        self.sensors, self.teacher = sensors, teacher
        self.in_flight = in_flight
        self.fan_in, self.fan_out = 0, len(sensors)
        self.integrates = False  # its dendrites only count the sensors' errors: it reads none of them
        self.make_bias(0.0)
        self.holding = False
        self.examples: Iterator[Example] = iter(())
        self.waiting = 0  # examples presented whose backward wave has not finished

    def feed(self, examples: Iterator[Example], learning: bool = True) -> None:
        """Start presenting; while learning the rest follow as earlier examples leave."""
        self.waiting = 0
        self.examples = iter(examples)
        for example in self.examples:
            self._present(example)
            if learning and self.waiting >= self.in_flight:
                break

    def receive(self, tag: Any, wave: Wave, at: int) -> None:
        """Every sensor has sent its error for `tag`: that example has left the network."""
        self._left()

    def on_errors(self, tag: Any, errors: list) -> None:
        """The same, the errors handed over as a list."""
        self._left()

    def _left(self) -> None:
        """An example has left: the next one goes in."""
        self.waiting -= 1
        example = next(self.examples, None)
        if example is not None:
            self._present(example)

    def on_activities(self, tag: Any, values: list) -> None:
        raise RuntimeError("nobody sends activities to the feeder")

    def _present(self, example: Example) -> None:
        """The inputs go out as the neurons' messages do, from an array; the desired outputs follow."""
        tag, inputs, desired = example
        inputs = np.ascontiguousarray(inputs, dtype=float)
        if len(inputs) != self.fan_out or inputs.ndim > 2:
            raise ValueError(f"example {tag!r}: {self.fan_out} sensors but inputs of shape {inputs.shape}")
        self.waiting += 1
        self.runtime.post(ACTIVITY, tag, self.sensors, inputs.reshape(-1), 0 if inputs.ndim == 1 else inputs.shape[1])
        self.runtime.send(ACTIVITY, tag, self.teacher, [desired])
