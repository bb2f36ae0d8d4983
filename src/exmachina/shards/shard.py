"""A shard: one run queue hosting one place's processes, and the posts that link it to the others.

What leaves a shard is a **bundle**, four arrays: the channel of each parcel, its example tag, its
width (0 for one float per line, else the batch's size) and all the values one after another. The
channel says which receivers and slots at the other end the values are for (both ends know it from
the layout), so a bundle is the same whatever process sent it; a C core could fill one directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..actors.routes import ACTIVITY, Routes
from ..actors.runtime import LocalRuntime
from ..actors.society import Society
from ..actors.wiring import Part

Bundle = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # channels, tags, widths, values


class Post:
    """A process standing in for another place: when a channel's slots fill for a tag, it posts them.
    One example's values come as one array, kept by the runtime in C (`c_slots`): no float each."""

    c_slots = True

    def __init__(self, address: int, channel: int, kind: int, fan: int, outbox: list, relays: bool) -> None:
        self.address, self.channel, self.outbox = address, channel, outbox
        self.fan_in, self.fan_out = (fan, 0) if kind == ACTIVITY else (0, fan)
        self.relays = relays  # whether it carries activities to terminals and errors to fan out (see
        self.relayed = 0  # actors/terminals.py): values that no synapse of the network carries as such

    def on_activities(self, tag: Any, values: Any) -> None:
        self.outbox.append((self.channel, tag, np.array(values, dtype=float)))  # copied: the wave is recycled
        if self.relays:
            self.relayed += len(values)

    on_errors = on_activities


class Shard:
    """One place's processes on one run queue, exchanging bundles with the other places."""

    def __init__(self, part: Part, listener: Any = None, learning_rate: float | None = None, in_flight: int = 1,
                 noise: float = 0.0, seed: int = 0) -> None:
        self.part = part
        self.options = (listener, learning_rate, in_flight, noise, seed)
        self.destination = {c: to for c, _, _, to, _ in part.posts}
        self.imports: dict[int, tuple] = {}  # channel: kind, routes, values per example, fans
        for c, (kind, receivers, slots, fans) in part.imports.items():
            if fans is None:
                self.imports[c] = (kind, Routes(receivers.tolist(), slots.tolist()), len(receivers), None)
            else:  # each value fanned out along routes of its own, from its first line: a run where its
                # receivers are consecutive with one slot (a target's error to its inputs here), which the
                # runtime folds in a plain loop
                ends = np.cumsum(fans)
                runs = [(Routes(receivers[a:b].tolist(), slots[a:b].tolist()), a) for a, b in zip(ends - fans, ends)]
                self.imports[c] = (kind, runs, len(fans), fans)
        self.imported = 0  # messages delivered here a second time, from a post at another place
        self.build()

    def build(self) -> None:
        """Every process of this place anew, with the part's weights, and empty mailboxes."""
        self.runtime = LocalRuntime()
        self.society = Society(None, self.runtime, *self.options, part=self.part)
        self.outbox: list[tuple[int, Any, np.ndarray]] = []
        start = len(self.part.ids) + len(self.society.terminals)
        self.posts = [Post(start + k, channel, kind, fan, self.outbox, relays)
                      for k, (channel, kind, fan, _, relays) in enumerate(self.part.posts)]
        for post in self.posts:
            self.runtime.spawn(post)
        self.imported = 0

    @property
    def messages(self) -> int:
        """Messages the neurons sent: a message to another place counts once, not at both posts, and
        an activity or error crossing to terminals not at all (their terminals send the synapses' own)."""
        return self.runtime.messages - self.imported - sum(post.relayed for post in self.posts)

    def deliver(self, bundle: Bundle | None) -> None:
        """Leave each value of a bundle in its receiver's mailbox."""
        if bundle is None:
            return
        channels, tags, widths, values = bundle
        at = 0
        for channel, tag, width in zip(channels.tolist(), tags.tolist(), widths.tolist()):
            kind, routes, fan, fans = self.imports[channel]
            size = fan * max(width, 1)
            block = values[at:at + size]
            at += size
            if fans is None:
                self.runtime.post(kind, tag, routes, block, width)  # from the array, by the runtime's C loops
                self.imported += len(routes)
                continue
            block = np.repeat(block.reshape(fan, -1), fans, axis=0).ravel()  # an error to a target's inputs here
            for run, first in routes:
                self.runtime.post(kind, tag, run, block[first * max(width, 1):], width)
                self.imported += len(run)

    def exchange(self, rate: float | None, *bundles: Bundle | None) -> dict[int, Bundle]:
        """Deliver what the other places sent, run until nothing is left to do, and post the rest."""
        if rate is not None:
            self.society.set_learning_rate(rate)
        for bundle in bundles:
            self.deliver(bundle)
        self.runtime.run()
        return self.collect()

    def collect(self) -> dict[int, Bundle]:
        """The outbox as one bundle per place it goes to."""
        parcels: dict[int, list] = {}
        for parcel in self.outbox:
            parcels.setdefault(self.destination[parcel[0]], []).append(parcel)
        self.outbox.clear()
        return {place: bundle(found) for place, found in parcels.items()}


def bundle(parcels: list[tuple[int, Any, np.ndarray]]) -> Bundle:
    """Parcels (channel, tag, values) as four arrays."""
    return (
        np.array([c for c, _, _ in parcels], dtype=np.int32),
        np.array([t for _, t, _ in parcels], dtype=np.int64),
        np.array([0 if v.ndim == 1 else v.shape[1] for _, _, v in parcels], dtype=np.int32),
        np.concatenate([v.ravel() for _, _, v in parcels]),
    )


def size(bundle: Bundle) -> int:
    """Bytes of a bundle's arrays."""
    return sum(a.nbytes for a in bundle)
