"""The runtimes: where neuron processes live and how their messages move.

A neuron sees one interface, whatever runtime it lives in: `send(kind, tag, routes, values)`. The
runtime leaves each value in a receiver's mailbox and runs a process when its mailbox for a tag is
full. As in Intel's Lava, the process is what a neuron is; each runtime is one way to run it:

- `local`: every process in this Python process, on one run queue (compiled by Cython);
- `shuffled`: the same, delivering messages in any order a network of processes could, to prove
  that the order does not matter;
- `tracing`: the same, recording every message and every neuron's steps (`exmachina.trace`);
- `sharded` (`exmachina.runtimes.sharded`): many local run queues, one per shard, each in its own
  OS process on Ray, one scheduler per core as on the BEAM, exchanging messages as arrays.
"""

from .local import ACTIVITY, ERROR, LocalRuntime, Process, Routes
from .shuffled import ShuffledRuntime

__all__ = ["ACTIVITY", "ERROR", "LocalRuntime", "Process", "Routes", "ShuffledRuntime"]
