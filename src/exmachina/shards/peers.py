"""Bundles from place to place over ZeroMQ: the data path of the shards, off Ray.

Ray places the shards, restarts them and carries one call per shard per segment of examples; within
a segment every bundle goes straight from the place that sent it to the place it is for (shard to
shard, shard to the driver's feeder and teacher), a ZeroMQ message of its four arrays. A Ray call
costs about 1.3 ms here, a ZeroMQ round trip over a Unix socket about 0.1-0.2 ms (docs/benchmarks.md).

Each process binds one inbox (a PULL socket) twice: a Unix socket for the places on its machine and
TCP for the others; it sends through one PUSH socket per other place. A message is a header (the
segment's number, the sender's place, what it is) and, for a bundle, the bundle's arrays. A segment's
number tells a message sent in a segment that was given up (a shard died) from the current one's.

When a segment ends: the driver ends it once the feeder has heard every example of the segment leave
(every sensor's error) or, predicting, the teacher has every example's outputs. A place sends what it
has only once its run queue is empty, and every value sent leads on to those errors or outputs, so by
then every message of the segment has been handled; each place counts the bundles it sent to and
received from every other one, and the driver checks that they match (`unmatched`).
"""

from __future__ import annotations

import os
import socket
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from .shard import size

try:
    import zmq
except ImportError:  # shards are refused in one line (starting.ray_module)
    zmq = None

BUNDLE, END = 0, 1


class Mailbox:
    """One process's sockets: its inbox, bound where the other places reach it, and one to each of them."""

    def __init__(self, ip: str = "127.0.0.1") -> None:
        self.context = zmq.Context.instance()
        self.inbox = self.context.socket(zmq.PULL)
        self.inbox.setsockopt(zmq.RCVHWM, 0)
        self.inbox.setsockopt(zmq.LINGER, 0)
        # Linux's abstract namespace: no file left behind by a process that is killed; elsewhere a file in /tmp
        # (within the 107 bytes of a Unix socket's name)
        self.path = f"{'@' if sys.platform.startswith('linux') else '/tmp/'}exmachina-{uuid.uuid4().hex}"
        self.inbox.bind(f"ipc://{self.path}")
        port = self.inbox.bind_to_random_port(f"tcp://{ip}")
        self.address = (socket.gethostname(), f"ipc://{self.path}", f"tcp://{ip}:{port}")
        self.peers: dict[int, Any] = {}
        self.known: dict[int, tuple] | None = None

    def connect(self, addresses: dict[int, tuple]) -> None:
        """A socket to each other place (anew when any place's address changed: a shard restarted)."""
        if addresses == self.known:
            return
        for peer in self.peers.values():
            peer.close(linger=0)
        self.peers = {}
        for place, (host, local, remote) in addresses.items():
            if (host, local, remote) == self.address:
                continue
            peer = self.context.socket(zmq.PUSH)
            peer.setsockopt(zmq.SNDHWM, 0)  # never blocks: a segment is bounded, and one given up is closed
            peer.setsockopt(zmq.LINGER, 0)
            peer.connect(local if host == self.address[0] else remote)
            self.peers[place] = peer
        self.known = dict(addresses)

    def send(self, place: int, segment: Segment, bundle: tuple) -> None:
        self.peers[place].send_multipart([segment.header(BUNDLE), *bundle])

    def end(self, place: int, segment: Segment) -> None:
        self.peers[place].send(segment.header(END))

    def receive(self, timeout: float | None = None) -> tuple[np.ndarray, tuple | None] | None:
        """The next message (its header, its bundle or None), or None after `timeout` seconds of none."""
        if timeout is not None and not self.inbox.poll(timeout * 1000):
            return None
        frames = self.inbox.recv_multipart()
        header = np.frombuffer(frames[0], dtype=float)
        if header[2] == END:
            return header, None
        channels, tags, widths, values = frames[1:]
        return header, (np.frombuffer(channels, dtype=np.int32), np.frombuffer(tags, dtype=np.int64),
                        np.frombuffer(widths, dtype=np.int32), np.frombuffer(values, dtype=float))

    def waiting(self) -> bool:
        """Whether a message is here already."""
        return bool(self.inbox.poll(0))

    def close(self) -> None:
        for peer in self.peers.values():
            peer.close(linger=0)
        self.inbox.close(linger=0)
        if not self.path.startswith("@"):
            try:
                os.unlink(self.path)
            except OSError:
                pass


