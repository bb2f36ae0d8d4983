"""The Exmachina reference set-up on the Semeion digits, run by the actor engine.

256-8-10, sigmoid, squared error, learning rate 2.0, 20 passes, one example at a time; after each
pass, the share of the last 200 predictions that were right (what Exmachina prints).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from exmachina import Network

from .workloads import SEMEION, load_semeion

# Exmachina on this machine (DESIGN.md): examples/s, and online accuracy after passes 5, 10, 20
REFERENCE = {"examples_per_second": 18.0, "accuracy_after": {5: 0.75, 10: 0.82, 20: 0.88}}


def semeion(path: str | Path = SEMEION, passes: int = 20, seed: int = 0) -> dict[str, Any]:
    """Train like Exmachina does and return the figures of every pass next to the reference's."""
    x, y = load_semeion(path)
    network = Network.layered([256, 8, 10], "sigmoid", loss="squared", seed=seed)
    recent: dict[int, float] = {}

    def progress(epoch: int, board) -> None:
        if board.seen == board.total:
            recent[epoch] = board.recent_accuracy

    cpu = time.process_time()
    history = network.fit(x, y, epochs=passes, learning_rate=2.0, engine="actors", seed=seed, on_progress=progress)
    rows = [
        {
            "pass": h["epoch"],
            "recent_accuracy": recent[h["epoch"]],
            "accuracy": h["accuracy"],
            "loss": h["loss"],
            "examples_per_second": h["examples_per_second"],
            "messages_per_second": h["messages"] / h["seconds"],
            "reference_accuracy": REFERENCE["accuracy_after"].get(h["epoch"]),
        }
        for h in history
    ]
    cpu = time.process_time() - cpu
    seconds = sum(h["seconds"] for h in history)
    examples = sum(h["examples"] for h in history)
    return {
        "data": str(path), "examples": len(x), "passes": rows,
        "examples_per_second": examples / seconds, "seconds": seconds,
        "cpu_examples_per_second": examples / cpu,  # a busy shared machine disturbs this one less
        "reference": {"examples_per_second": REFERENCE["examples_per_second"],
                      "accuracy_after": {str(k): v for k, v in REFERENCE["accuracy_after"].items()}},
    }
