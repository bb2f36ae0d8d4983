"""A cost model of the shards, its constants measured on this machine, checked against 1-3 shards.

    seconds per example on N shards = t1 / N + waves(N) x latency + bytes(N) / bandwidth

t1 is one process's seconds per example; waves, the runs per example that a bundle set going at
some place (each one hop of a bundle from place to place: one after another with one example in
flight and whole layers; on the spread partition two places may run at once); bytes, what crosses
between places per example; latency, one hop: half the round trip of a ZeroMQ message over a Unix
socket to a process that sends it back (the shards' data path: Ray carries one call per shard per
segment only); bandwidth, the bytes a second that such a trip carries there and back. The model is
checked against runs on 1, 2 and 3 shards (spread partition, one example in flight) and, with waves
and bytes extended along the line through 2 and 3 shards, predicts 4, 8 and 16 shards, each on a node
of its own with this machine's cores and this machine's latency (loopback: a real network's is
larger). A second column puts the work the shards were measured to do (their working seconds per
example, all together) in place of t1, which is what the model misses when the shards do more work
than one process.
"""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np

from .shards import one_pass
from .transport import zeromq

WORKLOADS = [  # (name, sizes, examples, examples with --quick)
    ("784-100-10, online", (784, 100, 10), 60, 16),
    ("784-1000-1000-10, online", (784, 1000, 1000, 10), 12, 4),
]
MEASURED = (1, 2, 3)
PREDICTED = (4, 8, 16)
AIM = 1.6  # the speed-up issue 25 asks of 2 shards
CALLS = 200  # round trips timed for the latency
PAYLOAD = 4 << 20  # bytes a call carries each way for the bandwidth


def constants(calls: int = CALLS) -> dict[str, float]:
    """Latency of one hop (seconds) and bandwidth (bytes a second) of the shards' data path here."""
    trips = zeromq(calls, (1,))[1], zeromq(max(calls // 20, 3), (PAYLOAD // 8,))[PAYLOAD // 8]
    return {"latency": trips[0] / 2, "bandwidth": 2 * PAYLOAD / max(trips[1] - trips[0], 1e-9)}


def measure(quick: bool, repeats: int, log: Any = print) -> dict[str, Any]:
    """The constants, then each workload in one process and on 1, 2 and 3 shards, alternating."""
    found: dict[str, Any] = {"constants": constants(), "workloads": []}
    log(f"cost model: latency {found['constants']['latency'] * 1e3:.2f} ms, "
        f"bandwidth {found['constants']['bandwidth'] / 1e6:,.0f} MB/s")
    for name, sizes, examples, few in WORKLOADS:
        examples = few if quick else examples
        rng = np.random.default_rng(0)
        x, y = rng.random((examples, sizes[0])), rng.integers(0, sizes[-1], examples)
        log(f"cost model: {name}, {examples} examples, {repeats} runs of each")
        runs: dict[int, list[dict]] = {n: [] for n in (0, *MEASURED)}  # 0: one process
        for _ in range(repeats):
            for n in runs:
                runs[n].append(one_pass(sizes, {}, x, y, n or None))
        row = {"workload": name, "examples": examples,
               "one_process": statistics.median(1 / r["examples_per_second"] for r in runs[0])}
        for n in MEASURED:
            row[n] = {"seconds": statistics.median(1 / r["examples_per_second"] for r in runs[n]),
                      "waves": statistics.median(r["waves_per_example"] for r in runs[n]),
                      "bytes": statistics.median(r["bytes_per_example"] for r in runs[n]),
                      "work": statistics.median(sum(r["busy_share"]) / r["examples_per_second"] for r in runs[n])}
        found["workloads"].append(predict(row, found["constants"]))
    return found


def predict(row: dict[str, Any], constants: dict[str, float]) -> dict[str, Any]:
    """The model beside what was measured, and its prediction past 3 shards: with one process's work
    shared out (t1 / N, the issue's model) and with the work the shards were measured to do."""
    t1, latency, bandwidth = row["one_process"], constants["latency"], constants["bandwidth"]

    def model(n: int, work: float, waves: float, crossing: float) -> dict[str, float]:
        talk = waves * latency + crossing / bandwidth
        # the latency a wave may take at most for the model to reach AIM times one process (< 0: none will do)
        most = (t1 / AIM - t1 / n - crossing / bandwidth) / waves if waves else float("inf")
        return {"model": t1 / n + talk, "model_work": work / n + talk, "latency_for_aim": most}

    measured = [{"shards": n, **row[n], **model(n, row[n]["work"], row[n]["waves"], row[n]["bytes"])}
                for n in MEASURED]
    two, three = measured[1], measured[2]
    ahead = []
    for n in PREDICTED:
        along = {k: two[k] + (three[k] - two[k]) * (n - 2) for k in ("work", "waves", "bytes")}
        ahead.append({"shards": n, **along, **model(n, along["work"], along["waves"], along["bytes"])})
    return {**{k: v for k, v in row.items() if k not in MEASURED}, "measured": measured, "predicted": ahead}
