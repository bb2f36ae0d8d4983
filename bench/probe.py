"""One engine's memory for one pass, measured alone in its own process.

Usage: python -m bench.probe NETWORK ENGINE BATCH DATA.npz  -> JSON on stdout. It runs the pass twice:
once plainly, for the peak resident memory (RSS), and once under tracemalloc, for the peak of the
Python heap that the pass allocated (society, mailboxes, matrices, messages).
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc

import numpy as np

from .memory import MIB, peak_rss, reset_peak, rss
from .speed import blueprint_for, case_named, train


def main(network: str, engine: str, batch: str, data: str) -> None:
    case = case_named(network)
    arrays = np.load(data)
    x, y = arrays["x"], arrays["y"]
    blueprint = blueprint_for(case)
    batch_size = int(batch)
    gc.collect()
    before = rss()
    reset_peak()
    train(engine, blueprint, x, y, batch_size)
    peak = peak_rss()
    gc.collect()
    tracemalloc.start()
    train(engine, blueprint, x, y, batch_size)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({
        "rss_before_mib": before / MIB, "peak_rss_mib": peak / MIB,
        "pass_rss_mib": (peak - before) / MIB, "traced_peak_mib": traced / MIB,
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
