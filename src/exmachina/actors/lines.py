"""Every message line of a blueprint, each written straight into its place in the tables.

Lines are grouped by sender, and a line's place is known before it is written: the sender's group
starts after those of all smaller senders (a count per sender), and within it a synapse's line comes
at its rank on the sender's axon (forward, in order of target) or among its dendrites (backward, in
order of source). One walk over the synapses in order of (source, target) meets each source's
synapses in order of target and each target's in order of source, so both ranks are counts kept
as it goes. Nothing the size of the network is made besides the tables themselves (and, for a
blueprint not already in that order, the order as 32-bit integers): a society of a few million
synapses peaks at little more than what it keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CHUNK = 1 << 14  # synapses per step of a walk: its temporary arrays stay small beside the tables


@dataclass
class Lines:
    """The lines of one direction, sorted by sender (a sender's lines in the order of its routes)."""

    senders: np.ndarray
    receivers: np.ndarray
    slots: np.ndarray
    synapses: np.ndarray  # the synapse a forward line weighs (-1 for the feeder's and teacher's lines)


# what a walk hands on for a run of lines of one direction (0 forward, 1 backward): the synapses they
# run along (None: lines along no synapse), their senders, receivers, places in that direction's
# table, and slots at the receiver (backward, a synapse's slot is its place on the sender's axon)
Writer = Callable[[int, "np.ndarray | None", np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


def lines(blueprint) -> tuple[Lines, Lines]:
    """Every message line of a blueprint, forward and backward, as 32-bit integers."""
    starts = line_starts(blueprint)
    both = [Lines(*(np.empty(start[-1], np.int32) for _ in range(4))) for start in starts]

    def write(direction, synapses, senders, receivers, places, slots) -> None:
        line = both[direction]
        line.senders[places], line.receivers[places], line.slots[places] = senders, receivers, slots
        line.synapses[places] = -1 if synapses is None else synapses

    walk(blueprint, starts, write)
    return both[0], both[1]


def line_starts(blueprint) -> tuple[np.ndarray, np.ndarray]:
    """Where each sender's lines start, forward and backward: process i (the neurons, the feeder at
    N and the teacher at N + 1) owns lines start[i]:start[i + 1]."""
    n = blueprint.size
    starts = []
    for key, (extra, _, _) in zip((blueprint.sources, blueprint.targets), plain_lines(blueprint)):
        start = np.zeros(n + 3, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=n + 2) + np.bincount(extra, minlength=n + 2), out=start[1:])
        starts.append(start)
    return starts[0], starts[1]


def walk(blueprint, starts: tuple[np.ndarray, np.ndarray], write: Writer) -> np.ndarray | None:
    """Hand `write` every line, a run at a time: the synapses' in order of (source, target), then
    the lines that no synapse carries (the feeder's, the teacher's, the outputs' to the teacher).
    Returns that order of the synapses as 32-bit integers, or None if the blueprint has them so."""
    sources, targets = blueprint.sources, blueprint.targets
    forward_start, backward_start = starts
    free = forward_start[:-1].copy(), backward_start[:-1].copy()  # each sender's next free line
    order = synapse_order(blueprint)
    count = len(sources)
    for a in range(0, count, CHUNK):
        synapses = np.arange(a, min(a + CHUNK, count)) if order is None else order[a:a + CHUNK]
        senders, receivers = sources[synapses], targets[synapses]
        forward, backward = _take(senders, free[0]), _take(receivers, free[1])
        write(0, synapses, senders, receivers, forward, backward - backward_start[receivers])
        write(1, synapses, receivers, senders, backward, forward - forward_start[senders])
    # the senders of these lines send along no synapse in that direction: theirs come after any
    for direction, (senders, receivers, slots) in enumerate(plain_lines(blueprint)):
        write(direction, None, senders, receivers, _take(senders, free[direction]), slots)
    return order


def plain_lines(blueprint) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The lines that no synapse carries, (senders, receivers, slots) forward and backward, in sender order."""
    n = blueprint.size
    feeder, teacher = n, n + 1
    sensors, outputs = blueprint.sensors.astype(np.int32), blueprint.outputs.astype(np.int32)
    forward = (  # the outputs' lines to the teacher, and the feeder's to the sensors and the teacher
        np.concatenate((outputs, np.full(len(sensors) + 1, feeder, np.int32))),
        np.concatenate((np.full(len(outputs), teacher, np.int32), sensors, np.array([teacher], np.int32))),
        np.concatenate((np.arange(len(outputs), dtype=np.int32), np.zeros(len(sensors), np.int32),
                        np.array([len(outputs)], np.int32))),
    )
    backward = (  # the sensors' lines to the feeder, and the teacher's to the outputs
        np.concatenate((sensors, np.full(len(outputs), teacher, np.int32))),
        np.concatenate((np.full(len(sensors), feeder, np.int32), outputs)),
        np.concatenate((np.arange(len(sensors), dtype=np.int32), np.zeros(len(outputs), np.int32))),
    )
    return forward, backward


def synapse_order(blueprint) -> np.ndarray | None:
    """The synapses in order of source, then target, then number (int32); None when already so.

    Two stable counting sorts, by target and then by source, each of 32-bit integers."""
    sources, targets = blueprint.sources, blueprint.targets
    count = len(sources)
    for a in range(0, max(count - 1, 0), CHUNK):
        b = min(a + CHUNK, count - 1)
        step, tie = sources[a + 1:b + 1] - sources[a:b], targets[a + 1:b + 1] - targets[a:b]
        if ((step < 0) | ((step == 0) & (tie < 0))).any():
            break
    else:
        return None
    by_target = counting_sort(targets, blueprint.size, None)
    return counting_sort(sources, blueprint.size, by_target)


def counting_sort(key: np.ndarray, n: int, order: np.ndarray | None) -> np.ndarray:
    """`order` (all synapses if None) stably sorted by `key`, as int32."""
    count = len(key)
    start = np.zeros(n, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n)[:-1], out=start[1:])
    sorted_ = np.empty(count, dtype=np.int32)
    for a in range(0, count, CHUNK):
        chosen = np.arange(a, min(a + CHUNK, count)) if order is None else order[a:a + CHUNK]
        sorted_[_take(key[chosen], start)] = chosen
    return sorted_


def _take(keys: np.ndarray, free: np.ndarray) -> np.ndarray:
    """A place for each of these keys, in turn: `free[k]` is key k's next free place, advanced here."""
    if not len(keys):
        return np.empty(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    heads = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(heads, len(ordered)))
    places = np.empty(len(keys), dtype=np.int64)
    places[order] = free[ordered] + np.arange(len(ordered)) - np.repeat(heads, sizes)
    free[ordered[heads]] += sizes
    return places
