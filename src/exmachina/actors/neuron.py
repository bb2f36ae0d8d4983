# cython: nonecheck=False
"""The neuron: a process that owns its bias and the weights on its axon, and learns from messages.

Its code is the nine steps of the protocol. Its dendrites fold each message into a sum as it
arrives, in slot order (`fold_activity` and `fold_error`, in `dendrites`): the
weighted activities into the total input, from the bias (step 1), and each target's error delta_j
times w_j into the error sum, w_j then taking its step (steps 5, 8, 9 for that synapse). `fire`
runs once every input has been folded and fires (steps 2-4); `learn` runs once every target's
error has been, and passes its own error back and steps its bias (steps 6, 7, 9). Between the two,
the neuron remembers what it needs for that example, keyed by the example's tag, so several
examples can be in flight at once.

The runtime calls `receive` with the folded sum (`actors.runtime`). `on_activities` and
`on_errors` are the same steps for messages handed over as a list (by the tracer, or a test): the
neuron folds them itself, in slot order. A signal (its total input, its activity, its error) is a
vector of doubles, one per example of a mini-batch, or a single one for one example (`width` 0;
see `signals`); the bias is always a float, and the weights are the neuron's own array.

A sensor's error goes back to the feeder, which only counts it. A sensor is told so when it is wired
(`error_read` False: nobody reads its error); the runtime then folds no target's error into its
error sum, only steps each weight, and the sensor still sends its error, that of the empty sum. On a
runtime that sees every message (the tracer, which records dLoss/dx) it folds them as any neuron.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from . import buffers, dendrites
from .activations import Activation
from .dendrites import Process, Wave
from .routes import ACTIVITY, ERROR, Routes
from .runtime import LocalRuntime
from .signals import SCALARS, VECTORS

buffers.load()


class Neuron(Process):
    """A hidden neuron: bias at the dendrites, weighted synapses on the axon."""

    def __init__(
        self,
        address: int,
        runtime: LocalRuntime,
        activation: Activation,
        bias: float,
        dendrites: Routes,
        axon: Routes,
        weights: Any,
        learning_rate: float | None = None,
        noise: float = 0.0,
        seed: int = 0,
    ) -> None:
        if not isinstance(runtime, LocalRuntime):  # (compiled, this module does not check for None)
            raise TypeError(f"neuron {address}: a runtime is a LocalRuntime, not {type(runtime).__name__}")
        self.address = address
        self.runtime = runtime
        self.activation = activation
        self.code = activation.code
        self.make_bias(bias)
        self.dendrites = dendrites  # who sends to us: where our error goes back to (step 7)
        self.axon = axon  # whom we send to, one route per outgoing synapse
        self.fan_in, self.fan_out = len(dendrites), len(axon)
        self.integrates = True
        # Whether anyone reads the error it sends back (step 7). A sensor whose error only the feeder
        # hears, which counts it and reads no value, is told so when it is wired (`Society`): the
        # runtime then folds none of its targets' errors into its error sum (each weight still takes
        # its step), and its message still goes, carrying that empty sum's error.
        self.error_read = True
        self.weights = weights
        self.learns_bias = not isinstance(self, Sensor)  # a sensor's activity is its input
        self.learns_weights = not isinstance(self, Output)  # an output's line to the teacher is fixed
        self.learning_rate = learning_rate  # None: this neuron only predicts
        # Gaussian noise on each weighted input sums to noise * sqrt(fan_in) on the total input.
        self.noise = noise * len(dendrites) ** 0.5
        self.random = random.Random(seed) if noise else None  # seed: this neuron's own
        # per example in flight, what steps 5-9 need, in a `Kept` of its own: the one whose errors are
        # folded now (the last one fired for, as a rule) in fields too. A `Kept` whose example has
        # left is used again by the next one, and weights stepped as a copy (`unshare`) go to `spare`
        # once no example in flight holds them: in a steady stretch nothing is made anew.
        self.kept = [Kept(0)]
        self.take_up(self.kept[0])
        self.holding = False
        self.held_tag = self.held_weights = None
        self.spare: list = []  # weights that no example in flight holds, to be stepped as copies
        self.pending = 0  # examples fired for whose errors are not all in
        self.shared = False  # whether an example in flight, other than the one learning, fired with these weights
        # Where its axon reaches other shards (`terminals`): the synapses here as branches of the axon
        # (the first synapse's number and their routes), and routes to the other shards, one each
        self.branches = None  # None: every synapse is here, on the axon's routes
        self.terminals = self.far_inputs = ()

    @property
    def learning_rate(self) -> float | None:
        return self.rate if self.learning else None

    @learning_rate.setter
    def learning_rate(self, rate: float | None) -> None:
        self.learning = rate is not None
        self.rate = 0.0 if rate is None else rate
        self.steps = self.learning and self.learns_weights

    @property
    def memory(self) -> dict[Any, tuple]:
        """What it keeps of each example in flight: (total input, activity, weights used), a float
        or a copy of the batch's vector each."""
        return {kept.tag: (*(float(s[0]) if kept.width == 0 else s.copy() for s in (kept.input, kept.activity)),
                           kept.weights) for kept in self.kept if kept.tag is not None}

    @property
    def weights(self) -> np.ndarray:
        """One per synapse of the axon: its own (a list's copy, or its slice of its society's block)."""
        return self.own_weights

    @weights.setter
    def weights(self, weights: Any) -> None:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (self.fan_out,):
            raise ValueError(f"neuron {self.address}: {self.fan_out} synapses but weights of shape {weights.shape}")
        self.weights_at = buffers.values(weights, self.fan_out)  # checked here, once: the steps read it
        self.own_weights = weights

    def receive(self, tag: Any, wave: Wave, at: int) -> None:
        """The runtime's call: the dendrites have folded every message of `tag` into the sum at `at`
        in the wave (the total input, forward, or the error sum, backward)."""
        if wave.forward:
            self.fire(tag, wave.values_at, at, wave.width)
        else:
            self.learn(tag, wave.values_at, at, wave.width)

    def fire(self, tag: Any, total: np.ndarray, at: int, width: int) -> None:
        """Steps 2-4: every input's weighted activity is in the total input, `total[at]` (step 1);
        fire along the axon."""
        signals = VECTORS if width else SCALARS
        self.hold(tag, width)
        # 2. own activity: a = f(sum of weighted inputs + bias)
        signals.copy(total, at, width, self.input_at)
        if self.noise and self.learning:
            signals.noisy(self.input_at, width, self.random, self.noise)
        signals.activity(self.code, self.input_at, self.activity_at, width)
        # 3. weight the activity for each outgoing synapse, 4. send them
        outbox = self.runtime.outbox(self.fan_out * max(width, 1))
        signals.weigh(self.activity_at, self.weights_at, self.fan_out, outbox, width)
        if self.branches is None:
            self.runtime.post_outbox(ACTIVITY, tag, self.axon, width)
        else:
            self.reach(tag, outbox, width)

    def reach(self, tag: Any, outbox: np.ndarray, width: int) -> None:
        """Step 4 for an axon that reaches other shards: each weighted activity for a synapse on this
        shard to its target, and the activity itself once to each other shard, where the axon's
        terminal weighs it for the synapses there (`terminals`)."""
        for first, branch in self.branches:
            self.runtime.deliver(ACTIVITY, tag, branch, buffers.at(outbox, first * max(width, 1)), width, max(width, 1))
        for terminal in self.terminals:
            self.runtime.deliver(ACTIVITY, tag, terminal, self.activity_at, width, max(width, 1))

    def hold(self, tag: Any, width: int) -> None:
        """Room for this example's total input and activity; while learning, kept with the weights as
        they are now, for steps 5-9. Another example still in flight keeps its own, aside."""
        held = self.held
        if self.holding or held.width != width:
            held = self.make_room(width)
        if self.learning:
            self.holding = True
            held.tag = self.held_tag = tag
            if held.weights is not self.own_weights:  # (they are, but after a copy: `unshare`)
                held.weights, held.weights_at = self.own_weights, self.weights_at
            self.held_weights, self.held_weights_at = self.own_weights, self.weights_at
            self.pending += 1
            self.shared = self.pending > 1  # the others' steps must leave these weights as they are

    def make_room(self, width: int) -> Kept:
        """Room for an example's signals: the vectors of an example that has left (made again if of
        another width), or new ones when every example kept is still in flight."""
        for kept in self.kept:
            if kept.tag is None:
                break
        else:
            kept = Kept(width)
            self.kept.append(kept)
        if kept.width != width:
            kept.make(width)
        self.holding = False  # (an example that was held stays kept, aside)
        self.take_up(kept)
        return kept

    def take_up(self, kept: Kept) -> None:
        """The example in `kept` is the one the steps and the folds work on."""
        self.held = kept
        self.input_at, self.activity_at = kept.input_at, kept.activity_at

    def recall(self, tag: Any) -> None:
        """Bring back the example `tag`, fired for earlier, to fold its errors (several in flight); the
        one held until now stays kept, aside."""
        if not (self.holding and self.held_tag == tag):
            for kept in self.kept:  # the very object that fired, as a rule: no comparison of values
                if kept.tag is tag:
                    break
            else:
                for kept in self.kept:
                    if kept.tag is not None and kept.tag == tag:
                        break
                else:
                    raise KeyError(tag)
            self.take_up(kept)
            self.held_weights, self.held_weights_at = kept.weights, kept.weights_at
        self.held_tag, self.holding = tag, True  # the very object the runtime compares

    def unshare(self) -> None:
        """Step a copy of the weights: another example in flight fired with these (it keeps them). The
        copy goes into weights that no example holds any more, if there are some."""
        copy = self.spare.pop() if self.spare else buffers.empty(self.fan_out)
        copy_at = buffers.values(copy, self.fan_out)
        for j in range(self.fan_out):
            copy_at[j] = self.weights_at[j]
        self.own_weights, self.weights_at = copy, copy_at
        self.shared = False

    def let_go(self) -> None:
        """The held example has left: its vectors are free for the next one, and the weights it fired
        with too, if they are no longer stepped and no example in flight holds them."""
        held = self.held
        held.tag, weights = None, held.weights
        self.holding = False
        if weights is not self.own_weights:
            for kept in self.kept:
                if kept.tag is not None and kept.weights is weights:
                    break
            else:
                self.spare.append(weights)

    def learn(self, tag: Any, errors: np.ndarray, at: int, width: int) -> None:
        """Steps 6, 7 and 9: every target's error is in the error sum, `errors[at]` (step 5, each
        synapse's weight stepped as its term was taken); pass ours back and step the bias."""
        signals = VECTORS if width else SCALARS
        if not (self.holding and (self.held_tag is tag or self.held_tag == tag)):
            self.recall(tag)
        # 6. own error: delta = f'(z) * sum_j(delta_j * w_j); it is written where it is sent from, and
        # f'(z) where z was (needed no more)
        derivative = self.input_at
        signals.derivative(self.code, self.input_at, self.activity_at, derivative, width)
        outbox = self.runtime.outbox(self.fan_in * max(width, 1))  # (room for a copy for each input)
        signals.error(errors, at, derivative, outbox, width)
        if self.learns_bias:  # (step 9 for the bias, before the outbox goes back to the runtime)
            self.bias_at[0] = self.bias_at[0] - self.rate * signals.mean(outbox, width)
        self.let_go()  # this example's signals are needed no more
        self.pending -= 1
        if self.pending <= 1:  # the one left in flight, if any, may step the weights it fired with
            self.shared = False
        # 7. send it back to every input
        self.runtime.post_once(ERROR, tag, self.dendrites, width)
        for far in self.far_inputs:  # and once to each other shard with inputs, fanned out to them there
            self.runtime.deliver(ERROR, tag, far, outbox, width, 0 if width else 1)  # (post_once copies only online)

    def on_activities(self, tag: Any, values: list) -> None:
        """Steps 1-4, the weighted activities handed over as a list: folded here, in slot order."""
        inbox, width = as_inbox(values)
        self.take(tag, inbox, width, True)

    def on_errors(self, tag: Any, values: list) -> None:
        """Steps 5-9, the errors handed over as a list: folded here, in slot order."""
        inbox, width = as_inbox(values)
        self.take(tag, inbox, width, False)

    def take(self, tag: Any, inbox: np.ndarray, width: int, forward: bool) -> None:
        """A list's messages folded one by one in slot order, as the runtime folds them, then the steps
        they start."""
        size = max(width, 1)
        fan = self.fan_in if forward else self.fan_out
        values, sum_ = buffers.block(inbox, fan * size), buffers.empty(size)
        folded = buffers.values(sum_, size)
        if not forward and not (self.holding and (self.held_tag is tag or self.held_tag == tag)):
            self.recall(tag)
        for b in range(size):  # the total input starts from the bias, the error sum from 0.0
            folded[b] = self.bias_at[0] if forward else 0.0
        for slot in range(fan):
            if forward:
                dendrites.fold_activity(folded, 0, values, slot * size, width)
            else:
                if self.steps and self.shared:
                    self.unshare()
                dendrites.fold_error(folded, 0, slot, values, slot * size, width, self.held_weights_at[slot],
                                     self.weights_at, self.activity_at, self.rate, self.steps)
        if forward:
            self.fire(tag, folded, 0, width)
        else:
            self.learn(tag, folded, 0, width)


class Kept:
    """What a neuron keeps of one example in flight for steps 5-9: its total input and activity (a
    float or a batch's vector each, read through pointers) and the weights it fired with. `tag` is
    None once the example has left: the vectors are then free for another."""

    def __init__(self, width: int) -> None:
        self.tag = self.weights = None
        self.make(width)

    def make(self, width: int) -> None:
        """Vectors for an example of this width (0: one example)."""
        self.width = width
        self.input, self.activity = buffers.empty(max(width, 1)), buffers.empty(max(width, 1))
        self.input_at = buffers.values(self.input, max(width, 1))
        self.activity_at = buffers.values(self.activity, max(width, 1))


def as_inbox(values: list) -> tuple[np.ndarray, int]:
    """A list of floats, or of a batch's vectors, as one array of doubles, and the width of a value."""
    inbox = np.array(values, dtype=float)
    return inbox.ravel(), 0 if inbox.ndim == 1 else inbox.shape[1]


class Sensor(Neuron):
    """An input neuron: its activity is the input value itself; it owns the first layer's weights."""


class Output(Neuron):
    """An output neuron: its axon is one fixed, unweighted line to the teacher."""
