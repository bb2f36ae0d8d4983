"""A runtime that also writes down what each neuron computed, for comparing engines in tests."""

from __future__ import annotations

from exmachina.actors.neuron import Neuron
from exmachina.actors.routes import ERROR
from exmachina.actors.runtime import LocalRuntime
from exmachina.actors.shuffled import ShuffledRuntime


class Recording:
    """Keeps each neuron's activity and the error it sent back, by (address, tag), and the order
    in which handlers ran as (kind, address, tag)."""

    intercepts = True  # its `send` sees every message

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.activities: dict = {}
        self.errors: dict = {}
        self.log: list = []
        self.running = None

    def spawn(self, process) -> None:
        if isinstance(process, Neuron):
            fire, learn = process.on_activities, process.on_errors

            def on_activities(tag, values):
                self.log.append(("fire", process.address, tag))
                fire(tag, values)
                self.activities[process.address, tag] = process.memory[tag][1]

            def on_errors(tag, values):
                self.log.append(("learn", process.address, tag))
                self.running = process
                learn(tag, values)
                self.running = None

            process.on_activities, process.on_errors = on_activities, on_errors
            process.c_mailbox = False  # its own handlers, handed lists
        super().spawn(process)

    def send(self, kind, tag, routes, values) -> None:
        if kind == ERROR and self.running is not None:
            self.errors[self.running.address, tag] = values[0]
        super().send(kind, tag, routes, values)


class RecordingRuntime(Recording, LocalRuntime):
    pass


class ShuffledRecordingRuntime(Recording, ShuffledRuntime):
    pass
