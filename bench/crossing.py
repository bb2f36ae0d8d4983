"""What the shards' own work costs, without Ray: one process, or the same network over shards in this
process (`shards.alone`), for a number of examples. Run twice under callgrind with two numbers of
examples; the difference over the examples between them is the instructions an example costs:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python -m bench.crossing 784,100,10 2 3
    valgrind --tool=callgrind --callgrind-out-file=/dev/null python -m bench.crossing 784,100,10 2 9

Usage: python -m bench.crossing SIZES SHARDS EXAMPLES [IN_FLIGHT [PARTITION]] (SHARDS 0: one process). It prints
the values that crossed between places, the rounds (calls of a shard) and the messages that came
before their turn (and waited in their slots), per example.
"""

from __future__ import annotations

import sys

import numpy as np

from exmachina import Network
from exmachina.actors.runtime import LocalRuntime
from exmachina.actors.society import Society
from exmachina.shards.alone import Alone


def main(sizes: str, shards: str, examples: str, in_flight: str = "1", partition: str = "spread") -> None:
    layers = [int(s) for s in sizes.split(",")]
    blueprint = Network.layered(layers, activation="sigmoid", loss="squared", seed=0).blueprint
    rng = np.random.default_rng(0)
    given = [(i, rng.random(layers[0]), rng.uniform(0, 1, layers[-1])) for i in range(int(examples))]
    if int(shards) == 0:
        Society(blueprint, LocalRuntime(), None, 0.1, int(in_flight)).feed(given)
        return
    split = Alone(blueprint, int(shards), learning_rate=0.1, in_flight=int(in_flight), partition=partition)
    split.feed(given)
    print(f"values crossing per example: {split.values / len(given):.0f}, rounds per example: "
          f"{split.rounds / len(given):.1f}, messages before their turn per example: {split.waited / len(given):.0f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
