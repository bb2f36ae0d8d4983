"""One online pass of `exmachina learn --data mnist:DIR --layers 784,100,10` on MNIST-format files.

MNIST itself cannot be downloaded here, so the files are made in MNIST's own format (IDX, gzipped,
60,000 training and 10,000 test images of 28x28 bytes): scikit-learn's 8x8 digits, each pixel
scaled up to 3x3, placed at a random offset on the 28x28 canvas. The work per example (784 inputs,
78,400 + 1,000 synapses) is MNIST's; only the pixels differ. The command is timed as a whole process.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def idx(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes: magic number, big-endian sizes, the values."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write(folder: Path, seed: int = 0) -> None:
    """train- and t10k- image and label files, gzipped, as MNIST ships them."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(seed)
    for name, count in (("train", 60_000), ("t10k", 10_000)):
        chosen = rng.integers(0, len(digits.target), count)
        large = np.kron(digits.images[chosen] * (255 / 16), np.ones((1, 3, 3)))  # 24x24
        canvas, offset = np.zeros((count, 28, 28)), rng.integers(0, 25, count)
        for dy in range(5):
            for dx in range(5):
                here = offset == dy * 5 + dx
                canvas[here, dy:dy + 24, dx:dx + 24] = large[here]
        (folder / f"{name}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(canvas), 6))
        (folder / f"{name}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(digits.target[chosen]), 6))


def one_pass(folder: Path) -> dict[str, Any]:
    """Time the command on the files in `folder`: wall seconds, and its last lines."""
    command = [sys.executable, "-m", "exmachina", "learn", "--data", f"mnist:{folder}", "--layers", "784,100,10",
               "--epochs", "1"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    return {"command": " ".join(command[2:]), "seconds": seconds, "output": done.stdout.strip().splitlines()[-12:]}