class Segment:
    """One place's view of a segment: its number, the learning rate it has (and the rate's version: a
    rate told later has a higher one, and each bundle carries its sender's, so that a rate changed
    between two examples reaches every place before that example's values do), and what it sent and
    received, by place, their bytes and its seconds at work."""

    def __init__(self, number: int, place: int, version: int, rate: float | None) -> None:
        self.number, self.place, self.version, self.rate = number, place, version, rate
        self.sent: Counter = Counter()
        self.received: Counter = Counter()
        self.bytes, self.busy = 0, 0.0
        self.waves = 0  # the times a bundle that came set this place running

    def header(self, what: int) -> np.ndarray:
        rate = np.nan if self.rate is None else self.rate
        return np.array([self.number, self.place, what, self.version, rate], dtype=float)

    def figures(self) -> dict[str, Any]:
        return {"sent": dict(self.sent), "received": dict(self.received), "bytes": self.bytes, "busy": self.busy,
                "waves": self.waves}


def handle(shard: Any, mailbox: Mailbox, segment: Segment, message: tuple) -> bool:
    """Deliver a bundle and every other one already here, run until nothing is left, send what the
    run posted; False once the segment's end came."""
    started = time.perf_counter()
    going = True
    while True:
        header, bundle = message
        if header[0] == segment.number:
            if bundle is None:
                going = False
                break
            if header[3] > segment.version:  # a rate told since
                segment.version, segment.rate = int(header[3]), float(header[4])
                shard.society.set_learning_rate(segment.rate)
            shard.deliver(bundle)
            segment.received[int(header[1])] += 1
        if not mailbox.waiting():
            break
        message = mailbox.receive()
    segment.waves += 1
    flush(shard, mailbox, segment)
    segment.busy += time.perf_counter() - started
    return going


def flush(shard: Any, mailbox: Mailbox, segment: Segment) -> None:
    """Run until nothing is left to do, then send each place its bundle."""
    shard.runtime.run()
    for to, out in shard.collect().items():
        mailbox.send(to, segment, out)
        segment.sent[to] += 1
        segment.bytes += size(out)


def serve(shard: Any, mailbox: Mailbox, segment: Segment) -> Segment:
    """A shard's part of a segment: bundles in, runs, bundles out, until the driver ends it."""
    while handle(shard, mailbox, segment, mailbox.receive()):
        pass
    return segment


def drive(hub: Any, mailbox: Mailbox, segment: Segment, done: Callable[[], bool], died: Callable[[], bool]) -> None:
    """The driver's part of a segment: what the feeder presented out, then bundles in and out, until
    `done`; or until a shard has `died` (asked whenever nothing came for 0.1 s)."""
    flush(hub, mailbox, segment)
    while not done():
        message = mailbox.receive(timeout=0.1)
        if message is None:
            if died():
                return
            continue
        handle(hub, mailbox, segment, message)


def settled(tallies: dict[int, dict[str, Any]], number: int, transfers: int, size: int) -> tuple[int, int, int]:
    """A segment's messages, and the transfers and bytes so far with its own, once every bundle one
    place sent another is checked to have been received (the termination rule above)."""
    missing = [f"{a} -> {b}: {n} sent, {tallies[b]['received'].get(a, 0)} received"
               for a, tally in tallies.items() for b, n in tally["sent"].items()
               if tallies[b]["received"].get(a, 0) != n]
    if missing:
        raise RuntimeError(f"segment {number} ended with bundles not received: {'; '.join(missing)}")
    return (sum(t.get("messages", 0) for t in tallies.values()), transfers + sum(sum(t["sent"].values()) for t in
            tallies.values()), size + sum(t["bytes"] for t in tallies.values()))
